//! [`Server`]: the shared driver every server transport calls with bytes and
//! transport facts, getting bytes back. No transport re-implements the
//! pipeline; this is rpclib's `get_in_object` / `get_out_object` /
//! `get_out_string`.

mod call;
mod catch_unwind;
mod protocols;
mod signed;
mod span;

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use tracing::Instrument;

use crate::context::{IncomingCall, RequestInfo};
use crate::events::{Event, Events};
use crate::method::MethodDescriptor;
use crate::protocol::{
    CallOutcome, Calls, Envelope, InProtocol, OutProtocol, ProtocolError, Replies, calls,
};
use crate::telemetry::{self, CallMeters, Rejection};
use crate::then::{Then, ThenRefused, ThenReplies};
use crate::{Application, Fault, THEN_HEADER};

use signed::SignedRead;
use span::call_span;

pub use protocols::Protocols;
pub use span::{CALL_SPAN_NAME, CALL_SPAN_TARGET};

/// What the pipeline produced for one request.
#[derive(Debug)]
pub struct Response {
    /// The bytes to send back; `None` when nothing is to be sent
    /// (notifications, one-way calls).
    pub body: Option<Vec<u8>>,
    /// The media type of `body`.
    pub content_type: &'static str,
    /// The first fault among the calls, for transports that map faults to
    /// a status (HTTP) when the out protocol's faults are not replies of
    /// their own ([`OutProtocol::faults_are_replies`]); `None` when every
    /// call succeeded.
    pub fault: Option<Fault>,
    /// Whether the request was a batch (its faults are per call, inside the
    /// body; a transport should not turn the first one into a status).
    pub batch: bool,
    /// The first fault among all the calls, notifications included: for
    /// transports that record failures instead of answering them (queues),
    /// so that a failed one-way call is never lost.
    pub any_fault: Option<Fault>,
    /// The served method the request called, when it made one call of a
    /// method the application serves (`None` for a batch, an unknown
    /// method, a request that could not be read): for the transport's own
    /// log lines after the call, such as a retry or a dead letter.
    pub method: Option<&'static MethodDescriptor>,
    /// Whether the request was refused as a whole before any method ran:
    /// by the transport ([`Server::refuse`]), or because its signature
    /// did not hold ([`ApplicationBuilder::signatures`](crate::ApplicationBuilder::signatures)).
    /// Transports that sort failures (AMQP's dead letters) treat it as a
    /// bad request, never as a method's own answer.
    pub refused: bool,
}

/// An application with the protocols it is served in.
///
/// Cheap to clone; transports clone it into every connection or task.
#[derive(Clone)]
pub struct Server {
    app: Application,
    in_protocol: Arc<dyn InProtocol>,
    out_protocol: Arc<dyn OutProtocol>,
    /// `None` when the application is not metered.
    meters: Option<Arc<CallMeters>>,
}

impl Server {
    /// Serves `app` in `protocols`: one protocol that both reads the
    /// requests and writes the replies (the usual case), or an input and an
    /// output protocol (see [`Protocols`]).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use switchboard::{Application, InProtocol, OutProtocol, Server};
    /// # fn demo<P: InProtocol + OutProtocol + Clone>(app: Application, protocol: P) {
    /// let server = Server::new(app.clone(), protocol.clone());
    /// assert_eq!(server.in_protocol().name(), server.out_protocol().name());
    /// // Picked at run time, as trait objects:
    /// let (input, output): (Arc<dyn InProtocol>, Arc<dyn OutProtocol>) =
    ///     (Arc::new(protocol.clone()), Arc::new(protocol));
    /// let server = Server::new(app, (input, output));
    /// # }
    /// ```
    pub fn new(app: Application, protocols: impl Into<Protocols>) -> Self {
        let Protocols { input, output } = protocols.into();
        let meters = app
            .metered()
            .then(|| Arc::new(CallMeters::new(input.name(), app.methods())));
        Self {
            app,
            in_protocol: input,
            out_protocol: output,
            meters,
        }
    }

