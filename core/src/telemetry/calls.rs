//! [`CallMeters`]: the duration histogram and in-flight count of one
//! server's calls. The handles of successful calls are cached per method,
//! so that a successful call costs two clock reads and four relaxed
//! atomic additions, and builds no label; failures look their series up.
//!
//! Series live in one registry per process ([`render`](super::render())
//! writes them out), so two servers of the same protocol on the same
//! transport count into the same series.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::method::MethodDescriptor;
use crate::protocol::{CallOutcome, OutProtocol};

use super::clock::{self, Tick};
use super::histogram::AtomicHistogram;
use super::{OTHER_METHOD, STATUS_OK};

/// The labels of one duration series.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct CallLabels {
    pub(super) system: &'static str,
    pub(super) method: Cow<'static, str>,
    pub(super) transport: &'static str,
    pub(super) status: Cow<'static, str>,
    pub(super) error_type: Option<Cow<'static, str>>,
}

/// Every series of the process.
#[derive(Default)]
pub(super) struct Registry {
    pub(super) calls: BTreeMap<CallLabels, Arc<AtomicHistogram>>,
    /// Calls running, by protocol and transport.
    pub(super) in_flight: BTreeMap<(&'static str, &'static str), Arc<AtomicI64>>,
}

pub(super) fn registry() -> std::sync::MutexGuard<'static, Registry> {
    static REGISTRY: OnceLock<Mutex<Registry>> = OnceLock::new();
    REGISTRY
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

fn series(labels: CallLabels) -> Arc<AtomicHistogram> {
    let mut registry = registry();
    Arc::clone(
        registry
            .calls
            .entry(labels)
            .or_insert_with(|| Arc::new(AtomicHistogram::new())),
    )
}

fn in_flight(system: &'static str, transport: &'static str) -> Arc<AtomicI64> {
    let mut registry = registry();
    Arc::clone(registry.in_flight.entry((system, transport)).or_default())
}

/// The meters of one [`Server`](crate::Server): its protocol, and the
/// cached series of its methods.
pub(crate) struct CallMeters {
    system: &'static str,
    /// The served methods, by address, to find a method's slot.
    methods: Box<[usize]>,
    /// Per method (same order), the series of its successful calls on the
    /// transport that first called it.
    ok: Box<[OnceLock<Cached<AtomicHistogram>>]>,
    in_flight: OnceLock<Cached<AtomicI64>>,
}

/// A series, and the transport it is labelled with.
struct Cached<T> {
    transport: &'static str,
    series: Arc<T>,
}

/// A call being measured: when it started, and its place among the calls
/// in flight, given back when it ends or is dropped (a caller that went
/// away).
pub(crate) struct Metered<'m> {
    started: Tick,
    transport: &'static str,
    in_flight: InFlight<'m>,
}

enum InFlight<'m> {
    Cached(&'m AtomicI64),
    Other(Arc<AtomicI64>),
}

impl InFlight<'_> {
    fn get(&self) -> &AtomicI64 {
        match self {
            Self::Cached(count) => count,
            Self::Other(count) => count,
        }
    }
}

impl Drop for Metered<'_> {
    fn drop(&mut self) {
        self.in_flight.get().fetch_sub(1, Ordering::Relaxed);
    }
}

impl CallMeters {
    /// The meters of a server of `methods` in protocol `system`.
    pub(crate) fn new(
        system: &'static str,
        methods: impl Iterator<Item = &'static MethodDescriptor>,
    ) -> Self {
        let mut methods: Vec<usize> = methods.map(address).collect();
        methods.sort_unstable();
        let ok = methods.iter().map(|_| OnceLock::new()).collect();
        Self {
            system,
            methods: methods.into_boxed_slice(),
            ok,
            in_flight: OnceLock::new(),
        }
    }

    /// Starts measuring a call received on `transport`.
    pub(crate) fn start(&self, transport: &'static str) -> Metered<'_> {
        let cached = self.in_flight.get_or_init(|| Cached {
            transport,
            series: in_flight(self.system, transport),
        });
        let in_flight = if std::ptr::eq(cached.transport, transport) {
            InFlight::Cached(&cached.series)
        } else {
            InFlight::Other(in_flight(self.system, transport))
        };
        in_flight.get().fetch_add(1, Ordering::Relaxed);
        Metered {
            started: clock::now(),
            transport,
            in_flight,
        }
    }

    /// Records the end of `metered` with its outcome.
    pub(crate) fn finish(
        &self,
        metered: Metered<'_>,
        out: &dyn OutProtocol,
        outcome: &CallOutcome,
    ) {
        let nanos = clock::nanos_since(metered.started);
        let transport = metered.transport;
        if let (Ok(_), Some(method)) = (&outcome.result, outcome.method) {
            if let Some(slot) = self.slot(method) {
                let cached = slot.get_or_init(|| Cached {
                    transport,
                    series: series(self.labels(transport, method_label(method), None)),
                });
                if std::ptr::eq(cached.transport, transport) {
                    cached.series.record(nanos);
                    return;
                }
            }
        }
        // A failure, or a transport other than the cached one.
        let method = outcome
            .method
            .map_or(Cow::Borrowed(OTHER_METHOD), method_label);
        let fault = outcome.result.as_ref().err();
        let status = fault.map(|fault| (out.status_code(fault), fault.code.clone()));
        series(self.labels(transport, method, status)).record(nanos);
    }

    fn slot(
        &self,
        method: &'static MethodDescriptor,
    ) -> Option<&OnceLock<Cached<AtomicHistogram>>> {
        let index = self.methods.binary_search(&address(method)).ok()?;
        self.ok.get(index)
    }

    /// The labels of a call of `method` on `transport`: successful when
    /// `fault` is `None`, else with its status code and fault code.
    fn labels(
        &self,
        transport: &'static str,
        method: Cow<'static, str>,
        fault: Option<(Cow<'static, str>, Cow<'static, str>)>,
    ) -> CallLabels {
        let (status, error_type) = match fault {
            None => (Cow::Borrowed(STATUS_OK), None),
            Some((status, code)) => (status, Some(code)),
        };
        CallLabels {
            system: self.system,
            method,
            transport,
            status,
            error_type,
        }
    }
}

/// `service/method`, the `rpc.method` of a served method.
fn method_label(method: &'static MethodDescriptor) -> Cow<'static, str> {
    Cow::Owned(format!("{}/{}", method.service, method.name))
}

fn address(method: &'static MethodDescriptor) -> usize {
    std::ptr::from_ref(method) as usize
}
