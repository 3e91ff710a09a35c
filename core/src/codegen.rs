//! What `#[rpc]` and `#[derive(Validate)]` expand to calls of (as tonic's
//! `codegen`). Not a stable API: only the macros use it.

pub use erased_serde;
pub use inventory;
pub use regex::Regex;
pub use schemars;
pub use serde;

pub use crate::method::{CallStruct, Invoked};
pub use crate::registry::Registration;

use std::any::TypeId;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::method::{Args, Reply, SchemaFn, StateRequirement};
use crate::protocol::ProtocolError;
use crate::validate::Validate;
use crate::{Fault, MethodContext, State};

/// Decodes the argument struct `T` from a protocol's deserializer.
pub fn deserialize_args<T: DeserializeOwned + Send + Sync + 'static>(
    de: &mut dyn erased_serde::Deserializer<'_>,
) -> Result<Args, erased_serde::Error> {
    erased_serde::deserialize::<T>(de).map(Args::new)
}

/// Decodes the argument struct `T` from JSON text, requiring nothing after it.
pub fn deserialize_json_args<T: DeserializeOwned + Send + Sync + 'static>(
    json: &[u8],
) -> Result<Args, serde_json::Error> {
    serde_json::from_slice::<T>(json).map(Args::new)
}

/// Runs `run` on the arguments, which must be a `T` (else a `Server` fault:
/// a descriptor bug, not input).
pub fn invoke_args<'a, T: 'static>(
    ctx: &'a MethodContext,
    args: Args,
    run: fn(&'a MethodContext, T) -> Invoked<'a>,
) -> Invoked<'a> {
    match args.downcast::<T>() {
        Ok(args) => run(ctx, args),
        Err(fault) => Invoked::ready(Err(fault)),
    }
}

/// Decodes the argument struct `T` from JSON text, checks it and runs `run`
/// on it, with no type erasure in between.
///
/// # Errors
/// `Client.InvalidParams` if the text does not decode (the fault the JSON
/// protocols' [`InProtocol::deserialize`](crate::InProtocol::deserialize)
/// gives), `Client.Validation` if a constraint fails; the function's own
/// fault is the result inside the `Invoked`.
pub fn invoke_json_args<'a, T: DeserializeOwned + Validate>(
    ctx: &'a MethodContext,
    json: &[u8],
    run: fn(&'a MethodContext, T) -> Invoked<'a>,
) -> Result<Invoked<'a>, Fault> {
    // Read as text, as the JSON protocols read the request around it: one
    // reader type means one copy of the parser's code in the instruction
    // cache, which the whole pipeline otherwise overflows.
    let invalid = |err: &dyn std::fmt::Display| ProtocolError::InvalidParams(err.to_string());
    let text = std::str::from_utf8(json).map_err(|err| invalid(&err))?;
    let args: T = serde_json::from_str(text).map_err(|err| invalid(&err))?;
    args.validate()?;
    Ok(run(ctx, args))
}

/// Checks the argument struct `T`.
pub fn validate_args<T: Validate + 'static>(args: &Args) -> Result<(), Fault> {
    match args.downcast_ref::<T>() {
        Some(args) => args.validate(),
        None => Err(Fault::server("internal error: argument type mismatch")),
    }
}

/// The schema of `T`.
pub fn schema_for<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// The schema of the argument struct `T`, inlined (not a `$ref`).
pub fn args_schema_for<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    T::json_schema(generator)
}

/// The state requirement for `State<T>`. Only `'static`: [`state`] checks
/// the rest, so that unfit state is reported once.
pub const fn state_requirement<T: 'static>() -> StateRequirement {
    StateRequirement {
        type_id: TypeId::of::<T>,
        type_name: std::any::type_name::<T>,
    }
}

/// A type a `State<T>` parameter can inject. It exists for its error
/// message: without it, a `T` that is not `Sync` is reported as a bare
/// unsatisfied bound, once per place that needs it, naming its innermost
/// field (`RefCell<..>`) rather than the fix.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be shared state: one value serves every call, on many threads at once",
    label = "shared state must be `Send + Sync + 'static`",
    note = "wrap what is not `Sync` in a `std::sync::Mutex` (`State<Mutex<{Self}>>`, or a `Mutex` field), or keep a pool of them"
)]
pub trait SharedState: Send + Sync + 'static {}