    /// The same server, recording call metrics or not, whatever its
    /// application says ([`ApplicationBuilder::metrics`](crate::ApplicationBuilder::metrics)):
    /// to compare the two, or to leave one endpoint out of the metrics.
    #[must_use]
    pub fn with_metrics(mut self, on: bool) -> Self {
        self.meters = match (on, self.meters.take()) {
            (false, _) => None,
            (true, Some(meters)) => Some(meters),
            (true, None) => Some(Arc::new(CallMeters::new(
                self.in_protocol.name(),
                self.app.methods(),
            ))),
        };
        self
    }

    /// The application.
    pub fn app(&self) -> &Application {
        &self.app
    }

    /// The protocols, to serve the same application in them elsewhere.
    pub fn protocols(&self) -> Protocols {
        Protocols::new(
            Arc::clone(&self.in_protocol),
            Arc::clone(&self.out_protocol),
        )
    }

    /// The protocol requests are read with.
    pub fn in_protocol(&self) -> &Arc<dyn InProtocol> {
        &self.in_protocol
    }

    /// The protocol replies are written with.
    pub fn out_protocol(&self) -> &Arc<dyn OutProtocol> {
        &self.out_protocol
    }

    /// Runs one request through the whole pipeline. Never panics on input:
    /// every failure becomes a fault, encoded by the out protocol.
    ///
    /// Each call runs in a `request` span at `info` (target
    /// `switchboard::server`) with the fields `id`, `transport`,
    /// `protocol`, `rpc.method` (`service/method`, or the name as sent
    /// when no method has it) and `trace_id` (from
    /// [`RequestInfo::traceparent`]), so what is logged during the call
    /// says which call it was. A call whose fault is not the caller's
    /// (any but `Client` faults) is logged at `warn`; others at `debug`.
    pub fn process(&self, request: RequestInfo) -> impl Future<Output = Response> + Send + '_ {
        // Boxed before any future exists, so the future holds a pointer,
        // not the request's facts. A box, not an `Arc`: the calls borrow it
        // one after the other, so nothing counts references.
        self.process_boxed(Box::new(request))
    }

    async fn process_boxed(&self, request: Box<RequestInfo>) -> Response {
        // Most requests carry no header of switchboard's own: an empty list.
        if request.headers.get(THEN_HEADER).is_some() {
            return Box::pin(self.process_then(request)).await;
        }
        let read = match self.read_request(&request) {
            SignedRead::Read(read) => read,
            SignedRead::Refused(fault) => return self.refuse(&request, fault),
        };
        let (batch, calls) = match read {
            Ok(envelope) => (envelope.batch, envelope.calls),
            // It still gets a context, so listeners see its fault, and a
            // span, so the log does.
            Err(fault) => (false, calls![Err(fault)]),
        };
        let (call, method, span) = match calls.into_inner() {
            // In the arm: a call borrowed where the future awaits would be
            // kept in its state beside the call's own future.
            Ok([call]) => {
                let (method, span) = self.span_of(&request, &call);
                (call, method, span)
            }
            // Boxed: batches are rare, and their state would enlarge every
            // request's future, which is moved as a whole.
            Err(calls) => return Box::pin(self.process_batch(request, batch, calls)).await,
        };
        let (outcome, request) = self
            .process_one(request, call, method)
            .instrument(span)
            .await;
        self.get_out_string(&request, batch, calls![outcome])
    }

    /// A call whose reply comes back as a call ([`Then`]): checked against
    /// the application's [`ThenReplies`] before it runs, then run, then
    /// its result delivered; the transport gets no body, or the fault that
    /// stopped the delivery.
    async fn process_then(&self, request: Box<RequestInfo>) -> Response {
        // The signature first: an unsigned caller learns nothing of where
        // this service delivers replies.
        let read = match self.read_request(&request) {
            SignedRead::Read(read) => read,
            SignedRead::Refused(fault) => return self.refuse(&request, fault),
        };
        let header = request.headers.get(THEN_HEADER).unwrap_or_default();
        let (then, replies, target) = match self.then_target(header) {
            Ok(found) => found,
            Err(refused) => return self.refuse(&request, refused.into()),
        };
        let (batch, calls) = match read {
            Ok(envelope) => (envelope.batch, envelope.calls),
            Err(fault) => (false, calls![Err(fault)]),
        };
        let call = match calls.into_inner() {
            Ok([call]) if !batch => call,
            _ => {
                let fault = Fault::new(
                    crate::code::INVALID_REQUEST,
                    "a call whose reply comes back as a call must be one call, not a batch",
                );
                return self.refuse(&request, fault);
            }
        };
        let (method, span) = self.span_of(&request, &call);
        let (outcome, request) = self
            .process_one(request, call, method)
            .instrument(span)
            .await;
        let delivered = replies
            .deliver(&then, target, outcome.result.as_ref())
            .await;
        match delivered {
            Ok(()) => Response {
                body: None,
                content_type: self.out_protocol.content_type(),
                fault: None,
                batch: false,
                any_fault: None,
                method: outcome.method,
                refused: false,
            },
            Err(refused) => {
                tracing::warn!(reply_to = then.method(), error = %refused, "reply not delivered");
                let outcome = CallOutcome {
                    result: Err(refused.into()),
                    ..outcome
                };
                self.get_out_string(&request, false, calls![outcome])
            }
        }
    }

    /// The directive in `header`, the application's deliveries, and the
    /// address the reply goes to.
    fn then_target(
        &self,
        header: &str,
    ) -> Result<(Then, &ThenReplies, crate::catalog::Address), ThenRefused> {
        let then = Then::from_header(header)?;
        let replies = self.app.then_replies().ok_or_else(|| {
            ThenRefused::NotAllowed("this service does not deliver replies as calls".to_owned())
        })?;
        let target = replies.target(&then)?;
        Ok((then, replies, target))
    }

    /// Stages 4 to 7 for the calls of a batch, one after the other; stages
    /// 4 and 5 of each in a span of its own.
    async fn process_batch(
        &self,
        mut request: Box<RequestInfo>,
        batch: bool,
        calls: Calls<Result<IncomingCall, Fault>>,
    ) -> Response {
        let mut outcomes = Calls::with_capacity(calls.len());
        for call in calls {
            let (method, span) = self.span_of(&request, &call);
            let (outcome, back) = self
                .process_one(request, call, method)
                .instrument(span)
                .await;
            request = back;
            outcomes.push(outcome);
        }
        self.get_out_string(&request, batch, outcomes)
    }

    /// The served method `call` names, if any, and the span it runs in,
    /// made once the method is known, with every field at once.
    fn span_of(
        &self,
        request: &RequestInfo,
        call: &Result<IncomingCall, Fault>,
    ) -> (Option<&'static MethodDescriptor>, tracing::Span) {
        let method = call
            .as_ref()
            .ok()
            .and_then(|call| self.app.method(&call.method));
        let span = call_span(request, self.in_protocol.name(), call, method);
        (method, span)
    }

    /// Stages 4 and 5 for one call, whose served method (`method`) was
    /// looked up already. The request is lent to the call's context and
    /// handed back: the calls of a request run one after the other, so no
    /// reference count changes.
    async fn process_one(
        &self,
        request: Box<RequestInfo>,
        call: Result<IncomingCall, Fault>,
        method: Option<&'static MethodDescriptor>,
    ) -> (CallOutcome, Box<RequestInfo>) {
        let transport = request.facts.transport();
        // A call that could not be read is a refusal, not a call.
        let metered = match (&self.meters, &call) {
            (Some(meters), Ok(_)) => Some(meters.start(transport)),
            (Some(_), Err(fault)) => {
                telemetry::rejected(Rejection::of(fault), transport);
                None
            }
            (None, _) => None,
        };
        // Failures alone are fired from the plain path (after the fact, as
        // the observed path fires them): only listeners of the other events
        // need the observed one.
        let failures_only = Events::only(Event::MethodException);
        let (outcome, request) = if self.app.wanted_events().is_subset(failures_only)
            && self.app.call_wrapper().is_none()
        {
            self.process_plain(request, call, method).await
        } else {
            // Boxed: the observed path's state (events, parked arguments and
            // reply) would enlarge every request's future.
            Box::pin(self.process_observed(request, call, method)).await
        };
        if let (Some(meters), Some(metered)) = (&self.meters, metered) {
            meters.finish(metered, self.out_protocol.as_ref(), &outcome);
        }
        (outcome, request)
    }

    /// Answers `request` with `fault` without running anything: for
    /// transports that refuse a request before the pipeline (wrong
    /// credentials, a body over the limit, a wrong media type), so that the
    /// refusal still comes in the protocol's own error format.
    ///
    /// The refusal is counted in [`telemetry::REJECTED`] when the
    /// application is metered, and the response is marked
    /// [`refused`](Response::refused).
    pub fn refuse(&self, request: &RequestInfo, fault: Fault) -> Response {
        if self.meters.is_some() {
            telemetry::rejected(Rejection::of(&fault), request.facts.transport());
        }
        let outcome = CallOutcome {
            id: None,
            method: None,
            expects_reply: true,
            result: Err(fault),
        };
        Response {
            refused: true,
            ..self.get_out_string(request, false, calls![outcome])
        }
    }

    /// Stages 2 and 3, with the body limit checked first.
    fn get_in_envelope(&self, request: &RequestInfo) -> Result<Envelope, Fault> {
        let limits = self.app.limits();
        if request.in_bytes.len() > limits.max_body_bytes {
            return Err(ProtocolError::LimitExceeded {
                what: "request body size",
                limit: limits.max_body_bytes,
            }
            .into());
        }
        let doc = self.in_protocol.create_in_document(request, limits)?;
        Ok(self
            .in_protocol
            .decompose_incoming_envelope(request, doc, limits)?)
    }

    /// Stages 6 and 7. An encoding failure is answered with a server fault.
    fn get_out_string(
        &self,
        request: &RequestInfo,
        batch: bool,
        outcomes: Calls<CallOutcome>,
    ) -> Response {
        // Only answered calls count: a failed notification changes nothing
        // the caller sees.
        let mut fault = outcomes
            .iter()
            .filter(|o| o.expects_reply)
            .find_map(|o| o.result.as_ref().err())
            .cloned();
        let mut any_fault = match &fault {
            Some(fault) => Some(fault.clone()),
            None => outcomes
                .iter()
                .find_map(|o| o.result.as_ref().err())
                .cloned(),
        };
        let method = match outcomes.as_slice() {
            [outcome] if !batch => outcome.method,
            _ => None,
        };
        let replies = Replies { batch, outcomes };
        let out = &self.out_protocol;
        let body = match out
            .serialize(request, replies)
            .and_then(|doc| out.create_out_string(doc))
        {
            Ok(body) => body,
            Err(err) => {
                let encode_fault = Fault::from(err);
                fault = Some(encode_fault.clone());
                any_fault = Some(encode_fault.clone());
                let replies = Replies {
                    batch: false,
                    outcomes: calls![CallOutcome {
                        id: None,
                        method: None,
                        expects_reply: true,
                        result: Err(encode_fault),
                    }],
                };
                out.serialize(request, replies)
                    .and_then(|doc| out.create_out_string(doc))
                    .unwrap_or_else(|err| {
                        tracing::error!(error = %err, "even the fault could not be encoded");
                        None
                    })
            }
        };
        Response {
            body,
            content_type: out.content_type(),
            fault,
            batch,
            any_fault,
            method,
            refused: false,
        }
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("app", &self.app)
            .field("in_protocol", &self.in_protocol.name())
            .field("out_protocol", &self.out_protocol.name())
            .finish()
    }
}
