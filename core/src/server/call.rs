//! Stages 4 and 5 for one call: find the method, decode and check the
//! arguments, run the function, record the fault, fire the events.
//!
//! Two paths give the same results. Calls that no listener observes and no
//! call wrapper wraps (the usual case) take the plain path, which decodes,
//! checks and calls in one step where the protocol's parameters are JSON and
//! needs no `await` for a plain `fn`. Observed or wrapped calls take the
//! observed path, boxed by the caller so that its larger state (events,
//! parked arguments and reply) is not part of every request's future.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use crate::context::{IncomingCall, RequestInfo};
use crate::events::{Event, Next};
use crate::fault::code;
use crate::method::{Args, Invoked, MethodDescriptor, Reply};
use crate::protocol::{CallOutcome, ProtocolError};
use crate::{Fault, MethodContext};

use super::Server;
use super::catch_unwind::{self, CatchUnwind};

/// A call that could be made: its method, and the function's result or the
/// still running function. `Err`: the call could not be made (`in_error`).
type Started<'c> = Result<(&'static MethodDescriptor, Running<'c>), Fault>;

/// The function's result, known at once (it returned, or panicked), or its
/// future.
type Running<'c> = Result<Invoked<'c>, Result<Reply, Fault>>;

impl Server {
    /// Stages 4 and 5 for a call no wrapper wraps and no listener observes
    /// but for its failure; `method` is the served method the call names.
    /// The request is lent to the call's context and handed back.
    pub(super) async fn process_plain(
        &self,
        request: Box<RequestInfo>,
        call: Result<IncomingCall, Fault>,
        method: Option<&'static MethodDescriptor>,
    ) -> (CallOutcome, Box<RequestInfo>) {
        let mut ctx = MethodContext::lent(self.app.clone(), request);
        let expects_reply = call.as_ref().map_or(true, |call| call.expects_reply);
        let found = call.and_then(|call| get_method(&mut ctx, call, method));
        // In a block: the running call borrows the context, which is written
        // once it is done.
        let made = {
            let started = found.and_then(|method| self.start_plain(&ctx, method));
            match started {
                Ok((method, Ok(running))) => match running.into_ready() {
                    Ok(result) => Ok((method, result)),
                    // Boxed: only a function still running (an `async fn`)
                    // needs the deadline and the guard around its polls, and
                    // their state would otherwise enlarge every request's
                    // future, which is moved as a whole.
                    Err(running) => {
                        let waiting = Box::pin(self.get_out_object(&ctx, method, running));
                        Ok((method, waiting.await))
                    }
                },
                Ok((method, Err(result))) => Ok((method, result)),
                Err(fault) => Err(fault),
            }
        };
        let result = match made {
            Ok((_, Ok(reply))) => Ok(reply),
            Ok((_, Err(fault))) => {
                failed(&fault);
                ctx.out_error = Some(Box::new(fault.clone()));
                Err(fault)
            }
            Err(fault) => {
                failed(&fault);
                ctx.in_error = Some(Box::new(fault.clone()));
                Err(fault)
            }
        };
        if result.is_err() && self.app.wanted_events().contains(Event::MethodException) {
            // Boxed: only failures of observed applications get here.
            Box::pin(self.fire(Event::MethodException, &ctx)).await;
        }
        finish(ctx, expects_reply, result)
    }

