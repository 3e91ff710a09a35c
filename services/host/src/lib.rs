//! Host your own switchboard services: one [`Host`] gives your binary the
//! commands the `switchboard` binary has (`serve`, `consume`, `call`,
//! `enqueue`, `queue`, `interface`), under its own name, variables
//! (`NAME_*`, `.env`), banner, document titles and WSDL namespace, and
//! serves every transport linked into it, picked by address
//! (`serve --on http://127.0.0.1:8080 --on amqp://…?queue=q --on sqlite:q.db?worker=w1`).
//!
//! ```no_run
//! // In your service's crate: #[rpc(service = "parcels")] fn track(...) ...
//! #[tokio::main]
//! async fn main() -> std::process::ExitCode {
//!     switchboard_host::Host::new("parcels", env!("CARGO_PKG_VERSION"))
//!         .namespace("urn:example:parcels")
//!         .run()
//!         .await
//! }
//! ```
//!
//! Only what the binary links is served: the `#[rpc]` services of the
//! crates it links, the protocols of `switchboard-json`,
//! `switchboard-soap` and `switchboard-postage`, the transports of
//! `switchboard-http`, `switchboard-amqp` and `switchboard-sqlite-queue`, and any other
//! protocol or transport crate linked beside them (see
//! [`switchboard::catalog`]).
//!
//! # Layout
//!
//! - [`Host`]: the builder and [`Host::run`].
//! - [`components`]: fingerprints, heartbeats, the status list and the
//!   control commands every hosted process takes part in.
//! - [`catalog`]: the services, protocols and interface documents, picked
//!   by name.
//! - [`hosting`]: the pieces one by one, for people who bring their own
//!   `clap`: the application, the HTTP server, documents, serving several
//!   transports until one shutdown.
//! - [`tools`]: what a host's own extra commands reuse: the error type and
//!   its exit statuses, duration parsers, the shutdown signal, clients.

pub mod catalog;
mod cli;
pub mod components;
mod host;
pub mod hosting;
pub mod telemetry;
pub mod tools;

pub use host::{Companion, Host, HostInfo, ServeHook, ToolCommand};

/// Makes sure the transports this crate promises are linked, so their
/// catalog entries are registered even when nothing else names them.
mod linked {
    use switchboard_amqp as _;
    use switchboard_http as _;
    use switchboard_json as _;
    use switchboard_postage as _;
    use switchboard_soap as _;
    use switchboard_sqlite_queue as _;
}
