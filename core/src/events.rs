//! Observing and wrapping calls: [`EventListener`] and [`CallWrapper`].
//!
//! Events fire in this order for each call: `ContextCreated`, then either
//! `MethodCall` followed by `MethodReturn` or `MethodException`, or (when the
//! request could not be decoded) only `MethodException` with
//! [`MethodContext::in_error`] set; finally `ContextClosed`.

use std::fmt;

use async_trait::async_trait;

use crate::method::{Args, Invoked, MethodDescriptor, Reply};
use crate::{Fault, MethodContext};

/// A point in a call's life that listeners can observe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Event {
    /// A context was created for a call (nothing decoded yet).
    ContextCreated,
    /// The arguments were decoded and validated; the function runs next.
    MethodCall,
    /// The function returned successfully ([`MethodContext::out_object`] is set).
    MethodReturn,
    /// The call failed: [`MethodContext::in_error`] or
    /// [`MethodContext::out_error`] is set.
    MethodException,
    /// The call is finished; the context is dropped after this.
    ContextClosed,
}

/// Receives call events. Listeners run in registration order, each awaited
/// before the call proceeds, so keep them quick.
#[async_trait]
pub trait EventListener: Send + Sync + 'static {
    /// Called for every event of every call.
    async fn on_event(&self, event: Event, ctx: &MethodContext);
}

/// Wraps every function call: runs code around it, or short-circuits it.
///
/// The default behaviour is `next.run().await`. A wrapper that returns
/// without running `next` skips the function: its result (or fault) is the
/// call's result.
///
/// ```
/// use switchboard::{async_trait, CallWrapper, Fault, Next, Reply};
///
/// /// Refuses every call while maintenance is on.
/// struct Maintenance;
///
/// #[async_trait]
/// impl CallWrapper for Maintenance {
///     async fn call(&self, next: Next<'_>) -> Result<Reply, Fault> {
///         Err(Fault::server("down for maintenance"))
///     }
/// }
/// ```
#[async_trait]
pub trait CallWrapper: Send + Sync + 'static {
    /// Runs (or skips) one call.
    async fn call(&self, next: Next<'_>) -> Result<Reply, Fault>;
}

/// The rest of a call, handed to a [`CallWrapper`].
pub struct Next<'a> {
    ctx: &'a MethodContext,
    method: &'static MethodDescriptor,
    args: Args,
}

impl<'a> Next<'a> {
    pub(crate) fn new(
        ctx: &'a MethodContext,
        method: &'static MethodDescriptor,
        args: Args,
    ) -> Self {
        Self { ctx, method, args }
    }

    /// The call's context.
    pub fn context(&self) -> &'a MethodContext {
        self.ctx
    }

    /// The method about to be called.
    pub fn method(&self) -> &'static MethodDescriptor {
        self.method
    }

    /// The decoded arguments.
    pub fn args(&self) -> &Args {
        &self.args
    }

    /// Calls the function: a plain `fn` runs now, an `async fn` when the
    /// result is awaited.
    pub fn run(self) -> Invoked<'a> {
        (self.method.invoke)(self.ctx, self.args)
    }
}

impl fmt::Debug for Next<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Next")
            .field("method", &self.method.name)
            .finish_non_exhaustive()
    }
}
