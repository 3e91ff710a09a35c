//! [`Application`]: the methods one server serves, with their shared state,
//! limits, event listeners and call wrapper.

use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use crate::created;
use crate::events::{CallWrapper, Event, EventListener, Events};
use crate::limits::Limits;
use crate::method::MethodDescriptor;
use crate::registry;
use crate::signing::Verifier;
use crate::state::StateMap;
use crate::{Fault, State, ThenReplies};

/// Why an [`Application`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Two selected methods share a wire name.
    #[error(
        "method `{name}` is defined twice: by `{first}` ({first_at}) and by `{second}` ({second_at})"
    )]
    DuplicateMethod {
        /// The wire name they share.
        name: &'static str,
        /// The Rust path of one definition.
        first: &'static str,
        /// Where that one is.
        first_at: &'static str,
        /// The Rust path of the other.
        second: &'static str,
        /// Where the other is.
        second_at: &'static str,
    },
    /// A service was asked for that no linked crate registers.
    #[error(
        "no service named `{name}` is registered (known: {known}); if a crate defines it, make sure the binary links that crate, e.g. with `use that_crate as _;`"
    )]
    UnknownService {
        /// The requested name.
        name: String,
        /// The registered service names, comma-separated.
        known: String,
    },
    /// A method was asked for (`service.method`) that is not registered.
    #[error("no method `{name}` is registered")]
    UnknownMethod {
        /// The requested qualified name.
        name: String,
    },
    /// A method's `created` location names a placeholder that is neither a
    /// path parameter of its route nor a field of its serialized result, so
    /// every `Location` it answers would carry `{name}` literally.
    #[error(
        "method `{method}` ({location}): `created = \"{template}\"` names `{{{placeholder}}}`, which is neither a path parameter of its route nor a field of its result ({}): rename the placeholder or add the field; fields go by their serialized names, so `#[serde(rename)]` applies",
        describe_fields(.fields)
    )]
    UnfilledLocation {
        /// The method's wire name.
        method: &'static str,
        /// Where it is defined (`file:line`).
        location: &'static str,
        /// The `created` template.
        template: &'static str,
        /// The placeholder's name, without braces.
        placeholder: String,
        /// The fields the result's schema lists, sorted (its wire names).
        fields: Vec<String>,
    },
    /// A method takes `State<T>` but no `T` was given to the builder.
    #[error(
        "method `{method}` needs `State<{type_name}>`, but the builder was given no such state"
    )]
    MissingState {
        /// The method's wire name.
        method: &'static str,
        /// The missing state type.
        type_name: &'static str,
    },
}

/// A set of methods served together.
///
/// Cheap to clone (an `Arc`); build one with [`Application::builder`].
///
/// ```
/// use switchboard::Application;
///
/// // No services are linked into this doc test, so select none.
/// let app = Application::builder().services::<[&str; 0], &str>([]).build()?;
/// assert_eq!(app.methods().count(), 0);
/// # Ok::<(), switchboard::BuildError>(())
/// ```
#[derive(Clone)]
pub struct Application {
    inner: Arc<Inner>,
}

/// FNV-1a: method names are short and chosen by the service author, so a
/// DoS-resistant hash buys nothing here, and SipHash cost a measurable share
/// of a small call.
#[derive(Default, Clone, Copy)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type MethodMap = HashMap<&'static str, &'static MethodDescriptor, BuildHasherDefault<Fnv>>;

struct Inner {
    methods: MethodMap,
    state: StateMap,
    limits: Limits,
    listeners: Vec<Arc<dyn EventListener>>,
    /// Each listener's [`EventListener::events`], in the same order.
    listener_events: Vec<Events>,
    /// Every event some listener is given.
    wanted_events: Events,
    call_wrapper: Option<Arc<dyn CallWrapper>>,
    /// Whether its servers record call metrics.
    metered: bool,
    /// Where replies may be delivered as calls.
    then_replies: Option<Arc<ThenReplies>>,
    /// Set when every request must be signed.
    signatures: Option<Verifier>,
}

impl Application {
    /// Starts building an application.
    pub fn builder() -> ApplicationBuilder {
        ApplicationBuilder::default()
    }

