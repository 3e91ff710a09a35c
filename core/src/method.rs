//! Method descriptors: what `#[rpc]` registers for each function, and the
//! type-erased values that travel between protocol and function.

use std::any::{Any, TypeId};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde::de::DeserializeOwned;

// `MethodContext` is the one name this module takes from above it: a
// descriptor's `invoke` runs the function with the call's context, and the
// context holds the `Application`, which holds the descriptors. Those types
// name one another; everything else here needs only `Fault`.
use crate::context::MethodContext;
use crate::fault::Fault;

/// A boxed, sendable future, as stored in descriptors.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The decoded arguments of one call, type-erased between protocol and
/// function. Holds the call struct `#[rpc]` generated (e.g. `Echo { s }`).
pub struct Args(Box<dyn Any + Send + Sync>);

impl Args {
    /// Wraps decoded arguments.
    pub fn new<T: Send + Sync + 'static>(args: T) -> Self {
        Self(Box::new(args))
    }

    /// The arguments as `T`, if they are a `T`.
    pub fn downcast_ref<T: 'static>(&self) -> Option<&T> {
        self.0.downcast_ref()
    }

    /// Takes the arguments out as `T`.
    ///
    /// # Errors
    /// A `Server` fault if they are not a `T` (a descriptor bug, not input).
    pub fn downcast<T: 'static>(self) -> Result<T, Fault> {
        self.0
            .downcast()
            .map(|boxed| *boxed)
            .map_err(|_| Fault::server("internal error: argument type mismatch"))
    }
}

impl fmt::Debug for Args {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Args(..)")
    }
}

/// A function's successful return value, ready for any out protocol.
///
/// The common result types (`String`, `bool`, the usual integers, `f64`,
/// `()`) are stored inline; any other is boxed. A reply is made for every
/// call, and most functions return one of these.
pub struct Reply(Repr);

enum Repr {
    Unit(()),
    Bool(bool),
    I32(i32),
    I64(i64),
    U32(u32),
    U64(u64),
    F64(f64),
    String(String),
    Boxed(Box<dyn ReplyValue>),
}

/// A return value: serializable by any format through `erased_serde`, and
/// straight to JSON without the erased indirection (JSON is the hot path of
/// most protocols and queues).
trait ReplyValue: erased_serde::Serialize + Send + Sync {
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error>;
    fn as_erased(&self) -> &(dyn erased_serde::Serialize + Send + Sync);
}

impl<T: Serialize + Send + Sync> ReplyValue for T {
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        serde_json::to_writer(out, self)
    }

    fn as_erased(&self) -> &(dyn erased_serde::Serialize + Send + Sync) {
        self
    }
}

impl Repr {
    /// `value` stored inline, if it is of one of the inline types. A
    /// `String` is taken out, leaving an empty one that costs nothing to
    /// drop. The type tests fold to constants once `T` is known.
    #[inline]
    fn inline(value: &mut dyn Any) -> Option<Self> {
        if let Some(text) = value.downcast_mut::<String>() {
            return Some(Self::String(std::mem::take(text)));
        }
        let value: &dyn Any = value;
        if value.is::<()>() {
            return Some(Self::Unit(()));
        }
        let copied = [
            value.downcast_ref().copied().map(Self::Bool),
            value.downcast_ref().copied().map(Self::I32),
            value.downcast_ref().copied().map(Self::I64),
            value.downcast_ref().copied().map(Self::U32),
            value.downcast_ref().copied().map(Self::U64),
            value.downcast_ref().copied().map(Self::F64),
        ];
        copied.into_iter().flatten().next()
    }

    fn as_value(&self) -> &(dyn erased_serde::Serialize + Send + Sync) {
        match self {
            Self::Unit(value) => value,
            Self::Bool(value) => value,
            Self::I32(value) => value,
            Self::I64(value) => value,
            Self::U32(value) => value,
            Self::U64(value) => value,
            Self::F64(value) => value,
            Self::String(value) => value,
            Self::Boxed(value) => value.as_erased(),
        }
    }
}

