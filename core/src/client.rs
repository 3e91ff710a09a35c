//! [`Client`]: typed calls over any client transport and protocol.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::method::Method;
use crate::protocol::{ClientProtocol, OutgoingCall, ProtocolError};
use crate::signing::Signer;
use crate::then::Then;
use crate::transport::{ClientTransport, OutgoingRequest, Receipt, ReceivedReply, TransportError};
use crate::{CarriedHeaders, Fault, SIGNATURE_HEADER, THEN_HEADER};

/// Why a client call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// The server answered with a fault.
    #[error("the server answered with a fault: {0}")]
    Fault(Fault),
    /// The request or reply could not be moved.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The request could not be encoded or the reply decoded.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
}

impl CallError {
    /// The server's fault, if that is what this is.
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            Self::Fault(fault) => Some(fault),
            _ => None,
        }
    }
}

impl From<Fault> for CallError {
    fn from(fault: Fault) -> Self {
        Self::Fault(fault)
    }
}

/// Calls methods over a transport in a protocol.
///
/// Cheap to clone; clones share the transport (and its connections).
#[derive(Clone)]
pub struct Client {
    transport: Arc<dyn ClientTransport>,
    protocol: Arc<dyn ClientProtocol>,
    timeout: Option<Duration>,
    next_id: Arc<AtomicU64>,
    signer: Option<Signer>,
}

impl Client {
    /// A client sending through `transport` in `protocol`.
    pub fn new(transport: Arc<dyn ClientTransport>, protocol: Arc<dyn ClientProtocol>) -> Self {
        Self {
            transport,
            protocol,
            timeout: None,
            next_id: Arc::new(AtomicU64::new(1)),
            signer: None,
        }
    }

    /// Gives up on every call after `timeout` (default: no limit).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Signs every request with `signer` (see [`signing`](crate::signing)),
    /// for services that require signed calls.
    #[must_use]
    pub fn with_signer(mut self, signer: Signer) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Calls a method through its typed call struct, waiting for the reply.
    /// One-way methods return as soon as the transport accepted the request.
    ///
    /// # Errors
    /// [`CallError::Fault`] with the server's fault, or a transport or
    /// protocol error.
    pub async fn call<M: Method>(&self, call: M) -> Result<M::Output, CallError> {
        self.call_with_deadline(call, self.deadline()).await
    }

    /// As [`call`](Self::call), with this call's own deadline.
    ///
    /// # Errors
    /// As for [`call`](Self::call); [`TransportError::Timeout`] past the deadline.
    pub async fn call_with_deadline<M: Method>(
        &self,
        call: M,
        deadline: Option<Instant>,
    ) -> Result<M::Output, CallError> {
        if M::ONE_WAY {
            self.notify_named(M::NAME, &call, deadline).await?;
            // `#[rpc]` only accepts `()` as the return type of one-way methods.
            let unit = serde::de::value::UnitDeserializer::<serde::de::value::Error>::new();
            return M::Output::deserialize(unit).map_err(|err| {
                ProtocolError::UnexpectedReply(format!("one-way method with a result: {err}"))
                    .into()
            });
        }
        self.call_named(M::NAME, &call, deadline).await
    }

    /// Sends a call one-way, whatever the method returns: the transport
    /// accepts it (a queue inserts it, a broker confirms it) and nothing is
    /// awaited. The way to put any method on a queue. Returns the
    /// transport's [`Receipt`]: the id it filed the call under, if it has
    /// one (a queue's task id).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use switchboard::{rpc, Application, Client, Server};
    /// # use switchboard::local::LocalClient;
    /// /// Stores a book and returns its id.
    /// #[rpc(service = "shelf")]
    /// fn add_book(title: String) -> u64 {
    ///     title.len() as u64
    /// }
    /// # async fn demo(client: Client) -> Result<(), switchboard::CallError> {
    /// // Over a queue producer, `client.call(AddBook { .. })` is refused
    /// // before anything is written; this enqueues it:
    /// let receipt = client.send_one_way(AddBook { title: "Dune".into() }).await?;
    /// if let Some(task) = receipt.id() {
    ///     println!("enqueued as task {task}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// A transport or protocol error; the call's own faults are never seen.
    pub async fn send_one_way<M: Method>(&self, call: M) -> Result<Receipt, CallError> {
        self.notify_named(M::NAME, &call, self.deadline()).await
    }

