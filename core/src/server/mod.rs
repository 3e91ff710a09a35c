//! [`Server`]: the shared driver every server transport calls with bytes and
//! transport facts, getting bytes back. No transport re-implements the
//! pipeline; this is rpclib's `get_in_object` / `get_out_object` /
//! `get_out_string`.

mod catch_unwind;

use std::fmt;
use std::sync::Arc;

use crate::context::{IncomingCall, RequestInfo};
use crate::events::{Event, Next};
use crate::fault::code;
use crate::method::Reply;
use crate::protocol::{CallOutcome, Envelope, InProtocol, OutProtocol, ProtocolError, Replies};
use crate::{Application, Fault, MethodContext};

use catch_unwind::CatchUnwind;

/// What the pipeline produced for one request.
#[derive(Debug)]
pub struct Response {
    /// The bytes to send back; `None` when nothing is to be sent
    /// (notifications, one-way calls).
    pub body: Option<Vec<u8>>,
    /// The media type of `body`.
    pub content_type: &'static str,
    /// The first fault among the calls, for transports that map faults to
    /// a status (HTTP); `None` when every call succeeded.
    pub fault: Option<Fault>,
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
    /// Serves `app`, reading with `in_protocol` and answering with `out_protocol`.
    pub fn new(
        app: Application,
        in_protocol: Arc<dyn InProtocol>,
        out_protocol: Arc<dyn OutProtocol>,
    ) -> Self {
        Self {
            app,
            in_protocol,
            out_protocol,
        }
    }

    /// The application.
    pub fn app(&self) -> &Application {
        &self.app
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
    #[tracing::instrument(name = "request", skip_all, fields(id = %request.id, protocol = self.in_protocol.name()))]
    pub async fn process(&self, request: RequestInfo) -> Response {
        let request = Arc::new(request);
        let (batch, outcomes) = match self.get_in_envelope(&request) {
            Ok(envelope) => {
                let mut outcomes = Vec::with_capacity(envelope.calls.len());
                for call in envelope.calls {
                    outcomes.push(self.process_call(&request, call).await);
                }
                (envelope.batch, outcomes)
            }
            Err(fault) => {
                tracing::debug!(code = %fault.code, "request rejected");
                let outcome = self.reject(&request, fault).await;
                (false, vec![outcome])
            }
        };
        self.get_out_string(&request, batch, outcomes)
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

    /// A request that failed before any call was found still gets a context,
    /// so listeners see its fault.
    async fn reject(&self, request: &Arc<RequestInfo>, fault: Fault) -> CallOutcome {
        let mut ctx = MethodContext::new(self.app.clone(), Arc::clone(request));
        self.fire(Event::ContextCreated, &ctx).await;
        ctx.in_error = Some(fault.clone());
        self.fire(Event::MethodException, &ctx).await;
        self.fire(Event::ContextClosed, &ctx).await;
        CallOutcome {
            id: None,
            expects_reply: true,
            result: Err(fault),
        }
    }

    async fn process_call(
        &self,
        request: &Arc<RequestInfo>,
        call: Result<IncomingCall, Fault>,
    ) -> CallOutcome {
        let mut ctx = MethodContext::new(self.app.clone(), Arc::clone(request));
        self.fire(Event::ContextCreated, &ctx).await;
        let (id, expects_reply) = match &call {
            Ok(call) => (call.id.clone(), call.expects_reply),
            Err(_) => (None, true),
        };
        let result = match call.and_then(|call| self.get_in_object(&mut ctx, call)) {
            Ok(()) => self.get_out_object(&mut ctx).await,
            Err(fault) => {
                ctx.in_error = Some(fault.clone());
                self.fire(Event::MethodException, &ctx).await;
                Err(fault)
            }
        };
        self.fire(Event::ContextClosed, &ctx).await;
        CallOutcome {
            id,
            expects_reply,
            result,
        }
    }

    /// Stage 4: finds the method, decodes and validates the arguments.
    fn get_in_object(&self, ctx: &mut MethodContext, call: IncomingCall) -> Result<(), Fault> {
        let method = self
            .app
            .method(&call.method)
            .ok_or_else(|| ProtocolError::UnknownMethod(call.method.clone()))?;
        ctx.call = Some(call);
        ctx.descriptor = Some(method);
        let args = self.in_protocol.deserialize(ctx, method)?;
        (method.validate)(&args)?;
        ctx.in_object = Some(args);
        Ok(())
    }

    /// Stage 5 (rpclib's `process_request`): events, call wrapper, function.
    async fn get_out_object(&self, ctx: &mut MethodContext) -> Result<Reply, Fault> {
        self.fire(Event::MethodCall, ctx).await;
        let result = self.call_wrapped(ctx).await;
        match result {
            Ok(reply) => {
                ctx.out_object = Some(reply);
                self.fire(Event::MethodReturn, ctx).await;
                // The listeners only borrowed it; it was set just above.
                ctx.out_object
                    .take()
                    .ok_or_else(|| Fault::server("internal error: reply lost"))
            }
            Err(fault) => {
                tracing::debug!(code = %fault.code, "call failed");
                ctx.out_error = Some(fault.clone());
                self.fire(Event::MethodException, ctx).await;
                Err(fault)
            }
        }
    }

    async fn call_wrapped(&self, ctx: &mut MethodContext) -> Result<Reply, Fault> {
        let (Some(method), Some(args)) = (ctx.descriptor, ctx.in_object.take()) else {
            return Err(Fault::server("internal error: call not decoded"));
        };
        let ctx: &MethodContext = ctx;
        let next = Next::new(ctx, method, args);
        let call = async {
            match self.app.call_wrapper() {
                Some(wrapper) => wrapper.call(next).await,
                None => next.run().await,
            }
        };
        let call = CatchUnwind::new(call);
        let result = match ctx.request().deadline {
            Some(deadline) => tokio::time::timeout_at(deadline.into(), call)
                .await
                .unwrap_or_else(|_| {
                    Ok(Err(Fault::new(
                        code::TIMEOUT,
                        "the call did not finish before its deadline",
                    )))
                }),
            None => call.await,
        };
        result.unwrap_or_else(|panic| {
            tracing::error!(method = method.name, panic, "method panicked");
            Err(Fault::server("internal error"))
        })
    }

    /// Stages 6 and 7. An encoding failure is answered with a server fault.
    fn get_out_string(
        &self,
        request: &RequestInfo,
        batch: bool,
        outcomes: Vec<CallOutcome>,
    ) -> Response {
        let fault = outcomes
            .iter()
            .find_map(|o| o.result.as_ref().err())
            .cloned();
        let replies = Replies { batch, outcomes };
        let out = &self.out_protocol;
        let body = match out
            .serialize(request, replies)
            .and_then(|doc| out.create_out_string(doc))
        {
            Ok(body) => body,
            Err(err) => {
                let fault = Fault::from(err);
                let replies = Replies {
                    batch: false,
                    outcomes: vec![CallOutcome {
                        id: None,
                        expects_reply: true,
                        result: Err(fault),
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
        }
    }

    async fn fire(&self, event: Event, ctx: &MethodContext) {
        for listener in self.app.listeners() {
            listener.on_event(event, ctx).await;
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
