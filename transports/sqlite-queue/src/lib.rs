//! The SQLite fan-out queue transport of switchboard: rpclib's DB-backed
//! queue, over one WAL file, with nothing to install.
//!
//! A [`QueueProducer`] (a [`ClientTransport`](switchboard::ClientTransport))
//! inserts serialized calls; each [`QueueConsumer`] (a
//! [`ServerTransport`](switchboard::ServerTransport)) reads the tasks after
//! its checkpoint, runs them through the pipeline, records failures and
//! advances its checkpoint in one transaction. Every consumer sees every
//! task; consumers that share a group name share the tasks instead.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use switchboard::{Application, Server};
//! use switchboard_json::JsonDocument;
//! use switchboard_sqlite_queue::{ConsumerOptions, QueueConsumer, QueueOptions, QueueProducer};
//! use switchboard_demo as _; // links the `demo` service
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("queue.db");
//! let producer = QueueProducer::open(&path, QueueOptions::default())?;
//! producer.enqueue("echo", "application/json", br#"{"s":"hi"}"#.to_vec(), None).await?;
//!
//! let app = Application::builder().services(["demo"]).build()?;
//! let server = Server::new(app, JsonDocument);
//! let consumer = QueueConsumer::open(&path, "worker-1", ConsumerOptions::default())?;
//! // Returns once the consumer has passed the task (`run` would wait for more).
//! consumer.run_until_idle(server, std::future::pending()).await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//!
//! - [`producer`]: [`QueueProducer`], single and batch enqueue.
//! - [`consumer`]: [`QueueConsumer`], fan-out consumers and group members.
//! - [`admin`]: [`QueueAdmin`], status, failures, retry, garbage collection.
//! - [`catalog`]: the transport catalog's entry: `sqlite:FILE` to serve,
//!   send, or carry a message bus.
//! - [`options`]: durability, busy budget, polling, checkpoints, failure policy.
//! - [`schema`]: the tables and their migrations.
//! - [`telemetry`]: the metrics every process attached to a queue exports
//!   (depth, lag per consumer and group, pickup latency), and readiness.

mod bus;
pub mod catalog;
mod content_type;
mod db;
mod error;
mod facts;
mod local;

pub mod admin;
pub mod consumer;
pub mod options;
pub mod producer;
pub mod schema;
pub mod telemetry;

pub use admin::{ConsumerStatus, FailureRecord, GroupStatus, QueueAdmin, QueueStatus};
pub use consumer::QueueConsumer;
pub use content_type::tagged as task_content_type;
pub use error::QueueError;
pub use facts::QueueFacts;
pub use options::{ConsumerOptions, Durability, FailurePolicy, QueueOptions};
pub use producer::{NewTask, QueueProducer};