    /// Sends a call whose reply comes back later as a call of a method of
    /// the caller's own service ([`Then`]), and returns once the transport
    /// accepted it (a broker confirmed it, a queue inserted it; over HTTP,
    /// once the serving side ran the call and delivered the reply). The
    /// reply, a result or a fault, arrives where `then` says, so it waits
    /// there while the caller is down.
    ///
    /// ```
    /// # use switchboard::{rpc, Client, Fault, Then};
    /// /// Makes the thumbnail of a page.
    /// #[rpc(service = "thumbs")]
    /// fn thumbnail(page: u64) -> Vec<u8> {
    ///     vec![0; page as usize]
    /// }
    ///
    /// /// Receives thumbnails.
    /// #[rpc(service = "web")]
    /// fn on_thumbnail(reply: Result<Vec<u8>, Fault>, data: u64) {}
    ///
    /// # async fn demo(client: Client) -> Result<(), switchboard::CallError> {
    /// let then = Then::method_of::<OnThumbnail>()
    ///     .at("amqp://broker:5672/%2f?queue=web")
    ///     .with_data(7.into());
    /// client.call_then(Thumbnail { page: 7 }, then).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`ProtocolError::InvalidRequest`] for a `then` that names no method
    /// or no usable address (checked before anything is sent), else a
    /// transport or protocol error. The call's own faults come to the
    /// handler.
    pub async fn call_then<M: Method>(&self, call: M, then: Then) -> Result<Receipt, CallError> {
        self.call_then_named(M::NAME, &call, then).await
    }

    /// As [`call_then`](Self::call_then), by method name with any
    /// serializable parameters.
    ///
    /// # Errors
    /// As for [`call_then`](Self::call_then).
    pub async fn call_then_named(
        &self,
        method: &str,
        params: &(dyn erased_serde::Serialize + Sync),
        then: Then,
    ) -> Result<Receipt, CallError> {
        then.check()
            .map_err(|refused| ProtocolError::InvalidRequest(refused.to_string()))?;
        let header = then.to_header();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let deadline = self.deadline();
        let mut request = self.request_with(method, params, Some(id), deadline, Some(header))?;
        // Sent as a call (with an id, so it has a result), delivered as a
        // one-way message: nothing comes back on this link.
        request.one_way = true;
        Ok(within(deadline, self.transport.send_one_way(request)).await?)
    }