impl Reply {
    /// Wraps a return value.
    #[inline]
    pub fn new<T: Serialize + Send + Sync + 'static>(mut value: T) -> Self {
        match Repr::inline(&mut value) {
            Some(repr) => Self(repr),
            None => Self(Repr::Boxed(Box::new(value))),
        }
    }

    /// The value, for serializing with any `serde` serializer through
    /// [`erased_serde::serialize`].
    pub fn value(&self) -> &(dyn erased_serde::Serialize + Send + Sync) {
        self.0.as_value()
    }

    /// Appends the value as JSON to `out` (monomorphized: no erased calls).
    ///
    /// # Errors
    /// If the value refuses to serialize (a map with non-string keys).
    pub fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        match &self.0 {
            Repr::Unit(value) => serde_json::to_writer(out, value),
            Repr::Bool(value) => serde_json::to_writer(out, value),
            Repr::I32(value) => serde_json::to_writer(out, value),
            Repr::I64(value) => serde_json::to_writer(out, value),
            Repr::U32(value) => serde_json::to_writer(out, value),
            Repr::U64(value) => serde_json::to_writer(out, value),
            Repr::F64(value) => serde_json::to_writer(out, value),
            Repr::String(value) => serde_json::to_writer(out, value),
            Repr::Boxed(value) => value.write_json(out),
        }
    }
}

impl Serialize for Reply {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        erased_serde::serialize(self.value(), serializer)
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Reply(..)")
    }
}

/// Decodes a method's arguments from any protocol's deserializer.
pub type DeserializeFn =
    fn(&mut dyn erased_serde::Deserializer<'_>) -> Result<Args, erased_serde::Error>;

/// Decodes a method's arguments from JSON text, monomorphized (the JSON
/// protocols' fast path; equivalent to [`DeserializeFn`] over `serde_json`).
pub type DeserializeJsonFn = fn(&[u8]) -> Result<Args, serde_json::Error>;

/// Checks the declared constraints of decoded arguments.
pub type ValidateFn = fn(&Args) -> Result<(), Fault>;

/// Runs the function with decoded arguments.
pub type InvokeFn = for<'a> fn(&'a MethodContext, Args) -> Invoked<'a>;

/// Decodes the arguments from JSON text, checks them and runs the function,
/// in one step and without type erasure: the pipeline's path for calls that
/// no listener observes and no call wrapper wraps, in protocols whose
/// parameters are JSON ([`InProtocol::json_params`](crate::InProtocol::json_params)).
///
/// `Err` is the fault of arguments that do not decode (`Client.InvalidParams`)
/// or break a constraint (`Client.Validation`), as [`DeserializeJsonFn`] then
/// [`ValidateFn`] would give; the function's own result is inside the
/// [`Invoked`].
pub type InvokeJsonFn = for<'a> fn(&'a MethodContext, &[u8]) -> Result<Invoked<'a>, Fault>;

/// What running a function gives: its result at once (a plain `fn`, which
/// ran during the call) or a future (an `async fn`). Either way it is a
/// future of the result, so `next.run().await` reads the same for both;
/// the pipeline takes a ready result without allocating or polling.
pub struct Invoked<'a>(InvokedInner<'a>);

enum InvokedInner<'a> {
    /// `None` once taken by a poll.
    Ready(Option<Result<Reply, Fault>>),
    Pending(BoxFuture<'a, Result<Reply, Fault>>),
}

impl<'a> Invoked<'a> {
    /// A function that already returned.
    pub fn ready(result: Result<Reply, Fault>) -> Self {
        Self(InvokedInner::Ready(Some(result)))
    }

    /// A function still to be polled.
    pub fn pending<F>(future: F) -> Self
    where
        F: Future<Output = Result<Reply, Fault>> + Send + 'a,
    {
        Self(InvokedInner::Pending(Box::pin(future)))
    }

    /// A future that is already boxed (a call wrapper's).
    pub(crate) fn boxed(future: BoxFuture<'a, Result<Reply, Fault>>) -> Self {
        Self(InvokedInner::Pending(future))
    }

