//! The protocol traits: bytes to calls ([`InProtocol`]), results to bytes
//! ([`OutProtocol`]), and the client's side of both ([`ClientProtocol`]).
//!
//! Protocols are pure, shared and synchronous: they never do I/O. They are
//! object safe, so a transport holds `Arc<dyn InProtocol>` picked at run time.
//! Input and output are separate traits, so a service can read one format and
//! answer in another.
//!
//! Which protocol reads a message, from its content type
//! ([`pick_protocol`], [`protocol_tag`]), is here too: transports that
//! carry several protocols share it.

mod content_type;
pub mod json_text;

use std::any::Any;
use std::fmt;

use crate::context::{IncomingCall, RequestInfo};
use crate::fault::code;
use crate::limits::Limits;
use crate::method::{Args, MethodDescriptor, Reply};
use crate::{Fault, MethodContext};

/// A list of calls or outcomes: one inline (the common, unbatched case
/// allocates nothing), more on the heap.
pub type Calls<T> = smallvec::SmallVec<[T; 1]>;

pub use smallvec::smallvec as calls;

pub use content_type::{pick_protocol, protocol_tag, same_media_type, tagged_content_type};

/// A type-erased error from a parser or serializer.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a request could not be decoded or a reply encoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The bytes are not valid for this wire format at all.
    #[error("malformed request body")]
    Malformed(#[source] BoxError),
    /// The bytes parse, but do not form a valid request.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The request names a method that is not served.
    #[error("unknown method `{0}`")]
    UnknownMethod(String),
    /// The parameters do not fit the method.
    #[error("invalid params: {0}")]
    InvalidParams(String),
    /// A limit was exceeded.
    #[error("{what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// What was too big (`"nesting depth"`, `"batch length"`).
        what: &'static str,
        /// The configured limit.
        limit: usize,
    },
    /// A reply could not be encoded.
    #[error("could not encode the reply")]
    Encode(#[source] BoxError),
    /// A reply from a server could not be understood (client side).
    #[error("unexpected reply: {0}")]
    UnexpectedReply(String),
}

impl From<ProtocolError> for Fault {
    fn from(err: ProtocolError) -> Self {
        match err {
            ProtocolError::Malformed(source) => {
                Fault::new(code::MALFORMED, format!("malformed request: {source}"))
            }
            ProtocolError::InvalidRequest(why) => Fault::new(code::INVALID_REQUEST, why),
            ProtocolError::UnknownMethod(name) => {
                Fault::new(code::UNKNOWN_METHOD, format!("unknown method `{name}`"))
            }
            ProtocolError::InvalidParams(why) => Fault::new(code::INVALID_PARAMS, why),
            err @ ProtocolError::LimitExceeded { .. } => {
                Fault::new(code::LIMIT_EXCEEDED, err.to_string())
            }
            ProtocolError::Encode(source) => {
                tracing::error!(error = %source, "reply could not be encoded");
                Fault::server("internal error: the reply could not be encoded")
            }
            ProtocolError::UnexpectedReply(why) => {
                Fault::server(format!("unexpected reply: {why}"))
            }
        }
    }
}

/// A protocol's parsed form of a request (stage 2 output). Only the protocol
/// that made it can read it.
pub struct InDocument(Box<dyn Any + Send>);

impl InDocument {
    /// Wraps a protocol's document.
    pub fn new<T: Send + 'static>(doc: T) -> Self {
        Self(Box::new(doc))
    }

    /// Whether it is a `T` (for protocols with more than one document type).
    pub fn is<T: 'static>(&self) -> bool {
        self.0.is::<T>()
    }

    /// Unwraps it as `T`.
    ///
    /// # Errors
    /// [`ProtocolError::Malformed`] if it is not a `T` (a document from
    /// another protocol: a wiring bug).
    pub fn downcast<T: 'static>(self) -> Result<T, ProtocolError> {
        self.0
            .downcast()
            .map(|boxed| *boxed)
            .map_err(|_| ProtocolError::Malformed("document of another protocol".into()))
    }
}

impl fmt::Debug for InDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InDocument(..)")
    }
}