    /// Calls a method by name with any serializable parameters (a map or a
    /// list), decoding the result as `T`. For callers without the typed
    /// call structs, such as a command-line client.
    ///
    /// # Errors
    /// As for [`call`](Self::call).
    pub async fn call_named<T: DeserializeOwned>(
        &self,
        method: &str,
        params: &(dyn erased_serde::Serialize + Sync),
        deadline: Option<Instant>,
    ) -> Result<T, CallError> {
        if !self.transport.carries_replies() {
            return Err(TransportError::NoReplies {
                method: method.to_owned(),
            }
            .into());
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let request = self.request(method, params, Some(id), deadline)?;
        let reply = within(deadline, self.transport.exchange(request)).await?;
        let Some(reply) = reply else {
            // Acknowledged without a result (a one-way method called by
            // name, over SOAP): fine for a caller expecting nothing.
            let unit = serde::de::value::UnitDeserializer::<serde::de::value::Error>::new();
            return T::deserialize(unit).map_err(|_| {
                TransportError::Unexpected("no reply to a call that expects one".to_owned()).into()
            });
        };
        let mut value = None;
        let outcome = self
            .protocol
            .decode_reply(&reply.body, &mut |de| {
                value = Some(erased_serde::deserialize::<T>(de)?);
                Ok(())
            })
            .map_err(|err| explained(err, &reply))?;
        outcome?;
        value.ok_or_else(|| {
            explained(
                ProtocolError::UnexpectedReply("the reply carried no result".to_owned()),
                &reply,
            )
            .into()
        })
    }

    /// Sends a one-way call (a JSON-RPC notification) through the
    /// transport's [`send_one_way`](ClientTransport::send_one_way): no
    /// reply is awaited, and the transport's [`Receipt`] is returned.
    ///
    /// # Errors
    /// A transport or protocol error; faults of the call are never seen.
    pub async fn notify_named(
        &self,
        method: &str,
        params: &(dyn erased_serde::Serialize + Sync),
        deadline: Option<Instant>,
    ) -> Result<Receipt, CallError> {
        let request = self.request(method, params, None, deadline)?;
        Ok(within(deadline, self.transport.send_one_way(request)).await?)
    }

    /// Encodes a call as the transport sends it; `id: None` makes it one-way.
    fn request(
        &self,
        method: &str,
        params: &(dyn erased_serde::Serialize + Sync),
        id: Option<u64>,
        deadline: Option<Instant>,
    ) -> Result<OutgoingRequest, ProtocolError> {
        self.request_with(method, params, id, deadline, None)
    }

    /// As [`request`](Self::request), carrying the reply directive `then`
    /// (a [`THEN_HEADER`] value), which the signature covers.
    fn request_with(
        &self,
        method: &str,
        params: &(dyn erased_serde::Serialize + Sync),
        id: Option<u64>,
        deadline: Option<Instant>,
        then: Option<String>,
    ) -> Result<OutgoingRequest, ProtocolError> {
        let body = self.protocol.encode_call(OutgoingCall {
            method,
            params,
            id,
            method_in_transport: self.transport.names_method(),
        })?;
        let mut headers = CarriedHeaders::default();
        if let Some(signer) = &self.signer {
            headers.set(
                SIGNATURE_HEADER,
                signer.sign_call(method, then.as_deref(), &body),
            );
        }
        if let Some(then) = then {
            headers.set(THEN_HEADER, then);
        }
        Ok(OutgoingRequest {
            method: method.to_owned(),
            body,
            content_type: self.protocol.content_type(),
            protocol: self.protocol.name(),
            one_way: id.is_none(),
            deadline,
            headers,
        })
    }

    fn deadline(&self) -> Option<Instant> {
        self.timeout.map(|timeout| Instant::now() + timeout)
    }
}

/// Runs a transport's send, giving up at `deadline` with
/// [`TransportError::Timeout`]: the transport is asked to give up there
/// too, but the caller's deadline must hold whatever it does.
async fn within<T>(
    deadline: Option<Instant>,
    send: impl Future<Output = Result<T, TransportError>>,
) -> Result<T, TransportError> {
    match deadline {
        Some(deadline) => tokio::time::timeout_at(deadline.into(), send)
            .await
            .map_err(|_| TransportError::Timeout)?,
        None => send.await,
    }
}

/// How many bytes of a reply that does not decode an error shows.
const EXCERPT_BYTES: usize = 200;

/// A reply that does not decode, explained with what the transport saw (an
/// HTTP status) and the first bytes of the body: a client pointed at the
/// wrong endpoint sees the server's own answer, not only why it did not
/// fit.
fn explained(err: ProtocolError, reply: &ReceivedReply) -> ProtocolError {
    let ProtocolError::UnexpectedReply(why) = err else {
        return err;
    };
    let body = &reply.body[..reply.body.len().min(EXCERPT_BYTES)];
    let more = if reply.body.len() > EXCERPT_BYTES {
        "…"
    } else {
        ""
    };
    let body = String::from_utf8_lossy(body);
    let seen = match &reply.context {
        Some(context) => format!("{context}, "),
        None => String::new(),
    };
    ProtocolError::UnexpectedReply(format!("{why} ({seen}body: {body}{more})"))
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("timeout", &self.timeout)
            .field("signed", &self.signer.is_some())
            .finish_non_exhaustive()
    }
}
