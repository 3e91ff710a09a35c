//! The core of switchboard, a pluggable RPC framework: write a service once,
//! as plain Rust functions marked [`rpc`], and serve it over any transport in
//! any protocol, picked at startup.
//!
//! This crate holds the contracts and the pipeline; protocols
//! (`switchboard-json`, ...) and transports (`switchboard-http`, ...) live in
//! their own crates, and so do the conformance suites they run
//! (`switchboard-testing`).
//!
//! # Example
//!
//! ```
//! use switchboard::{rpc, Application, Fault};
//!
//! /// Adds two numbers.
//! #[rpc(service = "calc")]
//! fn add(a: i64, b: i64) -> i64 {
//!     a + b
//! }
//!
//! /// Divides, refusing zero.
//! #[rpc(service = "calc")]
//! async fn divide(a: f64, b: f64) -> Result<f64, Fault> {
//!     if b == 0.0 {
//!         return Err(Fault::validation("cannot divide by zero"));
//!     }
//!     Ok(a / b)
//! }
//!
//! let app = Application::builder().services(["calc"]).build()?;
//! let names: Vec<_> = app.methods().map(|m| m.name).collect();
//! assert_eq!(names, ["add", "divide"]);
//! assert_eq!(app.method("add").unwrap().params[1].name, "b");
//! # Ok::<(), switchboard::BuildError>(())
//! ```
//!
//! # Layout
//!
//! - [`Application`]: the served methods, state, limits, listeners.
//! - [`catalog`]: every linked protocol and transport, picked by name or
//!   address.
//! - [`Server`]: the shared pipeline driver transports call.
//! - [`MethodContext`]: one call's state through the pipeline.
//! - [`protocol`]: bytes to calls and back; never does I/O.
//! - [`transport`]: where bytes come from and go to; never parses a body.
//! - [`Client`]: typed calls over any client transport and protocol.
//! - [`local`]: the in-process loopback transport.
//! - [`method`]: what `#[rpc]` registers for each method (descriptors,
//!   arguments, replies).
//! - [`signing`]: signed calls (a shared secret, never sent).
//! - [`validate`]: declared constraints, checked before a function runs.

mod application;
mod carried;
mod client;
mod context;
mod created;
mod events;
mod fault;
mod fingerprint;
mod limits;
mod registry;
mod server;
mod state;

pub mod catalog;
pub mod interface;
pub mod local;
pub mod method;
pub mod protocol;
pub mod signing;
pub mod telemetry;
pub mod then;
pub mod transport;
pub mod validate;

#[doc(hidden)]
pub mod codegen;

pub use application::{Application, ApplicationBuilder, BuildError};
pub use async_trait::async_trait;
pub use carried::{CARRIED, CarriedHeaders, MAX_CARRIED_LEN, SIGNATURE_HEADER, THEN_HEADER};
pub use client::{CallError, Client};
pub use context::{
    Extensions, Facts, IncomingCall, InvalidTraceParent, MethodContext, MethodName, Principal,
    RequestId, RequestInfo, TraceParent, TransportFacts,
};
pub use events::{CallWrapper, Event, EventListener, Events, Next};
pub use fault::{Fault, code};
pub use fingerprint::{FINGERPRINT_HEADER, Fingerprint, MAX_FINGERPRINT_LEN};
pub use limits::Limits;
pub use method::{Args, Method, MethodDescriptor, ParamDescriptor, Reply};
pub use protocol::{ClientProtocol, InProtocol, OutProtocol, ProtocolError};
pub use registry::{registered, services};
pub use server::{CALL_SPAN_NAME, CALL_SPAN_TARGET, Protocols, Response, Server};
pub use state::State;
pub use switchboard_macros::{Validate, rpc};
pub use then::{Then, ThenReplies};
pub use transport::{
    ClientTransport, OutgoingRequest, Receipt, ReceivedReply, ServerTransport, TransportError,
};
pub use validate::Validate;