    /// Stage 4 and the start of stage 5 without events: decoded, checked and
    /// called in one step ([`MethodDescriptor::invoke_json`]) when the
    /// protocol's parameters are JSON, else through `deserialize`.
    fn start_plain<'c>(
        &self,
        ctx: &'c MethodContext,
        method: &'static MethodDescriptor,
    ) -> Started<'c> {
        // A plain `fn` runs right here, so the panic guard is around the call.
        let started = match self.in_protocol.json_params(ctx) {
            // The decoding runs inside the guard too: one guard for both.
            Some(json) => catch_unwind::catch(|| (method.invoke_json)(ctx, json)),
            None => {
                let args = self.get_in_object(ctx, method)?;
                catch_unwind::catch(|| Ok(Next::new(ctx, method, args).run()))
            }
        };
        match started {
            Ok(Ok(running)) => Ok((method, Ok(running))),
            Ok(Err(fault)) => Err(fault),
            Err(panic) => Ok((method, Err(panicked(method, &panic)))),
        }
    }

    /// Stages 4 and 5 for one call, with its events and the call wrapper;
    /// `method` is the served method the call names.
    ///
    /// Kept as one `async fn` on purpose: every nested `async fn` level adds
    /// its whole state to the request future and a copy of it per call.
    pub(super) async fn process_observed(
        &self,
        request: Box<RequestInfo>,
        call: Result<IncomingCall, Fault>,
        method: Option<&'static MethodDescriptor>,
    ) -> (CallOutcome, Box<RequestInfo>) {
        let mut ctx = MethodContext::lent(self.app.clone(), request);
        let observed = !self.app.listeners().is_empty();
        if observed {
            self.fire(Event::ContextCreated, &ctx).await;
        }
        let expects_reply = call.as_ref().map_or(true, |call| call.expects_reply);
        let decoded = call
            .and_then(|call| get_method(&mut ctx, call, method))
            .and_then(|method| Ok((method, self.get_in_object(&ctx, method)?)));
        let result = match decoded {
            Ok((method, args)) => {
                let args = if observed {
                    ctx.in_object = Some(args);
                    self.fire(Event::MethodCall, &ctx).await;
                    ctx.in_object.take()
                } else {
                    Some(args)
                };
                let result = match args {
                    Some(args) => self.call_with_args(&ctx, method, args).await,
                    None => Err(Fault::server("internal error: arguments lost")),
                };
                match result {
                    Ok(reply) if observed => {
                        ctx.out_object = Some(reply);
                        self.fire(Event::MethodReturn, &ctx).await;
                        ctx.out_object
                            .take()
                            .ok_or_else(|| Fault::server("internal error: reply lost"))
                    }
                    Ok(reply) => Ok(reply),
                    Err(fault) => {
                        failed(&fault);
                        ctx.out_error = Some(Box::new(fault.clone()));
                        if observed {
                            self.fire(Event::MethodException, &ctx).await;
                        }
                        Err(fault)
                    }
                }
            }
            Err(fault) => {
                failed(&fault);
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
        finish(ctx, expects_reply, result)
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

    /// Stage 5 with decoded arguments: the call wrapper, or the function.
    async fn call_with_args(
        &self,
        ctx: &MethodContext,
        method: &'static MethodDescriptor,
        args: Args,
    ) -> Result<Reply, Fault> {
        let next = Next::new(ctx, method, args);
        let running = match self.app.call_wrapper() {
            // The wrapper runs `next` inside its future: the guard in
            // `get_out_object` catches a panic there.
            Some(wrapper) => Invoked::boxed(wrapper.call(next)),
            // A plain `fn` runs right here.
            None => match catch_unwind::catch(|| next.run()) {
                Ok(running) => running,
                Err(panic) => return panicked(method, &panic),
            },
        };
        self.get_out_object(ctx, method, running).await
    }

    /// Stage 5's end (rpclib's `process_request`): the call wrapper's or the
    /// function's result, cut off at the request's deadline, panics caught.
    async fn get_out_object(
        &self,
        ctx: &MethodContext,
        method: &'static MethodDescriptor,
        running: Invoked<'_>,
    ) -> Result<Reply, Fault> {
        let mut running = match running.into_ready() {
            Ok(result) => return result,
            Err(running) => running,
        };
        let deadline = ctx.request().deadline;
        // The timer is inside the panic guard too: on a runtime without a
        // time driver, a deadline fails the call instead of the server.
        let result = CatchUnwind::new(async move {
            let Some(deadline) = deadline else {
                return running.await;
            };
            // Most calls finish on their first poll: those need no timer.
            if let Poll::Ready(result) =
                std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut running).poll(cx))).await
            {
                return result;
            }
            // Boxed: a timer is large, and only slow calls get here.
            Box::pin(tokio::time::timeout_at(deadline.into(), running))
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

    async fn fire(&self, event: Event, ctx: &MethodContext) {
        for listener in self.app.listeners_of(event) {
            listener.on_event(event, ctx).await;
        }
    }
}

/// Stage 4, first part: the method `call` names, `found` already (or the
/// fault of a name no method has).
fn get_method(
    ctx: &mut MethodContext,
    call: IncomingCall,
    found: Option<&'static MethodDescriptor>,
) -> Result<&'static MethodDescriptor, Fault> {
    let method = found.ok_or_else(|| ProtocolError::UnknownMethod(call.method.to_string()));
    ctx.call = Some(call);
    let method = method?;
    ctx.descriptor = Some(method);
    Ok(method)
}

/// Logs a failed call, in its span: at `warn` unless the caller caused the
/// fault (a `Client` fault is an answer, logged at `debug`), so that an
/// operator sees the calls that failed on the server's side.
fn failed(fault: &Fault) {
    if fault.is_client() {
        tracing::debug!(code = %fault.code, "call failed");
    } else {
        tracing::warn!(code = %fault.code, error = fault.message.as_str(), "call failed");
    }
}

/// The call's outcome, and its request handed back from the context.
fn finish(
    mut ctx: MethodContext,
    expects_reply: bool,
    result: Result<Reply, Fault>,
) -> (CallOutcome, Box<RequestInfo>) {
    // Moved, not cloned: the context is done with it.
    let id = ctx.call.as_mut().and_then(|call| call.id.take());
    let outcome = CallOutcome {
        id,
        method: ctx.descriptor,
        expects_reply,
        result,
    };
    (outcome, ctx.into_request())
}

/// The fault of a method that panicked (its message goes to the log only).
fn panicked(method: &MethodDescriptor, panic: &str) -> Result<Reply, Fault> {
    tracing::error!(method = method.name, panic, "method panicked");
    Err(Fault::server("internal error"))
}
