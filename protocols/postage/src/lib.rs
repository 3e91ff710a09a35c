//! [Postage](https://github.com/lgiordani/postage)'s message dictionary as
//! a switchboard protocol, so Python components written with Postage (or
//! with pika and plain dictionaries) call switchboard methods and answer
//! switchboard callers.
//!
//! A `command` message named `NAME` calls method `NAME` with
//! `content.parameters` as its arguments; `category: "rpc"` is answered
//! with a `result` message (success, error or exception), `category:
//! "message"` runs one-way. The sender's `fingerprint` reaches the method
//! as [`MethodContext::caller`](switchboard::MethodContext::caller).
//! Before any parsing the body must be UTF-8 and nest no deeper than
//! [`Limits::max_depth`](switchboard::Limits::max_depth); the parameters
//! are borrowed as raw text and decoded straight into the method's
//! arguments, as the JSON protocols do.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use switchboard::local::LocalClient;
//! use switchboard::{rpc, Application, Client, MethodContext, Server};
//! use switchboard_postage::Postage;
//!
//! /// Says hello to the caller, by its fingerprint's name.
//! #[rpc(service = "greeter")]
//! fn greet(ctx: &MethodContext, greeting: String) -> String {
//!     let who = ctx.caller().map_or("stranger", |caller| caller.name.as_str());
//!     format!("{greeting}, {who}")
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! let app = Application::builder().services(["greeter"]).build()?;
//! let server = Server::new(app, Postage::new());
//! let me = switchboard::Fingerprint::new("echo_send", "application", "1.0");
//! let postage = Postage::new().with_fingerprint(&me);
//! let client = Client::new(Arc::new(LocalClient::direct(server)), Arc::new(postage));
//! let answer = client.call(Greet { greeting: "hello".into() }).await?;
//! assert_eq!(answer, "hello, echo_send");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Layout
//!
//! - [`wire`]: the message's keys and values, as Postage writes them.
//! - `request`: a `command` message into one call (the parameters table).
//! - `response`: the `result` message (the outcome table).
//! - `client`: commands out, results in (the fault table).
//! - `catalog`: the `postage` catalog entry.

mod catalog;
mod client;
mod protocol;
mod request;
mod response;
mod text;
pub mod wire;

pub use protocol::{MEDIA_TYPE, Postage};
pub use wire::TIMEOUT_ERROR;
