//! The test kit of switchboard, kept out of the `switchboard` crate as
//! `tower-test` is kept out of `tower`: conformance suites where one call
//! proves that a protocol or a transport keeps the contract every other one
//! keeps (as Spyne's shared protocol suite does), the benchmark harness the
//! pipeline benches share, and helpers for interop tests. Add it as a
//! dev-dependency.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//!
//! use switchboard_json::JsonRpc;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! switchboard_testing::protocol_suite(JsonRpc, Arc::new(JsonRpc))
//!     .await
//!     .unwrap_or_else(|failure| panic!("{failure}"));
//! # }
//! ```
//!
//! The suites run against the `demo` service (`echo`, `sum`, `subtract`,
//! `fail`, `sleep`), which this crate links (`switchboard-demo`), with a
//! call wrapper that adds the misbehaviour the suites need: an `echo` whose
//! argument starts with [`PANIC`] panics, one starting with [`SLOW`] takes
//! [`SLOW_FOR`] before answering.
//!
//! Every check runs, and the result lists each failed check by name:
//!
//! ```text
//! 2 of 9 conformance checks failed:
//!   - unknown method: expected a `Client.UnknownMethod` fault, got Ok("...")
//!   - panic: ...
//! ```
//!
//! # Layout
//!
//! - [`protocol_suite`]: a protocol's server side, driven through its own
//!   [`ClientProtocol`](switchboard::ClientProtocol) over the loopback transport;
//! - [`transport_suite`]: a client transport and a server transport,
//!   started by a [`TransportHarness`] the transport's tests provide;
//! - [`catalog_suite`]: the transport suite for every linked entry of the
//!   transport catalog, each bound and reached through a [`CatalogHarness`];
//! - [`bus_suite`]: a transport's message bus, opened by address;
//! - [`python_venv`]: a Python virtual environment with interop clients
//!   (pika, document validators), made once and reused;
//! - [`bench`](mod@bench): the alternating-rounds harness the pipeline benches share;
//! - [`rabbitmq`]: a private RabbitMQ node (its own name, ports and
//!   directory) for tests that stop or reconfigure a broker.

pub mod bench;
mod bus;
mod catalog;
mod fixture;
mod protocol;
pub mod rabbitmq;
mod transport;
mod venv;

use std::fmt;
use std::time::Duration;

pub use bus::bus_suite;
pub use catalog::{CatalogHarness, catalog_suite};
pub use fixture::{PANIC, SLOW};
pub use protocol::protocol_suite;
pub use transport::{Shutdown, Started, TransportHarness, TransportKind, transport_suite};
pub use venv::python_venv;

/// How long an `echo` of a [`SLOW`] string takes.
pub const SLOW_FOR: Duration = Duration::from_millis(400);

/// The checks of a suite that failed, by name, with what was seen.
#[derive(Debug, Default)]
pub struct SuiteFailure {
    /// How many checks ran.
    pub ran: usize,
    /// `(check, what went wrong)` for each failed check.
    pub failed: Vec<(&'static str, String)>,
}

impl SuiteFailure {
    /// Whether the check named `check` failed.
    pub fn failed(&self, check: &str) -> bool {
        self.failed.iter().any(|(name, _)| *name == check)
    }
}

impl fmt::Display for SuiteFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} conformance checks failed:",
            self.failed.len(),
            self.ran
        )?;
        for (check, why) in &self.failed {
            write!(f, "\n  - {check}: {why}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SuiteFailure {}

/// Collects check results.
#[derive(Debug, Default)]
struct Checks(SuiteFailure);

impl Checks {
    fn record(&mut self, check: &'static str, result: Result<(), String>) {
        self.0.ran += 1;
        if let Err(why) = result {
            tracing::warn!(check, why, "conformance check failed");
            self.0.failed.push((check, why));
        }
    }

    /// The demo application served in `protocols`, with what it records;
    /// `None` (and a failed `setup` check) when it does not build.
    fn server(
        &mut self,
        protocols: impl Into<switchboard::Protocols>,
    ) -> Option<(switchboard::Server, std::sync::Arc<fixture::Record>)> {
        match fixture::application() {
            Ok((app, record)) => Some((switchboard::Server::new(app, protocols), record)),
            Err(why) => {
                self.record("setup", Err(why));
                None
            }
        }
    }

    fn finish(self) -> Result<(), SuiteFailure> {
        if self.0.failed.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// `Ok` if `ok`, else `Err` with `why`.
fn ensure(ok: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(why()) }
}
