//! [`MethodContext`]: everything known about one call as it moves through the
//! pipeline, and [`RequestInfo`]: what the transport knew about the request
//! that carried it.
//!
//! One request may carry several calls (a JSON-RPC batch): each call gets its
//! own context, and they share one [`RequestInfo`].

mod extensions;
mod facts;
mod trace;

use std::cell::Cell;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;

pub use extensions::Extensions;
pub use facts::{Facts, Principal, TransportFacts};
pub use trace::{InvalidTraceParent, TraceParent};

use crate::application::Application;
use crate::method::{Args, MethodDescriptor, Reply};
use crate::{CarriedHeaders, Fault, Fingerprint, State};

/// A method name as a request carries it: names of up to 23 bytes are
/// stored inline, so decoding a call allocates nothing for its name.
pub type MethodName = smol_str::SmolStr;

/// A process-unique id for a request, for logs and correlation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

impl RequestId {
    /// The next id of this process: unique, increasing within a thread.
    pub fn next() -> Self {
        /// How many ids a thread takes from the shared counter at once.
        const BLOCK: u64 = 1024;
        static NEXT: AtomicU64 = AtomicU64::new(1);
        thread_local! {
            /// The rest of this thread's block: next id, end (exclusive).
            static TAKEN: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
        }
        // An atomic read-modify-write costs tens of cycles, more than the
        // rest of building a request: each thread takes a block of ids at
        // once and counts through it on its own.
        TAKEN.with(|taken| {
            let (mut next, mut end) = taken.get();
            if next == end {
                next = NEXT.fetch_add(BLOCK, Ordering::Relaxed);
                end = next + BLOCK;
            }
            taken.set((next + 1, end));
            Self(next)
        })
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a transport hands the pipeline: the bytes and the facts around them.
///
/// Built by the transport (stage 1 of the pipeline) and shared, read-only, by
/// every call of the request.
#[derive(Debug, Clone)]
pub struct RequestInfo {
    /// Process-unique id of this request.
    pub id: RequestId,
    /// The request bytes exactly as received.
    pub in_bytes: Bytes,
    /// Facts only this kind of transport knows (headers, delivery tag,
    /// task id), read by type with [`TransportFacts::get`].
    pub facts: TransportFacts,
    /// The method, when the transport itself names it (`POST /json/{method}`,
    /// a queue bound to one method). The body then holds only the parameters.
    pub method: Option<MethodName>,
    /// When the caller stops waiting; calls still running then are cut off.
    pub deadline: Option<Instant>,
    /// The W3C `traceparent` the caller sent, if valid.
    pub traceparent: Option<TraceParent>,
    /// Who the caller is, when the transport authenticated them.
    pub principal: Option<Principal>,
    /// The calling process's fingerprint, when it sent one (not
    /// authenticated: what the caller says it is).
    pub caller: Option<Arc<Fingerprint>>,
    /// The carried headers the caller sent (a signature, where the reply
    /// goes as a call), read by the transport.
    pub headers: CarriedHeaders,
}

impl RequestInfo {
    /// Request facts for `in_bytes` with the transport's `facts`
    /// ([`TransportFacts::NONE`] when it has none) and nothing else known.
    pub fn new(in_bytes: impl Into<Bytes>, facts: impl Into<TransportFacts>) -> Self {
        Self {
            id: RequestId::next(),
            in_bytes: in_bytes.into(),
            facts: facts.into(),
            method: None,
            deadline: None,
            traceparent: None,
            principal: None,
            caller: None,
            headers: CarriedHeaders::default(),
        }
    }

    /// Names the method (the body is then the bare parameters).
    #[must_use]
    pub fn with_method(mut self, method: impl Into<MethodName>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Sets the deadline.
    #[must_use]
    pub fn with_deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the caller's trace context.
    #[must_use]
    pub fn with_traceparent(mut self, traceparent: TraceParent) -> Self {
        self.traceparent = Some(traceparent);
        self
    }

    /// Sets the authenticated caller.
    #[must_use]
    pub fn with_principal(mut self, principal: Principal) -> Self {
        self.principal = Some(principal);
        self
    }

    /// Sets the carried headers.
    #[must_use]
    pub fn with_headers(mut self, headers: CarriedHeaders) -> Self {
        self.headers = headers;
        self
    }

    /// Sets the calling process's fingerprint.
    #[must_use]
    pub fn with_caller(mut self, caller: impl Into<Arc<Fingerprint>>) -> Self {
        self.caller = Some(caller.into());
        self
    }
}

/// One call located in the request bytes by
/// [`InProtocol::decompose_incoming_envelope`](crate::InProtocol::decompose_incoming_envelope).
///
/// Header and body are byte ranges into [`RequestInfo::in_bytes`], so
/// decomposing never copies a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingCall {
    /// The method name as the caller wrote it (stored inline when short).
    pub method: MethodName,
    /// The protocol's header part (a SOAP header), if any.
    pub header: Option<Range<usize>>,
    /// The parameters: a JSON object or array, a SOAP body element.
    /// `None` when the caller sent no parameters at all.
    pub body: Option<Range<usize>>,
    /// The caller's correlation id for this call (a JSON-RPC `id`), as the
    /// byte range of its raw protocol text in the request; echoed in the reply.
    pub id: Option<Range<usize>>,
    /// `false` for a notification: the call runs, nothing is sent back.
    pub expects_reply: bool,
    /// The caller's fingerprint as the message itself carries it (Postage's
    /// `fingerprint` dictionary), for protocols whose envelope says who sent
    /// it; `None` for the others. [`MethodContext::caller`] prefers it to
    /// the one the transport read ([`RequestInfo::caller`]).
    pub caller: Option<Arc<Fingerprint>>,
}

/// The request a context reads: lent by the driver, or shared by whoever
/// built the context with [`MethodContext::new`].
#[derive(Debug)]
enum Lent {
    Owned(Box<RequestInfo>),
    Shared(Arc<RequestInfo>),
}

impl std::ops::Deref for Lent {
    type Target = RequestInfo;

    fn deref(&self) -> &RequestInfo {
        match self {
            Self::Owned(request) => request,
            Self::Shared(request) => request,
        }
    }
}

/// Everything known about one call, from decoding to reply.
///
/// The driver fills it stage by stage; listeners and call wrappers read it.
/// Fields that the pipeline owns are read through accessors.
#[derive(Debug)]
pub struct MethodContext {
    app: Application,
    request: Lent,
    pub(crate) call: Option<IncomingCall>,
    pub(crate) descriptor: Option<&'static MethodDescriptor>,
    pub(crate) in_object: Option<Args>,
    pub(crate) out_object: Option<Reply>,
    // Boxed: rare, and the context lives in every request future.
    pub(crate) in_error: Option<Box<Fault>>,
    pub(crate) out_error: Option<Box<Fault>>,
    /// Free space for listeners, wrappers and functions to pass data along.
    pub user_data: Extensions,
}

impl MethodContext {
    /// A fresh context for one call of `request`.
    pub fn new(app: Application, request: Arc<RequestInfo>) -> Self {
        Self::with_request(app, Lent::Shared(request))
    }

    /// A context for one call of the driver's own request, handed back by
    /// [`into_request`](Self::into_request) when the call is done.
    pub(crate) fn lent(app: Application, request: Box<RequestInfo>) -> Self {
        Self::with_request(app, Lent::Owned(request))
    }

    fn with_request(app: Application, request: Lent) -> Self {
        Self {
            app,
            request,
            call: None,
            descriptor: None,
            in_object: None,
            out_object: None,
            in_error: None,
            out_error: None,
            user_data: Extensions::default(),
        }
    }

    /// Ends the call, handing its request back: the driver lends its
    /// request to each call's context in turn (the calls run one after the
    /// other), which needs no reference count and so no atomic operation.
    pub(crate) fn into_request(self) -> Box<RequestInfo> {
        match self.request {
            Lent::Owned(request) => request,
            Lent::Shared(request) => Box::new(Arc::unwrap_or_clone(request)),
        }
    }

    /// The application serving this call.
    pub fn app(&self) -> &Application {
        &self.app
    }

    /// The request that carried this call.
    pub fn request(&self) -> &RequestInfo {
        &self.request
    }

    /// The request bytes exactly as received.
    pub fn in_bytes(&self) -> &[u8] {
        &self.request.in_bytes
    }

    /// Transport facts (HTTP headers, AMQP delivery, queue task).
    pub fn transport(&self) -> &TransportFacts {
        &self.request.facts
    }

    /// The transport's facts, if they are of type `T` (`HttpFacts` from
    /// `switchboard-http`, `QueueFacts` from `switchboard-sqlite-queue`, ...).
    pub fn facts<T: Facts>(&self) -> Option<&T> {
        self.request.facts.get()
    }

    /// The authenticated caller, if any.
    pub fn principal(&self) -> Option<&Principal> {
        self.request.principal.as_ref()
    }

    /// The calling process's fingerprint: the one the message carries in
    /// its envelope when the protocol has one ([`IncomingCall::caller`],
    /// Postage's `fingerprint`), else the one its transport carried
    /// ([`RequestInfo::caller`]; switchboard's clients send theirs; see
    /// [`Fingerprint`]). What the caller says it is, not authenticated: for
    /// logs and routing, not for access decisions (use
    /// [`principal`](Self::principal)).
    pub fn caller(&self) -> Option<&Fingerprint> {
        self.call
            .as_ref()
            .and_then(|call| call.caller.as_deref())
            .or(self.request.caller.as_deref())
    }

    /// The call as located in the request, once decomposed.
    pub fn call(&self) -> Option<&IncomingCall> {
        self.call.as_ref()
    }

    /// The header bytes of this call, if the protocol has headers.
    pub fn in_header(&self) -> Option<&[u8]> {
        let range = self.call.as_ref()?.header.clone()?;
        self.request.in_bytes.get(range)
    }

    /// The body bytes (the parameters) of this call.
    pub fn in_body(&self) -> Option<&[u8]> {
        let range = self.call.as_ref()?.body.clone()?;
        self.request.in_bytes.get(range)
    }

    /// The method being called, once it is known.
    pub fn method(&self) -> Option<&'static MethodDescriptor> {
        self.descriptor
    }

    /// The decoded arguments, between deserialization and the call.
    pub fn in_object(&self) -> Option<&Args> {
        self.in_object.as_ref()
    }

    /// The function's return value, once it returned successfully.
    pub fn out_object(&self) -> Option<&Reply> {
        self.out_object.as_ref()
    }

    /// Why the request could not be turned into a call (decode, lookup,
    /// validation), if it could not.
    pub fn in_error(&self) -> Option<&Fault> {
        self.in_error.as_deref()
    }

    /// Why the call failed, if the function (or a wrapper) returned a fault.
    pub fn out_error(&self) -> Option<&Fault> {
        self.out_error.as_deref()
    }

    /// The shared state of type `T` given to the application builder.
    ///
    /// # Errors
    /// A `Server` fault if no such state was registered (the builder checks
    /// this for `State<T>` parameters, so it only happens for ad-hoc lookups).
    pub fn state<T: Send + Sync + 'static>(&self) -> Result<State<T>, Fault> {
        self.app.state::<T>()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn request_ids_are_unique_across_threads() {
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| (0..3000).map(|_| RequestId::next()).collect::<Vec<_>>())
            })
            .collect();
        let mut seen = HashSet::new();
        for thread in threads {
            let ids = thread.join().unwrap_or_default();
            assert!(
                ids.windows(2).all(|pair| pair[0] < pair[1]),
                "increasing per thread"
            );
            for id in ids {
                assert!(seen.insert(id), "{id} given twice");
            }
        }
        assert_eq!(seen.len(), 12_000);
    }
}
