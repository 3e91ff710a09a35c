//! The library half of the `switchboard` command: what it can host and
//! speak, and how it hosts it, so that tests and benchmarks build the very
//! server the binary runs.
//!
//! # Example
//!
//! ```
//! use switchboard_cli::catalog::{PROTOCOLS, SERVICES};
//! use switchboard_cli::hosting;
//! use switchboard_http::HttpConfig;
//!
//! let dir = tempfile::tempdir()?;
//! // Every service in every protocol, as `switchboard serve` mounts them.
//! let app = hosting::application(SERVICES, &dir.path().join("state.db"))?;
//! let server = hosting::http_server(app, PROTOCOLS, HttpConfig::default())?;
//! assert!(server.endpoints().iter().any(|path| path == "/jsonrpc"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Layout
//!
//! - [`catalog`]: every protocol, service and transport, picked by name:
//!   the one list each command reads.
//! - [`hosting`]: the application and the HTTP server built from the
//!   catalog's entries, and the transports serving side by side.

pub mod catalog;
pub mod hosting;

/// The guide's examples, compiled and run as doc tests here, where every
/// transport and protocol is a dependency.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/guide.md")]
pub struct GuideDoctests;