    /// The result, if the function already returned; else `self` back.
    pub(crate) fn into_ready(self) -> Result<Result<Reply, Fault>, Self> {
        match self.0 {
            InvokedInner::Ready(Some(result)) => Ok(result),
            inner => Err(Self(inner)),
        }
    }
}

impl Future for Invoked<'_> {
    type Output = Result<Reply, Fault>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().0 {
            InvokedInner::Ready(result) => Poll::Ready(result.take().unwrap_or_else(|| {
                Err(Fault::server(
                    "internal error: a call was polled after it finished",
                ))
            })),
            InvokedInner::Pending(future) => future.as_mut().poll(cx),
        }
    }
}

impl fmt::Debug for Invoked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.0 {
            InvokedInner::Ready(_) => "ready",
            InvokedInner::Pending(_) => "pending",
        };
        f.debug_tuple("Invoked").field(&state).finish()
    }
}

/// Builds a JSON Schema for a parameter or a return type.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// One wire parameter of a method (injected parameters are not listed).
#[derive(Debug, Clone, Copy)]
pub struct ParamDescriptor {
    /// The parameter's wire name.
    pub name: &'static str,
    /// Its Rust type, as written.
    pub rust_type: &'static str,
    /// Its schema, with any declared constraints.
    pub schema: SchemaFn,
    /// Whether a caller may leave it out (`Option<T>` parameters).
    pub optional: bool,
}

/// A shared-state type a method needs (a `State<T>` parameter).
#[derive(Debug, Clone, Copy)]
pub struct StateRequirement {
    /// The state's type id.
    pub type_id: fn() -> TypeId,
    /// The state's type name, for errors.
    pub type_name: fn() -> &'static str,
}

/// Everything switchboard knows about one `#[rpc]` function.
///
/// Built by the macro as a `static` and registered with `inventory`.
#[derive(Clone, Copy)]
pub struct MethodDescriptor {
    /// The method's wire name (the function name unless renamed).
    pub name: &'static str,
    /// The service it belongs to.
    pub service: &'static str,
    /// The Rust path of the function, for errors (`my_crate::maps::create_map`).
    pub rust_path: &'static str,
    /// Where it is defined (`file:line`).
    pub location: &'static str,
    /// The doc comment.
    pub doc: &'static str,
    /// The wire parameters, in order (positional calls use this order).
    pub params: &'static [ParamDescriptor],
    /// The return type's schema (`()` for none).
    pub returns: SchemaFn,
    /// The full argument struct's schema (an object of the parameters).
    pub args_schema: SchemaFn,
    /// One-way methods send no reply on transports that can skip it.
    pub one_way: bool,
    /// An HTTP route binding, `"GET /api/maps/{slug}/"`.
    pub http: Option<&'static str>,
    /// The path template of the resource a creation returns (`201` + `Location`).
    pub created: Option<&'static str>,
    /// Fault codes the method declares it may return.
    pub throws: &'static [&'static str],
    /// Shared state the method needs.
    pub states: &'static [StateRequirement],
    /// Decodes the arguments from any format.
    pub deserialize: DeserializeFn,
    /// Decodes the arguments from JSON, without type erasure.
    pub deserialize_json: DeserializeJsonFn,
    /// Checks declared constraints.
    pub validate: ValidateFn,
    /// Runs the function.
    pub invoke: InvokeFn,
    /// Decodes JSON arguments, checks them and runs the function, in one step.
    pub invoke_json: InvokeJsonFn,
}

impl MethodDescriptor {
    /// `service.name`, unique within an application.
    pub fn qualified_name(&self) -> String {
        format!("{}.{}", self.service, self.name)
    }
}

impl fmt::Debug for MethodDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MethodDescriptor")
            .field("name", &self.name)
            .field("service", &self.service)
            .field("rust_path", &self.rust_path)
            .field("one_way", &self.one_way)
            .finish_non_exhaustive()
    }
}