/// The calls found in a request (stage 3 output).
#[derive(Debug, Default)]
pub struct Envelope {
    /// One entry per call; an entry that is not a valid call is an error
    /// answered in its place (JSON-RPC batch members are independent).
    pub calls: Calls<Result<IncomingCall, Fault>>,
    /// Whether the request was a batch (answered as a list, even of one).
    pub batch: bool,
}

/// The result of one call, as handed to the out protocol.
#[derive(Debug)]
pub struct CallOutcome {
    /// The caller's correlation id, as a byte range of the request
    /// ([`IncomingCall::id`]).
    pub id: Option<std::ops::Range<usize>>,
    /// The method called, for protocols whose reply depends on it (SOAP
    /// names its response after it, and sends none for a one-way method);
    /// `None` when no method was found.
    pub method: Option<&'static crate::MethodDescriptor>,
    /// `false` for notifications: the out protocol writes nothing for them.
    pub expects_reply: bool,
    /// What the function returned, or the fault.
    pub result: Result<Reply, Fault>,
}

/// Every outcome of one request (stage 6 input).
#[derive(Debug)]
pub struct Replies {
    /// Whether the request was a batch.
    pub batch: bool,
    /// One per call, in request order.
    pub outcomes: Calls<CallOutcome>,
}

/// A protocol's form of a reply (stage 6 output).
///
/// Text protocols whose document already is the reply's bytes use
/// [`OutDocument::bytes`], which costs no allocation.
pub struct OutDocument(OutRepr);

enum OutRepr {
    Bytes(Option<Vec<u8>>),
    Any(Box<dyn Any + Send>),
}

impl OutDocument {
    /// Wraps a protocol's document.
    pub fn new<T: Send + 'static>(doc: T) -> Self {
        Self(OutRepr::Any(Box::new(doc)))
    }

    /// A document that is the final bytes (`None`: nothing to send).
    pub fn bytes(bytes: Option<Vec<u8>>) -> Self {
        Self(OutRepr::Bytes(bytes))
    }

    /// Unwraps a document made by [`OutDocument::bytes`].
    ///
    /// # Errors
    /// [`ProtocolError::Encode`] if it was made otherwise.
    pub fn into_bytes(self) -> Result<Option<Vec<u8>>, ProtocolError> {
        match self.0 {
            OutRepr::Bytes(bytes) => Ok(bytes),
            OutRepr::Any(_) => Err(ProtocolError::Encode("document of another protocol".into())),
        }
    }

    /// Unwraps a document made by [`OutDocument::new`] as `T`.
    ///
    /// # Errors
    /// [`ProtocolError::Encode`] if it is not a `T`.
    pub fn downcast<T: 'static>(self) -> Result<T, ProtocolError> {
        let wrong = || ProtocolError::Encode("document of another protocol".into());
        match self.0 {
            OutRepr::Any(any) => any.downcast().map(|boxed| *boxed).map_err(|_| wrong()),
            OutRepr::Bytes(_) => Err(wrong()),
        }
    }
}

impl fmt::Debug for OutDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OutDocument(..)")
    }
}

