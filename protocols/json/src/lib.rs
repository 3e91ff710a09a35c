//! The JSON protocols of switchboard: [`JsonRpc`] (JSON-RPC 2.0) and
//! [`JsonDocument`] (Spyne's JSON document shape).
//!
//! [`openrpc`] builds the OpenRPC document of an application and serves
//! it through `rpc.discover`.
//!
//! Both protocols parse without an intermediate `serde_json::Value`: params are
//! borrowed as raw text and decoded straight into the method's argument
//! struct. Before any parsing, the body must be UTF-8 and nest no deeper
//! than [`Limits::max_depth`](switchboard::Limits::max_depth).
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use switchboard::local::LocalClient;
//! use switchboard::{rpc, Application, Client, Server};
//! use switchboard_json::JsonRpc;
//!
//! /// Says hello.
//! #[rpc(service = "greeter")]
//! fn greet(name: String) -> String {
//!     format!("hello, {name}")
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! let app = Application::builder().services(["greeter"]).build()?;
//! let server = Server::new(app, JsonRpc);
//! let client = Client::new(Arc::new(LocalClient::direct(server)), Arc::new(JsonRpc));
//! let greeting = client.call(Greet { name: "Ada".into() }).await?;
//! assert_eq!(greeting, "hello, Ada");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod catalog;
mod document;
mod jsonrpc;
pub mod openrpc;
mod params;
mod text;

pub use document::JsonDocument;
pub use jsonrpc::{
    APPLICATION_ERROR, INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, JsonRpc, METHOD_NOT_FOUND,
    PARSE_ERROR,
};

/// The README's example, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
