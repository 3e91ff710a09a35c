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

/// A set of [`Event`]s: the ones a listener asks to be given
/// ([`EventListener::events`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Events(u8);

impl Events {
    /// Every event.
    pub const ALL: Self = Self(0b1_1111);
    /// No event.
    pub const NONE: Self = Self(0);

    /// Only `event`.
    pub const fn only(event: Event) -> Self {
        Self(bit(event))
    }

    /// These and `event`.
    #[must_use]
    pub const fn with(self, event: Event) -> Self {
        Self(self.0 | bit(event))
    }

    /// These and `other`'s.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether `event` is one of these.
    pub const fn contains(self, event: Event) -> bool {
        self.0 & bit(event) != 0
    }

    /// Whether every one of these is one of `other`'s.
    pub const fn is_subset(self, other: Self) -> bool {
        self.0 & !other.0 == 0
    }
}

const fn bit(event: Event) -> u8 {
    match event {
        Event::ContextCreated => 1,
        Event::MethodCall => 2,
        Event::MethodReturn => 4,
        Event::MethodException => 8,
        Event::ContextClosed => 16,
    }
}

/// Receives call events. Listeners run in registration order, each awaited
/// before the call proceeds, so keep them quick.
///
/// A listener that needs only some events says so in [`events`](Self::events):
/// the others are not fired for it, and when every listener asks for
/// failures only, successful calls keep the pipeline's fastest path.
///
/// ```
/// use switchboard::{async_trait, Event, EventListener, Events, MethodContext};
///
/// /// Counts failed calls.
/// #[derive(Default)]
/// struct Failures(std::sync::atomic::AtomicU64);
///
/// #[async_trait]
/// impl EventListener for Failures {
///     fn events(&self) -> Events {
///         Events::only(Event::MethodException)
///     }
///
///     async fn on_event(&self, _event: Event, _ctx: &MethodContext) {
///         self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///     }
/// }
/// ```
#[async_trait]
pub trait EventListener: Send + Sync + 'static {
    /// The events this listener is given: all of them unless it says
    /// otherwise. Asked once, when the application is built.
    fn events(&self) -> Events {
        Events::ALL
    }

    /// Called for each event of every call that is one of
    /// [`events`](Self::events).
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