/// Decodes requests of one wire format (JSON-RPC 2.0, JSON document, SOAP).
///
/// # Contract
///
/// - Stages run in order, once per request: [`create_in_document`],
///   [`decompose_incoming_envelope`], then [`deserialize`] once per call.
/// - No stage panics on any input; limits in [`Limits`] are enforced before
///   any value is built from the bytes.
/// - An `Err` from the first two stages fails the whole request; an `Err`
///   entry in [`Envelope::calls`] or from `deserialize` fails one call.
///
/// [`create_in_document`]: InProtocol::create_in_document
/// [`decompose_incoming_envelope`]: InProtocol::decompose_incoming_envelope
/// [`deserialize`]: InProtocol::deserialize
pub trait InProtocol: Send + Sync + 'static {
    /// A short name (`"jsonrpc"`, `"json"`, `"soap11"`), for config and logs.
    fn name(&self) -> &'static str;

    /// The media type this protocol reads (`application/json`).
    fn content_type(&self) -> &'static str;

    /// Whether this protocol reads a body whose content type is
    /// `content_type` (a `Content-Type` header's value, parameters and
    /// all). Transports that check media types (HTTP answers `415` to a
    /// body no protocol there reads) ask this rather than comparing with
    /// [`content_type`](InProtocol::content_type) themselves.
    ///
    /// By default, when its media type is [`content_type`]'s, parameters
    /// aside. A protocol that reads more overrides it: SOAP 1.1 also reads
    /// SOAP 1.2's `application/soap+xml`, to answer it with a version
    /// mismatch a SOAP 1.2 client understands.
    ///
    /// [`content_type`]: InProtocol::content_type
    fn reads_media_type(&self, content_type: &str) -> bool {
        same_media_type(content_type, self.content_type())
    }

    /// Whether the format has a bare-params form, so a transport may name the
    /// method itself ([`RequestInfo::method`]) and send only the parameters
    /// (`POST /json/{method}`, a queue bound to one method).
    fn accepts_named_method(&self) -> bool {
        false
    }

    /// Stage 2: parses the bytes into the protocol's document.
    ///
    /// # Errors
    /// [`ProtocolError::Malformed`] or [`ProtocolError::LimitExceeded`].
    fn create_in_document(
        &self,
        request: &RequestInfo,
        limits: &Limits,
    ) -> Result<InDocument, ProtocolError>;

    /// Stage 3: finds the calls (method, header, body) in the document.
    /// When [`RequestInfo::method`] is set and the format has a bare-params
    /// form (the JSON document), the whole body is that method's parameters;
    /// formats that always name the method in the body (JSON-RPC) ignore it.
    ///
    /// # Errors
    /// [`ProtocolError::InvalidRequest`] if the document is no request at all.
    fn decompose_incoming_envelope(
        &self,
        request: &RequestInfo,
        doc: InDocument,
        limits: &Limits,
    ) -> Result<Envelope, ProtocolError>;

    /// Stage 4: decodes the call's body ([`MethodContext::in_body`]) into the
    /// method's typed arguments, through [`MethodDescriptor::deserialize`].
    ///
    /// # Errors
    /// [`ProtocolError::InvalidParams`] if the body does not fit the method.
    fn deserialize(
        &self,
        ctx: &MethodContext,
        method: &MethodDescriptor,
    ) -> Result<Args, ProtocolError>;

    /// Stage 4's fast path: the call's parameters as JSON text, for formats
    /// whose [`deserialize`](InProtocol::deserialize) is exactly
    /// [`MethodDescriptor::deserialize_json`] on that text with its error
    /// answered as [`ProtocolError::InvalidParams`]. The pipeline then
    /// decodes, checks and runs the call in one step
    /// ([`MethodDescriptor::invoke_json`]) when no listener observes it and
    /// no call wrapper wraps it, which saves boxing the arguments.
    ///
    /// `None` (the default): the pipeline always calls `deserialize`.
    fn json_params<'c>(&self, ctx: &'c MethodContext) -> Option<&'c [u8]> {
        let _ = ctx;
        None
    }
}

