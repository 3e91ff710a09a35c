//! The transport traits: where requests come from ([`ServerTransport`]) and
//! how a client sends them ([`ClientTransport`]). Transports move bytes and
//! facts; they never parse a body.

use std::future::Future;
use std::time::Instant;

use async_trait::async_trait;
use bytes::Bytes;

use crate::CarriedHeaders;
use crate::protocol::BoxError;
use crate::server::Server;

/// Why a transport could not deliver a request or a reply.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The peer or broker could not be reached (after the transport's own
    /// retries).
    #[error("connection failed")]
    Connect(#[source] BoxError),
    /// The connection broke while a request was in flight.
    #[error("i/o failed")]
    Io(#[source] BoxError),
    /// No reply came before the deadline.
    #[error("no reply before the deadline")]
    Timeout,
    /// The other side is gone for good (server shut down, queue closed).
    #[error("transport closed")]
    Closed,
    /// The call expects a reply and this transport carries none (a queue):
    /// refused before anything was sent. Send it one-way instead
    /// ([`Client::send_one_way`](crate::Client::send_one_way)).
    #[error("`{method}` expects a reply, and this transport carries none; send it one-way")]
    NoReplies {
        /// The method called.
        method: String,
    },
    /// The peer answered in a way this transport does not accept
    /// (an unexpected HTTP status, a reply without a body).
    #[error("unexpected response: {0}")]
    Unexpected(String),
}

/// A source of requests that runs them through a [`Server`] and delivers the
/// replies: an HTTP listener, an AMQP queue, a polled SQLite table.
///
/// # Contract
///
/// - `serve` retries transient failures itself (with backoff) and returns
///   `Err` only when it gives up.
/// - When `shutdown` completes, it stops taking new requests, lets those in
///   flight finish, and returns `Ok(())`.
/// - One-way transports (queues) log or record a reply instead of sending it.
pub trait ServerTransport: Send + 'static {
    /// Serves requests until `shutdown` completes.
    fn serve<F>(
        self,
        server: Server,
        shutdown: F,
    ) -> impl Future<Output = Result<(), TransportError>> + Send
    where
        F: Future<Output = ()> + Send + 'static;
}

/// One request as a client transport sends it.
#[derive(Debug, Clone)]
pub struct OutgoingRequest {
    /// The method's wire name (HTTP paths and queue routing may use it).
    pub method: String,
    /// The encoded request.
    pub body: Vec<u8>,
    /// The media type of `body`.
    pub content_type: &'static str,
    /// The name of the protocol `body` is in (`jsonrpc`, `json`): the media
    /// type alone does not tell the two JSON protocols apart.
    pub protocol: &'static str,
    /// Whether no reply is expected.
    pub one_way: bool,
    /// When the caller stops waiting.
    pub deadline: Option<Instant>,
    /// Headers every transport carries beside the body (a signature,
    /// where the reply goes as a call); empty for most requests.
    pub headers: CarriedHeaders,
}

/// A reply as a client transport received it: the bytes, and what the
/// transport saw of it, for error messages.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReceivedReply {
    /// The encoded reply.
    pub body: Bytes,
    /// What the transport saw of the reply (`HTTP 400 Bad Request`), which
    /// [`Client`](crate::Client) shows when the body does not decode.
    pub context: Option<String>,
}

impl ReceivedReply {
    /// A reply the transport has nothing to say about.
    pub fn new(body: Bytes) -> Self {
        Self {
            body,
            context: None,
        }
    }

    /// Adds what the transport saw of the reply.
    #[must_use]
    pub fn with_context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }
}

/// What a transport knows about a one-way request it accepted: the id it
/// filed the request under, where it has one.
///
/// A receipt says the request was accepted (inserted, confirmed by the
/// broker), never that it ran: nothing comes back from a one-way call.
///
/// ```
/// use switchboard::Receipt;
///
/// // A queue files each task under its row id.
/// let receipt = Receipt::with_id("42");
/// assert_eq!(receipt.id(), Some("42"));
/// // A transport that files nothing under an id (HTTP) says so.
/// assert_eq!(Receipt::default().id(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Receipt {
    /// The request's id at the transport, as text: the SQLite queue's task
    /// id in decimal, the AMQP message id. `None` when the transport files
    /// requests under no id of its own.
    pub id: Option<String>,
}

impl Receipt {
    /// A receipt for a request the transport filed under `id`.
    pub fn with_id(id: impl Into<String>) -> Self {
        Self {
            id: Some(id.into()),
        }
    }