// `do_not_recommend`: the error names `SharedState`'s fix rather than the
// innermost field that is not `Sync`.
#[diagnostic::do_not_recommend]
impl<T: Send + Sync + 'static> SharedState for T {}

/// Fetches `State<T>` for an injected parameter; the macro spans the call at
/// the parameter's type, so unfit state is reported there.
///
/// # Errors
/// A `Server` fault if it is missing (the builder prevents that).
pub fn state<T: SharedState>(ctx: &MethodContext) -> Result<State<T>, Fault> {
    ctx.state::<T>()
}

/// A type an `#[rpc]` function can return (the `T` of `Result<T, E>`). It
/// exists for its error message, as [`WireType`] does for parameters.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an #[rpc] result: it is sent in the reply",
    label = "result types must implement `Serialize`, `Deserialize`, `JsonSchema`, `Send` and `Sync`",
    note = "for your own type, add `#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]` to it; for a foreign type, wrap it in one that does"
)]
pub trait ReplyType: Serialize + DeserializeOwned + JsonSchema + Send + Sync + 'static {}

// `do_not_recommend`: a type missing several traits gets one error, this
// trait's, rather than a bare unsatisfied bound per missing trait.
#[diagnostic::do_not_recommend]
impl<T: Serialize + DeserializeOwned + JsonSchema + Send + Sync + 'static> ReplyType for T {}

/// How to send and describe a function's result of type `T`.
#[derive(Debug)]
pub struct ReplyFns<T> {
    /// Wraps the value for the out protocol.
    pub reply: fn(T) -> Reply,
    /// The type's schema.
    pub schema: SchemaFn,
}

/// The one place the result type's bounds are checked: the macro emits a
/// `const` of it spanned at the return type, and everything else that needs
/// the result's traits goes through the functions it holds.
pub const fn reply_fns<T: ReplyType>() -> ReplyFns<T> {
    ReplyFns {
        reply: Reply::new::<T>,
        schema: schema_for::<T>,
    }
}

/// Wraps a plain return value.
pub fn ok_reply<T>(value: T, fns: &ReplyFns<T>) -> Result<Reply, Fault> {
    Ok((fns.reply)(value))
}

/// Wraps a `Result` return value.
pub fn result_reply<T, E: Into<Fault>>(
    value: Result<T, E>,
    fns: &ReplyFns<T>,
) -> Result<Reply, Fault> {
    value.map(fns.reply).map_err(Into::into)
}

/// The invocation of an `async fn`.
pub fn pending<'a, F>(future: F) -> Invoked<'a>
where
    F: std::future::Future<Output = Result<Reply, Fault>> + Send + 'a,
{
    Invoked::pending(future)
}

/// The invocation of a plain `fn`, which `run` runs now.
pub fn ready<'a>(run: impl FnOnce() -> Result<Reply, Fault>) -> Invoked<'a> {
    Invoked::ready(run())
}

/// A type an `#[rpc]` parameter can have. It exists for its error message:
/// without it, a parameter type missing a trait is reported as a bare
/// unsatisfied bound inside this module.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an #[rpc] parameter: it is decoded from the request",
    label = "parameter types must implement `Serialize`, `Deserialize`, `JsonSchema`, `Send` and `Sync`",
    note = "for your own type, add `#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]` to it; for a foreign type, wrap it in one that does",
    note = "or, if it is not sent by the caller, inject it with a `State<{Self}>` parameter"
)]
pub trait WireType {}

impl<T: Serialize + DeserializeOwned + JsonSchema + Send + Sync + 'static> WireType for T {}

/// Asserts at compile time that an argument type can travel on the wire;
/// the macro calls it with each parameter's span, so the error points at the
/// parameter.
pub const fn assert_wire_type<T: WireType>() {}