/// Encodes replies in one wire format.
///
/// # Contract
///
/// - [`serialize`](OutProtocol::serialize) is called once per request with
///   every outcome, in request order; it encodes faults like results, and
///   answers a value that fails to encode with a `Server` fault in its place.
/// - [`create_out_string`](OutProtocol::create_out_string) returns `None`
///   when nothing is to be sent back (only notifications).
pub trait OutProtocol: Send + Sync + 'static {
    /// A short name, as for [`InProtocol::name`].
    fn name(&self) -> &'static str;

    /// The status code a call answered with `fault` reports in metrics
    /// (`rpc.response.status_code`): the code the protocol puts on the wire
    /// for it. The fault code by default; JSON-RPC gives its number.
    fn status_code(&self, fault: &Fault) -> std::borrow::Cow<'static, str> {
        fault.code.clone()
    }

    /// The media type of the replies.
    fn content_type(&self) -> &'static str;

    /// Whether a reply that carries a fault is still a successful exchange
    /// at the protocol's level: a JSON-RPC response with an `error` member
    /// is a response like any other, which clients read whatever the
    /// transport says. Transports that have statuses of their own (HTTP)
    /// then answer it as a success and keep failure statuses for their own
    /// refusals (wrong credentials, a body too large).
    ///
    /// `false` (the default): a fault reply is the call's failure (the
    /// JSON document's `{"faultcode": …}`), and such transports signal it
    /// in their status too, from [`Response::fault`](crate::Response::fault).
    fn faults_are_replies(&self) -> bool {
        false
    }

    /// Whether a transport with statuses of its own signals every fault
    /// reply with one generic failure status (HTTP 500), whatever its code,
    /// rather than a status per code (404 for `Client.NotFound`, ...):
    /// SOAP 1.1 over HTTP requires 500 for every fault. The fault's code
    /// is still in the reply. Only read when
    /// [`faults_are_replies`](OutProtocol::faults_are_replies) is `false`;
    /// refusals a transport makes before the pipeline (a body too large,
    /// wrong credentials) keep their own statuses.
    fn faults_fail_uniformly(&self) -> bool {
        false
    }

    /// Whether a transport with statuses of its own signals a reply left
    /// empty (a one-way method done, a request of notifications only) as
    /// accepted (HTTP `202 Accepted`) rather than as nothing to say (`204
    /// No Content`): SOAP 1.1 clients take a one-way operation's empty
    /// `202` as its acknowledgement (WS-I Basic Profile), JSON-RPC clients
    /// expect `204` for notifications.
    fn empty_reply_is_acceptance(&self) -> bool {
        false
    }

    /// Stage 6: turns the outcomes into the protocol's document.
    ///
    /// # Errors
    /// [`ProtocolError::Encode`] if the document cannot be built.
    fn serialize(
        &self,
        request: &RequestInfo,
        replies: Replies,
    ) -> Result<OutDocument, ProtocolError>;

    /// Stage 7: the bytes to send, if any.
    ///
    /// # Errors
    /// [`ProtocolError::Encode`] if the bytes cannot be produced.
    fn create_out_string(&self, doc: OutDocument) -> Result<Option<Vec<u8>>, ProtocolError>;
}

/// One call as a client sends it.
#[derive(Clone, Copy)]
pub struct OutgoingCall<'a> {
    /// The method's wire name.
    pub method: &'a str,
    /// The arguments (the call struct `#[rpc]` generated, or any map).
    pub params: &'a (dyn erased_serde::Serialize + Sync),
    /// The correlation id to use; `None` for a one-way call (no reply).
    pub id: Option<u64>,
    /// Whether the transport names the method itself (then the body is the
    /// bare parameters, for protocols that allow it).
    pub method_in_transport: bool,
}

impl fmt::Debug for OutgoingCall<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingCall")
            .field("method", &self.method)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Receives a reply's result value through any protocol's deserializer.
pub type ReplySink<'s> =
    dyn FnMut(&mut dyn erased_serde::Deserializer<'_>) -> Result<(), erased_serde::Error> + 's;

/// The client side of a protocol: encodes calls, decodes replies.
pub trait ClientProtocol: Send + Sync + 'static {
    /// The protocol's name (`jsonrpc`, `json`): the same as its
    /// [`InProtocol::name`], so a transport that stores requests (a queue)
    /// can tell a consumer reading another protocol what it was sent.
    fn name(&self) -> &'static str;

    /// The media type of requests.
    fn content_type(&self) -> &'static str;

    /// Encodes one call.
    ///
    /// # Errors
    /// [`ProtocolError::Encode`] if the parameters cannot be encoded.
    fn encode_call(&self, call: OutgoingCall<'_>) -> Result<Vec<u8>, ProtocolError>;

    /// Decodes a reply: hands the result value to `sink`, or returns the
    /// server's fault as `Ok(Err(fault))`.
    ///
    /// # Errors
    /// [`ProtocolError::UnexpectedReply`] if the bytes are not a reply.
    fn decode_reply(
        &self,
        bytes: &[u8],
        sink: &mut ReplySink<'_>,
    ) -> Result<Result<(), Fault>, ProtocolError>;
}

const _: Option<&dyn InProtocol> = None;
const _: Option<&dyn OutProtocol> = None;
const _: Option<&dyn ClientProtocol> = None;