    /// The method of this wire name, if served.
    pub fn method(&self, name: &str) -> Option<&'static MethodDescriptor> {
        self.inner.methods.get(name).copied()
    }

    /// Every served method, sorted by service then name.
    pub fn methods(&self) -> impl Iterator<Item = &'static MethodDescriptor> + '_ {
        let mut methods: Vec<_> = self.inner.methods.values().copied().collect();
        methods.sort_by_key(|m| (m.service, m.name));
        methods.into_iter()
    }

    /// The input limits.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// The event listeners, in registration order.
    pub fn listeners(&self) -> &[Arc<dyn EventListener>] {
        &self.inner.listeners
    }

    /// The event listeners with the events each is given.
    pub(crate) fn listeners_of(
        &self,
        event: Event,
    ) -> impl Iterator<Item = &Arc<dyn EventListener>> + '_ {
        self.inner
            .listeners
            .iter()
            .zip(&self.inner.listener_events)
            .filter(move |(_, events)| events.contains(event))
            .map(|(listener, _)| listener)
    }

    /// Every event some listener is given.
    pub(crate) fn wanted_events(&self) -> Events {
        self.inner.wanted_events
    }

    /// Whether the servers of this application record call metrics
    /// ([`ApplicationBuilder::metrics`]).
    pub fn metered(&self) -> bool {
        self.inner.metered
    }

    /// Where replies may be delivered as calls, if anywhere.
    pub fn then_replies(&self) -> Option<&ThenReplies> {
        self.inner.then_replies.as_deref()
    }

    /// What checks signed requests, when the application requires them
    /// ([`ApplicationBuilder::signatures`]).
    pub fn signatures(&self) -> Option<&Verifier> {
        self.inner.signatures.as_ref()
    }

    /// The call wrapper, if one was set.
    pub fn call_wrapper(&self) -> Option<&Arc<dyn CallWrapper>> {
        self.inner.call_wrapper.as_ref()
    }

    /// The shared state of type `T`, for a method or a service that needs
    /// it: its absence is a bug of the setup, logged as an error.
    ///
    /// # Errors
    /// A `Server` fault if the builder was given no `T`.
    pub fn state<T: Send + Sync + 'static>(&self) -> Result<State<T>, Fault> {
        self.try_state().ok_or_else(|| {
            tracing::error!(state = std::any::type_name::<T>(), "state not registered");
            Fault::server("internal error: service state missing")
        })
    }

    /// The shared state of type `T`, if the builder was given one: a probe
    /// (does this application serve what needs it?), which logs nothing.
    ///
    /// ```
    /// let app = switchboard::Application::builder().state(42_u32).build()?;
    /// assert_eq!(app.try_state::<u32>().map(|n| *n), Some(42));
    /// assert!(app.try_state::<String>().is_none());
    /// # Ok::<(), switchboard::BuildError>(())
    /// ```
    pub fn try_state<T: Send + Sync + 'static>(&self) -> Option<State<T>> {
        self.inner.state.get::<T>()
    }
}

impl fmt::Debug for Application {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.methods().map(|m| m.name).collect();
        f.debug_struct("Application")
            .field("methods", &names)
            .field("limits", &self.inner.limits)
            .field("listeners", &self.inner.listeners.len())
            .field("signatures", &self.inner.signatures)
            .finish_non_exhaustive()
    }
}

/// Builds an [`Application`].
#[derive(Default)]
pub struct ApplicationBuilder {
    services: Option<Vec<String>>,
    methods: Vec<String>,
    descriptors: Vec<&'static MethodDescriptor>,
    state: StateMap,
    limits: Limits,
    listeners: Vec<Arc<dyn EventListener>>,
    call_wrapper: Option<Arc<dyn CallWrapper>>,
    unmetered: bool,
    then_replies: Option<Arc<ThenReplies>>,
    signatures: Option<Verifier>,
}

impl ApplicationBuilder {
    /// Whether servers of the application record call metrics
    /// ([`telemetry`](crate::telemetry)); on by default. Off, a call reads
    /// no clock and touches no metric.
    #[must_use]
    pub fn metrics(mut self, on: bool) -> Self {
        self.unmetered = !on;
        self
    }

    /// Requires every request to be signed by one of the verifier's
    /// secrets ([`signing`](crate::signing)): on every transport serving
    /// the application, a request without a good, recent signature is
    /// refused with `Client.Unauthorized` before its body is read, and no
    /// method runs.
    #[must_use]
    pub fn signatures(mut self, verifier: Verifier) -> Self {
        self.signatures = Some(verifier);
        self
    }

    /// Serves only these services (default: every registered one).
    #[must_use]
    pub fn services<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.services = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Also serves one method of another service, by `service.method` name.
    #[must_use]
    pub fn method(mut self, qualified_name: impl Into<String>) -> Self {
        self.methods.push(qualified_name.into());
        self
    }

    /// Also serves a method that no `#[rpc]` registered: a protocol's own
    /// method, such as JSON-RPC's `rpc.discover`, which only the
    /// applications that ask for it serve.
    #[must_use]
    pub fn descriptor(mut self, method: &'static MethodDescriptor) -> Self {
        self.descriptors.push(method);
        self
    }

