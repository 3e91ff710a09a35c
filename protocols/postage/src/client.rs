//! The caller's side: a call as a `command` message, a `result` message
//! as the call's value or fault.
//!
//! A result's fault code is `_reserved.fault.code` when the server wrote
//! one (switchboard servers do); otherwise, for Postage programs:
//!
//! | `content.type` | fault |
//! |---|---|
//! | `error` | `Client`, with `message` (a foreseen, documented failure) |
//! | `exception`, `value` a fault code (`Client...`, `Server...`) | that code, with `message` |
//! | `exception`, `value` a Python exception name (`ValueError`) | `Server.ValueError`, with `message`; [`TIMEOUT_ERROR`](crate::TIMEOUT_ERROR) for `TimeoutError` |
//! | `exception`, any other `value` | `Server`, the value in the fault's detail |

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use switchboard::protocol::{OutgoingCall, ProtocolError, ReplySink};
use switchboard::{Fault, code};

use crate::wire;

/// A command as a client sends it.
#[derive(Serialize)]
struct Command<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    category: &'static str,
    version: &'static str,
    fingerprint: &'a RawValue,
    content: CommandContent<'a>,
    #[serde(rename = "_reserved")]
    reserved: Empty,
}

#[derive(Serialize)]
struct CommandContent<'a> {
    parameters: &'a (dyn erased_serde::Serialize + Sync),
}

#[derive(Serialize)]
struct Empty {}

/// `call` as a command from `fingerprint` (its JSON form): `rpc` when it
/// waits for a reply (it has an id), `message` otherwise.
pub(crate) fn encode(call: OutgoingCall<'_>, fingerprint: &str) -> Result<Vec<u8>, ProtocolError> {
    let fingerprint: &RawValue =
        serde_json::from_str(fingerprint).map_err(|err| ProtocolError::Encode(Box::new(err)))?;
    let command = Command {
        kind: wire::COMMAND,
        name: call.method,
        category: if call.id.is_some() {
            wire::CATEGORY_RPC
        } else {
            wire::CATEGORY_MESSAGE
        },
        version: wire::VERSION,
        fingerprint,
        content: CommandContent {
            parameters: call.params,
        },
        reserved: Empty {},
    };
    serde_json::to_vec(&command).map_err(|err| ProtocolError::Encode(Box::new(err)))
}

#[derive(Deserialize)]
struct ReplyHead<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    content: &'a RawValue,
    #[serde(rename = "_reserved", default)]
    reserved: Option<ReservedPart>,
}

#[derive(Deserialize)]
struct ReservedPart {
    #[serde(default)]
    fault: Option<FaultPart>,
}

#[derive(Deserialize)]
struct FaultPart {
    code: String,
    #[serde(default)]
    detail: Option<Value>,
}

#[derive(Deserialize)]
struct ResultContent<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    value: Option<&'a RawValue>,
    #[serde(default)]
    message: Option<String>,
}

/// Reads a `result` message: hands a success's value to `sink`, or gives
/// the fault.
pub(crate) fn decode(
    bytes: &[u8],
    sink: &mut ReplySink<'_>,
) -> Result<Result<(), Fault>, ProtocolError> {
    let unexpected = |why: String| ProtocolError::UnexpectedReply(why);
    let head: ReplyHead<'_> = serde_json::from_slice(bytes)
        .map_err(|err| unexpected(format!("not a Postage message: {err}")))?;
    if head.kind != wire::RESULT {
        return Err(unexpected(format!(
            "a Postage `{}` message, not a `result`",
            head.kind
        )));
    }
    let content: ResultContent<'_> = serde_json::from_str(head.content.get())
        .map_err(|err| unexpected(format!("not a result's content: {err}")))?;
    let message = content.message.unwrap_or_default();
    let known = head.reserved.and_then(|r| r.fault);
    match content.kind.as_ref() {
        wire::SUCCESS => {
            let text = content.value.map_or("null", RawValue::get);
            let mut json = serde_json::Deserializer::from_str(text);
            let mut erased = <dyn erased_serde::Deserializer<'_>>::erase(&mut json);
            sink(&mut erased).map_err(|err| unexpected(format!("result does not fit: {err}")))?;
            Ok(Ok(()))
        }
        wire::ERROR => Ok(Err(with_known(Fault::new(code::CLIENT, message), known))),
        wire::EXCEPTION => Ok(Err(with_known(exception(content.value, message), known))),
        other => Err(unexpected(format!("unknown result type `{other}`"))),
    }
}

/// The fault with the code and detail a switchboard server wrote in
/// `_reserved`, if it did.
fn with_known(fault: Fault, known: Option<FaultPart>) -> Fault {
    match known {
        Some(part) => {
            let mut out = Fault::new(part.code, fault.message().to_owned());
            out.detail = part.detail;
            out
        }
        None => fault,
    }
}

/// An `exception` result from a program that wrote no code of its own.
fn exception(value: Option<&RawValue>, message: String) -> Fault {
    let name: Option<String> = value.and_then(|raw| serde_json::from_str(raw.get()).ok());
    match name.as_deref() {
        Some(name) if is_fault_code(name) => Fault::new(name.to_owned(), message),
        Some("TimeoutError") => Fault::new(wire::TIMEOUT_ERROR, message),
        Some(name) if is_identifier(name) => Fault::new(format!("Server.{name}"), message),
        _ => {
            let detail = value
                .and_then(|raw| serde_json::from_str(raw.get()).ok())
                .unwrap_or(Value::Null);
            Fault::new(code::SERVER, message).with_detail(serde_json::json!({"value": detail}))
        }
    }
}

/// `Client`, `Server` or one of their dotted sub-codes.
fn is_fault_code(name: &str) -> bool {
    let fault = Fault::new(name.to_owned(), String::new());
    (fault.has_code(code::CLIENT) || fault.has_code(code::SERVER))
        && name.split('.').all(is_identifier)
}

/// A Python identifier in ASCII: what an exception class is named.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
