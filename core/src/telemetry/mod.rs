//! Metrics: what the pipeline records about every call, and the pieces
//! transports share to record their own.
//!
//! switchboard records through the [`metrics`] facade, so each crate
//! records where the thing happens and no registry is threaded through
//! the code; whoever runs the process installs a recorder (the host
//! installs a Prometheus one, a user's binary may install any other). With
//! no recorder installed, every record is a no-op.
//!
//! The two series every call touches, [`CALL_DURATION`] and
//! [`IN_FLIGHT`], are the exception: the facade's histograms keep each
//! sample until a scrape (70 ns a call here), so the pipeline counts them
//! into fixed buckets itself (8 ns) and [`render()`] writes them in the
//! Prometheus text format, after the exporter's page.
//!
//! Names follow the OpenTelemetry semantic conventions for RPC (v1.44),
//! translated to Prometheus names (`rpc.server.call.duration` →
//! [`CALL_DURATION`]); what they do not cover is named `switchboard_…`.
//! Every label has a bounded set of values: a method the application does
//! not serve is [`OTHER_METHOD`], never the name a caller sent.

mod calls;
mod clock;
mod histogram;
mod rejection;
mod render;
mod scrape;

pub(crate) use calls::CallMeters;
pub use render::render;

/// Gives the recorder installed now the help text of the metrics that go
/// through it ([`REJECTED`]); a host calls it after installing its
/// recorder.
pub fn describe() {
    metrics::describe_counter!(
        REJECTED,
        "Requests refused before any method ran, by reason."
    );
}
pub use rejection::{Rejection, rejected};
pub use scrape::{ScrapeHook, on_scrape, run_scrape_hooks};

/// `rpc.server.call.duration`: a histogram of call durations in seconds,
/// labelled [`SYSTEM`], [`METHOD`], [`STATUS_CODE`], [`ERROR_TYPE`] (on
/// failures only) and [`TRANSPORT`].
pub const CALL_DURATION: &str = "rpc_server_call_duration_seconds";
/// Calls running now, labelled [`SYSTEM`] and [`TRANSPORT`].
pub const IN_FLIGHT: &str = "switchboard_rpc_in_flight";
/// Requests refused before any method ran, labelled `reason` (a
/// [`Rejection`]) and [`TRANSPORT`].
pub const REJECTED: &str = "switchboard_rpc_rejected_total";

/// `rpc.system.name`: the protocol (`jsonrpc`, `json`, `soap`).
pub const SYSTEM: &str = "rpc_system_name";
/// `rpc.method`: `service/method`, or [`OTHER_METHOD`].
pub const METHOD: &str = "rpc_method";
/// `rpc.response.status_code`: `OK`, or the protocol's code for the fault
/// (JSON-RPC's number, the fault code elsewhere).
pub const STATUS_CODE: &str = "rpc_response_status_code";
/// `error.type`: the fault code (`Client.Validation`), on failures only.
pub const ERROR_TYPE: &str = "error_type";
/// The transport that received the call (`http`, `amqp`, `sqlite`).
pub const TRANSPORT: &str = "transport";
/// Why a request was refused (see [`Rejection`]).
pub const REASON: &str = "reason";

/// The [`METHOD`] of every name the application does not serve, so that
/// a scanner sending random names cannot create label values.
pub const OTHER_METHOD: &str = "_OTHER";
/// The [`STATUS_CODE`] of a call that succeeded.
pub const STATUS_OK: &str = "OK";

/// The bucket boundaries of every duration histogram, in seconds:
/// OpenTelemetry's (5 ms to 10 s) with finer ones below 5 ms, since a call
/// served from memory takes tens of microseconds.
pub const DURATION_BUCKETS: &[f64] = &[
    0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
    0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];
