//! [`Server`]: the shared driver every server transport calls with bytes and
//! transport facts, getting bytes back. No transport re-implements the
//! pipeline; this is rpclib's `get_in_object` / `get_out_object` /
//! `get_out_string`.

mod catch_unwind;
mod protocols;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use tracing::Instrument;

use crate::context::{IncomingCall, RequestInfo};
use crate::events::{Event, Next};
use crate::fault::code;
use crate::method::{Args, Invoked, MethodDescriptor, Reply};
use crate::protocol::{
    CallOutcome, Calls, Envelope, InProtocol, OutProtocol, ProtocolError, Replies, calls,
};
use crate::{Application, Fault, MethodContext};

use catch_unwind::CatchUnwind;

pub use protocols::Protocols;

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
}

/// An application with the protocols it is served in.
///
/// Cheap to clone; transports clone it into every connection or task.
#[derive(Clone)]
pub struct Server {
    app: Application,
    in_protocol: Arc<dyn InProtocol>,
    out_protocol: Arc<dyn OutProtocol>,
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
        Self {
            app,
            in_protocol: input,
            out_protocol: output,
        }
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
    pub fn process(&self, request: RequestInfo) -> impl Future<Output = Response> + Send + '_ {
        let span =
            tracing::debug_span!("request", id = %request.id, protocol = self.in_protocol.name());
        // Shared before any future exists, so the future holds a pointer,
        // not the request's facts.
        self.process_shared(Arc::new(request)).instrument(span)
    }

    async fn process_shared(&self, request: Arc<RequestInfo>) -> Response {
        let (batch, calls) = match self.get_in_envelope(&request) {
            Ok(envelope) => (envelope.batch, envelope.calls),
            Err(fault) => {
                tracing::debug!(code = %fault.code, "request rejected");
                // It still gets a context, so listeners see its fault.
                (false, calls![Err(fault)])
            }
        };
        let mut outcomes = Calls::with_capacity(calls.len());
        for call in calls {
            outcomes.push(self.process_call(&request, call).await);
        }
        self.get_out_string(&request, batch, outcomes)
    }

    /// Answers `request` with `fault` without running anything: for
    /// transports that refuse a request before the pipeline (wrong
    /// credentials, a body over the limit, a wrong media type), so that the
    /// refusal still comes in the protocol's own error format.
    pub fn refuse(&self, request: &RequestInfo, fault: Fault) -> Response {
        let outcome = CallOutcome {
            id: None,
            expects_reply: true,
            result: Err(fault),
        };
        self.get_out_string(request, false, calls![outcome])
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

    /// Stages 4 and 5 for one call, with its events.
    ///
    /// Kept as one `async fn` on purpose: every nested `async fn` level adds
    /// its whole state to the request future and a copy of it per call.
    async fn process_call(
        &self,
        request: &Arc<RequestInfo>,
        call: Result<IncomingCall, Fault>,
    ) -> CallOutcome {
        let mut ctx = MethodContext::new(self.app.clone(), Arc::clone(request));
        let observed = !self.app.listeners().is_empty();
        if observed {
            self.fire(Event::ContextCreated, &ctx).await;
        }
        let expects_reply = call.as_ref().map_or(true, |call| call.expects_reply);
        // Outer `Err`: the call could not be made (stage 4, `in_error`);
        // inner: the call's own result (stage 5).
        let made = match call.and_then(|call| self.get_method(&mut ctx, call)) {
            Err(fault) => Err(fault),
            Ok(method) => {
                // Nothing needs the arguments between decoding and the call
                // (no listener, no wrapper): decode, check and call in one
                // step, without boxing them.
                let fused = if !observed && self.app.call_wrapper().is_none() {
                    self.call_fused(&ctx, method).await
                } else {
                    None
                };
                match fused {
                    Some(made) => made.map(|result| (method, result)),
                    None => match self.get_in_object(&ctx, method) {
                        Ok(args) => {
                            let result = self.call_with_args(&mut ctx, observed, method, args);
                            Ok((method, result.await))
                        }
                        Err(fault) => Err(fault),
                    },
                }
            }
        };
        let result = match made {
            Ok((_, Ok(reply))) if observed => {
                ctx.out_object = Some(reply);
                self.fire(Event::MethodReturn, &ctx).await;
                ctx.out_object
                    .take()
                    .ok_or_else(|| Fault::server("internal error: reply lost"))
            }
            Ok((_, Ok(reply))) => Ok(reply),
            Ok((method, Err(fault))) => {
                tracing::debug!(method = method.name, code = %fault.code, "call failed");
                ctx.out_error = Some(Box::new(fault.clone()));
                if observed {
                    self.fire(Event::MethodException, &ctx).await;
                }
                Err(fault)
            }
            Err(fault) => {
                ctx.in_error = Some(Box::new(fault.clone()));
                if observed {
                    self.fire(Event::MethodException, &ctx).await;
                }
                Err(fault)
            }
        };
        if observed {
            self.fire(Event::ContextClosed, &ctx).await;
        }
        // Moved, not cloned: the context is done with it.
        let id = ctx.call.as_mut().and_then(|call| call.id.take());
        CallOutcome {
            id,
            expects_reply,
            result,
        }
    }

    /// Stage 4, first part: finds the method.
    fn get_method(
        &self,
        ctx: &mut MethodContext,
        call: IncomingCall,
    ) -> Result<&'static MethodDescriptor, Fault> {
        let method = self.app.method(&call.method);
        let method = method.ok_or_else(|| ProtocolError::UnknownMethod(call.method.to_string()));
        ctx.call = Some(call);
        let method = method?;
        ctx.descriptor = Some(method);
        Ok(method)
    }

    /// Stage 4, second part: decodes and validates the arguments.
    fn get_in_object(
        &self,
        ctx: &MethodContext,
        method: &'static MethodDescriptor,
    ) -> Result<Args, Fault> {
        let args = self.in_protocol.deserialize(ctx, method)?;
        (method.validate)(&args)?;
        Ok(args)
    }

    /// Stages 4 and 5 in one step, for a protocol whose parameters are JSON
    /// (`None` for any other): the arguments are decoded, checked and passed
    /// to the function without type erasure. Outer `Err`: they did not
    /// decode or validate.
    async fn call_fused(
        &self,
        ctx: &MethodContext,
        method: &'static MethodDescriptor,
    ) -> Option<Result<Result<Reply, Fault>, Fault>> {
        let json = self.in_protocol.json_params(ctx)?;
        // The decoding runs inside the panic guard too: one guard for both.
        let call = match catch_unwind::catch(|| (method.invoke_json)(ctx, json)) {
            Ok(Ok(call)) => call,
            Ok(Err(fault)) => return Some(Err(fault)),
            Err(panic) => return Some(Ok(panicked(method, &panic))),
        };
        Some(Ok(self.get_out_object(ctx, method, call).await))
    }

    /// Stage 5 with decoded arguments: fires `MethodCall`, then runs the
    /// call wrapper or the function.
    async fn call_with_args(
        &self,
        ctx: &mut MethodContext,
        observed: bool,
        method: &'static MethodDescriptor,
        args: Args,
    ) -> Result<Reply, Fault> {
        let args = if observed {
            ctx.in_object = Some(args);
            self.fire(Event::MethodCall, ctx).await;
            ctx.in_object.take()
        } else {
            Some(args)
        };
        let Some(args) = args else {
            return Err(Fault::server("internal error: arguments lost"));
        };
        let ctx: &MethodContext = ctx;
        let next = Next::new(ctx, method, args);
        let call = match self.app.call_wrapper() {
            // The wrapper runs `next` inside its future: the guard in
            // `get_out_object` catches a panic there.
            Some(wrapper) => Invoked::boxed(wrapper.call(next)),
            // A plain `fn` runs right here.
            None => match catch_unwind::catch(|| next.run()) {
                Ok(call) => call,
                Err(panic) => return panicked(method, &panic),
            },
        };
        self.get_out_object(ctx, method, call).await
    }

    /// Stage 5 (rpclib's `process_request`): waits for the call wrapper or
    /// the function, cut off at the request's deadline, panics caught.
    async fn get_out_object(
        &self,
        ctx: &MethodContext,
        method: &'static MethodDescriptor,
        call: Invoked<'_>,
    ) -> Result<Reply, Fault> {
        let mut call = match call.into_ready() {
            Ok(result) => return result,
            Err(call) => call,
        };
        let deadline = ctx.request().deadline;
        // The timer is inside the panic guard too: on a runtime without a
        // time driver, a deadline fails the call instead of the server.
        let result = CatchUnwind::new(async move {
            let Some(deadline) = deadline else {
                return call.await;
            };
            // Most calls finish on their first poll: those need no timer.
            if let Poll::Ready(result) =
                std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut call).poll(cx))).await
            {
                return result;
            }
            // Boxed: a timer is large, and only slow calls get here.
            Box::pin(tokio::time::timeout_at(deadline.into(), call))
                .await
                .unwrap_or_else(|_| {
                    Err(Fault::new(
                        code::TIMEOUT,
                        "the call did not finish before its deadline",
                    ))
                })
        })
        .await;
        result.unwrap_or_else(|panic| panicked(method, &panic))
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
        }
    }

    async fn fire(&self, event: Event, ctx: &MethodContext) {
        let listeners = self.app.listeners();
        if listeners.is_empty() {
            return;
        }
        for listener in listeners {
            listener.on_event(event, ctx).await;
        }
    }
}

/// The fault of a method that panicked (its message goes to the log only).
fn panicked(method: &MethodDescriptor, panic: &str) -> Result<Reply, Fault> {
    tracing::error!(method = method.name, panic, "method panicked");
    Err(Fault::server("internal error"))
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
