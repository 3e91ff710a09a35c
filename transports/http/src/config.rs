//! [`HttpConfig`]: limits, timeouts, auth and links of the HTTP server.
//!
//! | setting | default | what happens past it |
//! |---|---|---|
//! | `max_body_bytes` | 1 MiB | `413 Payload Too Large`, with the protocol's error body |
//! | `max_header_bytes` | 64 KiB (at least 8 KiB) | the connection is closed (hyper answers `431`) |
//! | `request_timeout` | 30 s | `408` while the body is still arriving; `504` if the call runs past it |
//! | `header_timeout` | 10 s | the connection is closed |
//! | `max_concurrent_requests` | 1024 | further requests wait for a slot |
//! | `shutdown_grace` | 30 s | connections still open after it are dropped |
//!
//! [`FaultStatuses`] says which status a fault reply gets: by default the
//! out protocol decides (a JSON-RPC error response is a response: `200`; a
//! JSON document fault gets the fault's status); `Always` maps every fault
//! to its status. Refusals made before the protocol runs (`401`, `408`,
//! `413`, `415`, `404`, `405`) keep their status either way.

use std::time::Duration;

use switchboard::catalog::{Draining, MetricsPage, Readiness};

/// Who may call the server.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// Anyone.
    #[default]
    None,
    /// Callers sending `Authorization: Bearer <token>`.
    Bearer {
        /// The expected token.
        token: String,
    },
    /// Callers sending `Authorization: Basic` with these credentials.
    Basic {
        /// The user name (also the principal's name).
        user: String,
        /// The password.
        password: String,
    },
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets.
        match self {
            Self::None => f.write_str("None"),
            Self::Bearer { .. } => f.write_str("Bearer { token: <redacted> }"),
            Self::Basic { user, .. } => {
                write!(f, "Basic {{ user: {user:?}, password: <redacted> }}")
            }
        }
    }
}

/// Which HTTP status a reply that carries a fault gets.
///
/// Either way, a batch's faults stay inside its `200` body, and refusals
/// made before the protocol runs (wrong credentials `401`, a body too large
/// `413` or too slow `408`, a wrong media type `415`, no such path `404`, a
/// verb the path does not take `405`) keep their status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultStatuses {
    /// The out protocol decides
    /// ([`OutProtocol::faults_are_replies`](switchboard::OutProtocol::faults_are_replies)):
    /// a JSON-RPC error response is answered `200`, as most JSON-RPC
    /// servers and clients expect; a JSON document fault gets the fault's
    /// status (`Client.NotFound` 404, ...); a SOAP fault gets 500, as SOAP
    /// 1.1 over HTTP requires
    /// ([`OutProtocol::faults_fail_uniformly`](switchboard::OutProtocol::faults_fail_uniformly)).
    #[default]
    ProtocolDecides,
    /// Every fault gets its status, whatever the protocol (`Client.Validation`
    /// 400, `Client.NotFound` 404, `Server` 500, ...), JSON-RPC included.
    Always,
}

/// Settings of an [`HttpServer`](crate::HttpServer). All limits are finite.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Largest request head (request line and headers), in bytes.
    pub max_header_bytes: usize,
    /// Time allowed for a whole request: receiving the body and running it.
    pub request_timeout: Duration,
    /// Time allowed for a client to send the request head.
    pub header_timeout: Duration,
    /// Requests served at once; further requests wait.
    pub max_concurrent_requests: usize,
    /// How long a graceful shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
    /// Who may call (`/healthz`, `/readyz` and `/metrics` are always open).
    pub auth: Auth,
    /// The public base URL (`https://maps.example.com`) for links the
    /// server prints (`Location` headers); relative links when `None`.
    pub public_url: Option<String>,
    /// Which status a fault reply gets.
    pub fault_statuses: FaultStatuses,
    /// On while the process drains: new calls are answered `503 Service
    /// Unavailable` with `Retry-After`, calls already running finish.
    pub draining: Draining,
    /// The process's readiness, answered on `GET /readyz`: the server
    /// adds a probe for its own listener.
    pub readiness: Readiness,
    /// The process's metrics, answered on `GET /metrics`; not routed
    /// when `None`.
    pub metrics: Option<MetricsPage>,
}

impl HttpConfig {
    /// Default body limit: 1 MiB.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
    /// Default request head limit: 64 KiB.
    pub const DEFAULT_MAX_HEADER_BYTES: usize = 64 * 1024;
    /// The smallest head limit the HTTP parser accepts.
    pub const MIN_HEADER_BYTES: usize = 8 * 1024;
    /// Default time for a whole request: 30 s.
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
    /// Default time to receive a request head: 10 s.
    pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default number of requests served at once.
    pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 1024;
    /// Default grace period of a shutdown: 30 s.
    pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

    /// Sets the body limit.
    #[must_use]
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Sets the request timeout.
    #[must_use]
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets who may call.
    #[must_use]
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Sets the public base URL for links.
    #[must_use]
    pub fn with_public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// Sets which status a fault reply gets.
    #[must_use]
    pub fn with_fault_statuses(mut self, statuses: FaultStatuses) -> Self {
        self.fault_statuses = statuses;
        self
    }

    /// Refuses new calls while `draining` is on (a host's switch).
    #[must_use]
    pub fn with_draining(mut self, draining: Draining) -> Self {
        self.draining = draining;
        self
    }

    /// Answers `GET /readyz` from `readiness` (shared with the process's
    /// other transports).
    #[must_use]
    pub fn with_readiness(mut self, readiness: Readiness) -> Self {
        self.readiness = readiness;
        self
    }

    /// Serves `page` on `GET /metrics`.
    #[must_use]
    pub fn with_metrics(mut self, page: MetricsPage) -> Self {
        self.metrics = Some(page);
        self
    }

    /// Sets how many requests are served at once.
    #[must_use]
    pub fn with_max_concurrent_requests(mut self, max: usize) -> Self {
        self.max_concurrent_requests = max.max(1);
        self
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
            max_header_bytes: Self::DEFAULT_MAX_HEADER_BYTES,
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            header_timeout: Self::DEFAULT_HEADER_TIMEOUT,
            max_concurrent_requests: Self::DEFAULT_MAX_CONCURRENT_REQUESTS,
            shutdown_grace: Self::DEFAULT_SHUTDOWN_GRACE,
            auth: Auth::None,
            public_url: None,
            fault_statuses: FaultStatuses::ProtocolDecides,
            draining: Draining::default(),
            readiness: Readiness::default(),
            metrics: None,
        }
    }
}