    /// Adds shared state, injected into `State<T>` parameters.
    #[must_use]
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(Arc::new(value));
        self
    }

    /// Adds shared state already in an `Arc`.
    #[must_use]
    pub fn shared_state<T: Send + Sync + 'static>(mut self, value: Arc<T>) -> Self {
        self.state.insert(value);
        self
    }

    /// Sets the input limits.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Changes the input limits set so far with `change`: for a setup
    /// function that needs one limit raised and must keep the rest as the
    /// caller set them.
    ///
    /// ```
    /// use switchboard::{Application, Limits};
    ///
    /// let builder = Application::builder().limits(Limits { max_depth: 8, ..Limits::default() });
    /// // A service taking large uploads raises the body limit only.
    /// let builder = builder.map_limits(|limits| Limits {
    ///     max_body_bytes: limits.max_body_bytes.max(64 << 20),
    ///     ..limits
    /// });
    /// # let app = builder.services(Vec::<String>::new()).build().unwrap();
    /// # assert_eq!(app.limits().max_depth, 8);
    /// # assert_eq!(app.limits().max_body_bytes, 64 << 20);
    /// ```
    #[must_use]
    pub fn map_limits(mut self, change: impl FnOnce(Limits) -> Limits) -> Self {
        self.limits = change(self.limits);
        self
    }

    /// Adds an event listener.
    #[must_use]
    pub fn listener(mut self, listener: impl EventListener) -> Self {
        self.listeners.push(Arc::new(listener));
        self
    }

    /// Replaces the default call wrapper (which just calls the function).
    #[must_use]
    pub fn call_wrapper(mut self, wrapper: impl CallWrapper) -> Self {
        self.call_wrapper = Some(Arc::new(wrapper));
        self
    }

    /// Delivers replies as calls ([`Then`](crate::Then)) to the addresses
    /// `replies` allows; without it, a call asking for that is refused
    /// with `Client.Unauthorized`.
    #[must_use]
    pub fn then_replies(mut self, replies: ThenReplies) -> Self {
        self.then_replies = Some(Arc::new(replies));
        self
    }

    /// Builds the application.
    ///
    /// # Errors
    /// [`BuildError`] for an unknown service or method, two methods with one
    /// wire name, a `State<T>` parameter without its state, or a `created`
    /// location naming a field the result does not have.
    pub fn build(self) -> Result<Application, BuildError> {
        let selected = self.select()?;
        let mut methods = MethodMap::with_capacity_and_hasher(selected.len(), Default::default());
        for method in selected {
            check_state(&self.state, method)?;
            check_created(method)?;
            if let Some(first) = methods.insert(method.name, method) {
                if std::ptr::eq(first, method) {
                    continue;
                }
                let (first, second) = ordered(first, method);
                return Err(BuildError::DuplicateMethod {
                    name: method.name,
                    first: first.rust_path,
                    first_at: first.location,
                    second: second.rust_path,
                    second_at: second.location,
                });
            }
        }
        let listener_events: Vec<Events> = self.listeners.iter().map(|l| l.events()).collect();
        let wanted_events = listener_events
            .iter()
            .fold(Events::NONE, |all, events| all.union(*events));
        Ok(Application {
            inner: Arc::new(Inner {
                methods,
                state: self.state,
                limits: self.limits,
                listeners: self.listeners,
                listener_events,
                wanted_events,
                call_wrapper: self.call_wrapper,
                metered: !self.unmetered,
                then_replies: self.then_replies,
                signatures: self.signatures,
            }),
        })
    }

    fn select(&self) -> Result<Vec<&'static MethodDescriptor>, BuildError> {
        let all: Vec<_> = registry::registered().collect();
        let mut selected: Vec<_> = match &self.services {
            None => all.clone(),
            Some(names) => {
                let known = registry::services();
                if let Some(missing) = names.iter().find(|n| !known.contains(&n.as_str())) {
                    return Err(BuildError::UnknownService {
                        name: missing.clone(),
                        known: known.join(", "),
                    });
                }
                all.iter()
                    .copied()
                    .filter(|m| names.iter().any(|n| n == m.service))
                    .collect()
            }
        };
        for name in &self.methods {
            let found = all.iter().find(|m| {
                name.split_once('.')
                    .is_some_and(|(service, method)| m.service == service && m.name == method)
            });
            match found {
                Some(method) => selected.push(method),
                None => return Err(BuildError::UnknownMethod { name: name.clone() }),
            }
        }
        selected.extend(self.descriptors.iter().copied());
        Ok(selected)
    }
}

/// Orders two definitions by path, so the error text does not depend on
/// link order.
fn ordered(
    a: &'static MethodDescriptor,
    b: &'static MethodDescriptor,
) -> (&'static MethodDescriptor, &'static MethodDescriptor) {
    if (a.rust_path, a.location) <= (b.rust_path, b.location) {
        (a, b)
    } else {
        (b, a)
    }
}

fn check_state(state: &StateMap, method: &'static MethodDescriptor) -> Result<(), BuildError> {
    match method
        .states
        .iter()
        .find(|req| !state.contains((req.type_id)()))
    {
        Some(req) => Err(BuildError::MissingState {
            method: method.name,
            type_name: (req.type_name)(),
        }),
        None => Ok(()),
    }
}

/// The `created` template's placeholders must be fillable (see [`created`]).
fn check_created(method: &'static MethodDescriptor) -> Result<(), BuildError> {
    match created::unfilled(method) {
        Some(unfilled) => Err(BuildError::UnfilledLocation {
            method: method.name,
            location: method.location,
            template: method.created.unwrap_or_default(),
            placeholder: unfilled.placeholder,
            fields: unfilled.fields,
        }),
        None => Ok(()),
    }
}

fn describe_fields(fields: &[String]) -> String {
    if fields.is_empty() {
        return "the result has no fields".to_owned();
    }
    let listed: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
    format!("the result has {}", listed.join(", "))
}

impl fmt::Debug for ApplicationBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplicationBuilder")
            .field("services", &self.services)
            .field("methods", &self.methods)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}