    /// The id the transport filed the request under, if it has one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

/// Sends encoded requests and returns encoded replies.
///
/// Picked at run time (a flag chooses HTTP or AMQP), hence `async_trait`.
///
/// # Contract
///
/// - `send` returns `Ok(None)` for one-way requests once the transport has
///   accepted them (written, published with confirm, inserted).
/// - [`send_one_way`](Self::send_one_way) accepts the same way and returns
///   what the transport knows of the request ([`Receipt`]); the
///   [`Client`](crate::Client) sends every one-way request through it.
/// - A transport whose [`carries_replies`](Self::carries_replies) is
///   `false` is only sent one-way requests.
/// - `send` gives up at `deadline` with [`TransportError::Timeout`].
/// - Retrying is the transport's choice and is documented on it; a request
///   is retried only where doing it twice is safe for that transport.
#[async_trait]
pub trait ClientTransport: Send + Sync + 'static {
    /// Whether requests carry the method name outside the body (an HTTP path,
    /// a routing key), so protocols may send the bare parameters.
    fn names_method(&self) -> bool {
        false
    }

    /// Whether the transport brings replies back (HTTP, AMQP RPC). One-way
    /// transports (queues) return `false`, and [`Client`](crate::Client)
    /// refuses a call that expects a reply before sending anything, so a
    /// caller that retries on error never enqueues the call twice.
    fn carries_replies(&self) -> bool {
        true
    }

    /// Sends one request.
    async fn send(&self, request: OutgoingRequest) -> Result<Option<Bytes>, TransportError>;

    /// Sends one request, as [`send`](Self::send), and says what the
    /// transport saw of the reply ([`ReceivedReply::context`]). The
    /// [`Client`](crate::Client) calls this one. The default calls `send`
    /// and has nothing to add; transports with more to say (an HTTP
    /// status) override both.
    async fn exchange(
        &self,
        request: OutgoingRequest,
    ) -> Result<Option<ReceivedReply>, TransportError> {
        Ok(self.send(request).await?.map(ReceivedReply::new))
    }

    /// Sends one one-way request (`request.one_way` is set) and returns
    /// once the transport has accepted it, as [`send`](Self::send) does,
    /// with what the transport knows of it: the id it filed it under, if
    /// any. The [`Client`](crate::Client) calls this for one-way requests.
    ///
    /// The default calls `send` and returns an empty [`Receipt`];
    /// transports that file requests under an id (a queue's task id, a
    /// message id) override it to return that id. An `Err` means the same
    /// as from `send`: the request may not have been accepted.
    async fn send_one_way(&self, request: OutgoingRequest) -> Result<Receipt, TransportError> {
        self.send(request).await?;
        Ok(Receipt::default())
    }
}

const _: Option<&dyn ClientTransport> = None;

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A transport that only implements `send`, recording what it got.
    #[derive(Debug, Default)]
    struct Recording {
        sent: Mutex<Vec<OutgoingRequest>>,
    }

    #[async_trait]
    impl ClientTransport for Recording {
        async fn send(&self, request: OutgoingRequest) -> Result<Option<Bytes>, TransportError> {
            let mut sent = self.sent.lock().map_err(|_| TransportError::Closed)?;
            sent.push(request);
            Ok(None)
        }
    }

    fn notification() -> OutgoingRequest {
        OutgoingRequest {
            method: "sleep".to_owned(),
            body: br#"{"seconds":0}"#.to_vec(),
            content_type: "application/json",
            protocol: "json",
            one_way: true,
            deadline: None,
            headers: CarriedHeaders::default(),
        }
    }

    #[tokio::test]
    async fn send_one_way_defaults_to_send_and_an_empty_receipt() -> Result<(), TransportError> {
        let transport = Recording::default();
        let receipt = transport.send_one_way(notification()).await?;
        assert_eq!(receipt, Receipt::default());
        assert_eq!(receipt.id(), None);
        let sent = transport.sent.lock().map_err(|_| TransportError::Closed)?;
        let methods: Vec<_> = sent
            .iter()
            .map(|r| (r.method.as_str(), r.one_way))
            .collect();
        assert_eq!(methods, [("sleep", true)], "sent once, through `send`");
        Ok(())
    }

    #[test]
    fn a_receipt_with_an_id_reads_it_back() {
        let receipt = Receipt::with_id(7.to_string());
        assert_eq!(receipt.id(), Some("7"));
        assert_eq!(receipt.id, Some("7".to_owned()));
        assert_ne!(receipt, Receipt::default());
    }
}