/// A typed call: the argument struct `#[rpc]` generates for each function
/// (`fn echo(s: String)` gives `Echo { s }`), used by [`Client::call`](crate::Client::call).
///
/// The call struct is what the request's params decode into, and it refuses
/// fields the function has no parameter for, rather than dropping them:
///
/// ```
/// use switchboard::{rpc, Application};
///
/// /// Orders `quantity` of `item`.
/// #[rpc(service = "shop")]
/// fn order(item: String, quantity: u32) -> String {
///     format!("{quantity} x {item}")
/// }
///
/// let call: Order = serde_json::from_str(r#"{"item": "tea", "quantity": 2}"#)?;
/// assert_eq!((call.item.as_str(), call.quantity), ("tea", 2));
/// let typo = r#"{"item": "tea", "quantiy": 2}"#;
/// let err = serde_json::from_str::<Order>(typo).map(drop).unwrap_err();
/// assert!(err.to_string().starts_with("unknown field `quantiy`"), "{err}");
///
/// // What protocols decode with; they answer `Client.InvalidParams`.
/// let app = Application::builder().services(["shop"]).build()?;
/// let method = app.method("order").unwrap();
/// let extra = br#"{"item": "tea", "quantity": 2, "gift": true}"#;
/// let err = (method.deserialize_json)(extra).unwrap_err();
/// assert!(err.to_string().starts_with("unknown field `gift`"), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// `#[rpc]` implements it through a blanket impl over what it generates
/// (`codegen::CallStruct`), so that a result type missing a trait is
/// reported once, by the macro's own check at the return type, rather than
/// again by this trait's bounds.
pub trait Method: Serialize + DeserializeOwned + JsonSchema + Send + Sync + 'static {
    /// What the function returns on success.
    type Output: Serialize + DeserializeOwned + Send + Sync + 'static;
    /// The method's wire name.
    const NAME: &'static str;
    /// Whether the method is one-way (no reply expected).
    const ONE_WAY: bool;
    /// The registered descriptor.
    fn descriptor() -> &'static MethodDescriptor;
}

/// What `#[rpc]` implements for its call struct; [`Method`] follows from it.
/// It puts no bound on `Output`: the macro checks the result type once, with
/// `codegen::reply_fns`, so that an unfit one gets a single error naming the
/// fix rather than one per bound that needs it.
///
/// Named by the macro as `switchboard::codegen::CallStruct`; it is defined
/// here, beside [`Method`], so that this module needs nothing from `codegen`.
#[doc(hidden)]
pub trait CallStruct {
    /// What the function returns on success.
    type Output;
    /// The method's wire name.
    const NAME: &'static str;
    /// Whether the method is one-way (no reply expected).
    const ONE_WAY: bool;
    /// The registered descriptor.
    fn descriptor() -> &'static MethodDescriptor;
}

impl<C> Method for C
where
    C: CallStruct + Serialize + DeserializeOwned + JsonSchema + Send + Sync + 'static,
    C::Output: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    type Output = C::Output;
    const NAME: &'static str = C::NAME;
    const ONE_WAY: bool = C::ONE_WAY;
    fn descriptor() -> &'static MethodDescriptor {
        C::descriptor()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reply's JSON, written directly and through the erased path.
    fn both_ways(reply: &Reply) -> Result<(String, String), serde_json::Error> {
        let mut direct = Vec::new();
        reply.write_json(&mut direct)?;
        let direct = String::from_utf8(direct).unwrap_or_default();
        Ok((direct, serde_json::to_string(reply)?))
    }

    #[test]
    fn inline_and_boxed_replies_serialize_as_their_value() -> Result<(), serde_json::Error> {
        let cases = [
            (Reply::new("hello".to_owned()), r#""hello""#),
            (Reply::new(()), "null"),
            (Reply::new(true), "true"),
            (Reply::new(-3i32), "-3"),
            (Reply::new(-4i64), "-4"),
            (Reply::new(5u32), "5"),
            (Reply::new(u64::MAX), "18446744073709551615"),
            (Reply::new(0.25f64), "0.25"),
            (Reply::new(7u8), "7"),
            (Reply::new(vec!["a", "b"]), r#"["a","b"]"#),
        ];
        for (reply, expected) in &cases {
            let (direct, erased) = both_ways(reply)?;
            assert_eq!((direct.as_str(), erased.as_str()), (*expected, *expected));
        }
        Ok(())
    }
}
