//! [`Readiness`]: whether every transport a process serves can take work
//! now, as the transports themselves keep it (a listener bound, a broker
//! link up, a queue file writable), so that a readiness probe reads state
//! and never makes a round trip to a broker.
//!
//! A host makes one [`Readiness`] per process and gives it to every
//! transport it starts ([`ServeSettings::readiness`](super::ServeSettings));
//! each transport adds a [`Probe`] per thing it depends on and keeps it up
//! to date. `GET /readyz` on the HTTP transport, and on a host's metrics
//! listener, answers from [`Readiness::report`].

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

/// The readiness of one process: every probe its transports added.
/// Clones share the probes.
#[derive(Clone, Default)]
pub struct Readiness {
    probes: Arc<Mutex<Vec<Probe>>>,
}

impl Readiness {
    /// No probes yet: ready.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a probe named `name` (`amqp 127.0.0.1:5672/`, `http
    /// 127.0.0.1:8080`), not ready until [`Probe::set_ready`] says so. The
    /// transport keeps the probe and sets it as its state changes; the
    /// probe is removed when the transport drops its last clone.
    pub fn probe(&self, name: impl Into<String>) -> Probe {
        let probe = Probe {
            inner: Arc::new(ProbeState {
                name: name.into(),
                ready: AtomicBool::new(false),
                why: Mutex::new(String::from("starting")),
            }),
        };
        let mut probes = self.probes.lock().unwrap_or_else(PoisonError::into_inner);
        // Probes whose transport is gone are dropped here.
        probes.retain(|p| Arc::strong_count(&p.inner) > 1);
        probes.push(probe.clone());
        probe
    }

    /// Whether every probe is ready, and the state of each.
    ///
    /// ```
    /// use switchboard::catalog::Readiness;
    ///
    /// let readiness = Readiness::new();
    /// let link = readiness.probe("amqp 127.0.0.1:5672/");
    /// assert!(!readiness.report().ready);
    /// link.set_ready();
    /// assert!(readiness.report().ready);
    /// link.set_not_ready("connection refused");
    /// let report = readiness.report();
    /// assert_eq!(report.not_ready()[0].name, "amqp 127.0.0.1:5672/");
    /// assert_eq!(report.not_ready()[0].reason.as_deref(), Some("connection refused"));
    /// ```
    pub fn report(&self) -> ReadinessReport {
        let probes = self.probes.lock().unwrap_or_else(PoisonError::into_inner);
        let checks: Vec<Check> = probes
            .iter()
            .filter(|p| Arc::strong_count(&p.inner) > 1)
            .map(Probe::check)
            .collect();
        ReadinessReport {
            ready: checks.iter().all(|c| c.ready),
            checks,
        }
    }
}

impl fmt::Debug for Readiness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Readiness")
            .field("report", &self.report())
            .finish()
    }
}

/// One thing a transport needs to take work, kept up to date by it.
/// Clones share the state.
#[derive(Debug, Clone)]
pub struct Probe {
    inner: Arc<ProbeState>,
}

#[derive(Debug)]
struct ProbeState {
    name: String,
    ready: AtomicBool,
    why: Mutex<String>,
}

impl Probe {
    /// A probe belonging to no [`Readiness`]: for a transport started
    /// without one, so that it keeps a single code path.
    pub fn detached(name: impl Into<String>) -> Self {
        Readiness::new().probe(name)
    }

    /// Ready now.
    pub fn set_ready(&self) {
        self.inner.ready.store(true, Ordering::Release);
    }

    /// Not ready now, for `reason` (shown to the prober).
    pub fn set_not_ready(&self, reason: impl Into<String>) {
        *self
            .inner
            .why
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = reason.into();
        self.inner.ready.store(false, Ordering::Release);
    }

    /// Whether it is ready (one atomic load).
    pub fn is_ready(&self) -> bool {
        self.inner.ready.load(Ordering::Acquire)
    }

    fn check(&self) -> Check {
        let ready = self.is_ready();
        let reason = (!ready).then(|| {
            self.inner
                .why
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
        });
        Check {
            name: self.inner.name.clone(),
            ready,
            reason,
        }
    }
}

/// The answer to a readiness probe: the JSON body of `GET /readyz`.
#[derive(Debug, Clone, Serialize)]
pub struct ReadinessReport {
    /// Whether every check is ready.
    pub ready: bool,
    /// Every check, in the order they were added.
    pub checks: Vec<Check>,
}

impl ReadinessReport {
    /// The checks that are not ready.
    pub fn not_ready(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.ready).collect()
    }

    /// The HTTP status of `GET /readyz`: `200` when ready, `503` when not.
    pub fn http_status(&self) -> u16 {
        if self.ready { 200 } else { 503 }
    }

    /// The JSON body of `GET /readyz`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{\"ready\":false}"))
    }
}

/// One probe's state.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What it checks (`amqp 127.0.0.1:5672/`).
    pub name: String,
    /// Whether it is ready.
    pub ready: bool,
    /// Why not, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
