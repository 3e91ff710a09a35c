//! The AMQP 0-9-1 (RabbitMQ) transport of switchboard, on lapin and Tokio.
//!
//! - [`AmqpServer`] (a [`ServerTransport`](switchboard::ServerTransport))
//!   consumes queues with manual acks and a prefetch, reads each message in
//!   the protocol its `content_type` names (by a `protocol=` tag, else by
//!   media type, so one queue may carry both JSON protocols), publishes
//!   replies to `reply_to`
//!   with the caller's `correlation_id`, dead-letters what cannot run, and
//!   reconnects by itself.
//! - [`AmqpClient`] (a [`ClientTransport`](switchboard::ClientTransport))
//!   calls over direct reply-to with many calls in flight on one channel,
//!   and publishes one-way calls with publisher confirms; with
//!   [`ReplyMode::PerCall`], over a reply queue per call, for servers that
//!   answer without the request's correlation id (Postage's).
//! - [`Producer`] sends as Postage's `GenericProducer`: one-way messages
//!   to every (exchange, key) of a list, RPCs with a timeout and retries.
//!
//! # Example
//!
//! Runs against the broker at `AMQP_ADDR` (default the local RabbitMQ):
//!
//! ```
//! use std::sync::Arc;
//! use switchboard::{Application, Client, Server, ServerTransport};
//! use switchboard_amqp::{AmqpClient, AmqpServer, Binding, ClientOptions, ConnectionSettings};
//! use switchboard_amqp::{QueueSpec, ServerOptions};
//! use switchboard_json::JsonRpc;
//! use switchboard_demo as _; // links the `demo` service
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let url = std::env::var("AMQP_ADDR").unwrap_or_else(|_| "amqp://127.0.0.1:5672/%2f".into());
//! let settings = ConnectionSettings::new(url);
//! let queue = format!("doc-demo-{}", std::process::id());
//! let app = Application::builder().services(["demo"]).build()?;
//! let options = ServerOptions::new(Binding::work_queue(QueueSpec::new(&queue).auto_delete(true)));
//! let server = AmqpServer::new(settings.clone(), options);
//! server.declare().await?;
//! let serving = tokio::spawn(server.serve(Server::new(app, JsonRpc), std::future::pending()));
//!
//! let transport = AmqpClient::connect(settings, ClientOptions::to_queue(&queue)).await?;
//! let client = Client::new(Arc::new(transport), Arc::new(JsonRpc));
//! let sum: f64 = client.call_named("sum", &serde_json::json!({"a": 1, "b": 2}), None).await?;
//! assert_eq!(sum, 3.0);
//! serving.abort();
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//!
//! - [`settings`]: URL, credentials, vhost, TLS, the connection's name and fingerprint.
//! - [`topology`]: exchanges, queues and bindings, declared with exactly the given arguments.
//! - [`delivery`]: the delivery models (work queue, broadcast, topic), in one table.
//! - [`server`]: [`AmqpServer`], its options and its failure handling.
//! - [`client`]: [`AmqpClient`] and its options.
//! - [`producer`]: [`Producer`], Postage's producer rules (`eks`, `_key`,
//!   `_eks`, `_timeout`, `_max_retry`) in any client protocol.
//! - [`catalog`]: the transport catalog's entry: `amqp://` to serve, send,
//!   or carry a message bus (queues, and fanout exchanges as topics).
//! - [`metrics`]: the names of what the transport counts per broker link
//!   (deliveries, publishes, confirms, returns, dead letters, reconnects,
//!   late replies), and their labels.

mod backoff;
mod bus;
pub mod catalog;
mod error;
mod facts;
mod fingerprint;

pub mod client;
pub mod delivery;
pub mod metrics;
pub mod producer;
pub mod server;
pub mod settings;
pub mod topology;

pub use backoff::{Backoff, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF};
pub use client::{AmqpClient, ClientOptions, ReplyMode};
pub use delivery::{Binding, DeliveryModel};
pub use error::AmqpError;
pub use facts::AmqpFacts;
pub use fingerprint::FINGERPRINT_HEADER;
pub use producer::{Producer, Route, RpcOptions};
pub use server::{AmqpServer, DeadLetter, ServerOptions};
pub use settings::{ConnectionSettings, TlsSettings};
pub use topology::{BindingSpec, ExchangeSpec, QueueSpec, Topology};
