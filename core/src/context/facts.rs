//! Transport facts: what each kind of transport knows about a request.

use std::net::SocketAddr;

/// Facts that only the transport that received a request knows.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum TransportFacts {
    /// The in-process loopback transport: nothing to add.
    #[default]
    Local,
    /// An HTTP request (boxed: its headers would triple the size of every
    /// other transport's requests).
    Http(Box<HttpFacts>),
    /// An AMQP delivery.
    Amqp(AmqpFacts),
    /// A task read from a database queue.
    Queue(QueueFacts),
}

/// What an HTTP transport knows about a request.
///
/// The `http` crate's types are used as they come from the server, so
/// recording the facts copies nothing.
#[derive(Debug, Clone, Default)]
pub struct HttpFacts {
    /// The request method (`POST`, `GET`, ...).
    pub method: http::Method,
    /// The request URI (path and query).
    pub uri: http::Uri,
    /// The request headers.
    pub headers: http::HeaderMap,
    /// The peer's address, when known.
    pub peer: Option<SocketAddr>,
}

impl HttpFacts {
    /// The first value of header `name` (case-insensitive), if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }
}

/// What an AMQP transport knows about a delivery.
#[derive(Debug, Clone, Default)]
pub struct AmqpFacts {
    /// The broker's delivery tag on this channel.
    pub delivery_tag: u64,
    /// The exchange the message was published to (empty: the default exchange).
    pub exchange: String,
    /// The routing key it was published with.
    pub routing_key: String,
    /// Where the reply goes, for RPC calls.
    pub reply_to: Option<String>,
    /// The caller's correlation id, echoed on the reply.
    pub correlation_id: Option<String>,
    /// Whether the broker delivered this message before.
    pub redelivered: bool,
}

/// What a database queue consumer knows about a task.
#[derive(Debug, Clone, Default)]
pub struct QueueFacts {
    /// The consumer's worker id.
    pub worker_id: String,
    /// The task's id in the queue table.
    pub task_id: i64,
    /// How many times this task was delivered before (0 on first delivery).
    pub attempt: u32,
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user or client name.
    pub name: String,
    /// How they authenticated (`bearer`, `basic`, `tls`).
    pub scheme: &'static str,
}
