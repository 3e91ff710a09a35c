//! Writing the `result` message that answers an `rpc` command.
//!
//! | outcome | `content` | Postage's class |
//! |---|---|---|
//! | the method returned `v` | `{"type": "success", "value": v, "message": ""}` | `MessageResult` |
//! | a fault the method declares (`#[rpc(throws = [...])]`) | `{"type": "error", "value": null, "message": faultstring}` | `MessageResultError` |
//! | any other fault | `{"type": "exception", "value": faultcode, "message": faultstring}` | `MessageResultException` |
//!
//! The rest of the envelope is what Postage writes for a result (`name`
//! `none`, `category` `message`), with the server's fingerprint when it
//! has one, else `{}`. A fault's code and detail also travel in
//! `_reserved.fault` (`{"code": ..., "detail": ...}`), which Postage
//! programs ignore and switchboard clients read, so an `error` keeps its
//! code.

use serde::Serialize;
use serde_json::Value;
use switchboard::protocol::CallOutcome;
use switchboard::{Fault, MethodDescriptor};

use crate::wire;

/// The envelope up to `"content":`, for a server with fingerprint
/// `fingerprint` (JSON, `{}` for none): written once per protocol value.
pub(crate) fn head(fingerprint: &str) -> String {
    format!(
        r#"{{"type":"{}","name":"{}","category":"{}","version":"{}","fingerprint":{fingerprint},"content":"#,
        wire::RESULT,
        wire::UNNAMED,
        wire::CATEGORY_MESSAGE,
        wire::VERSION,
    )
}

/// What a fault adds in `_reserved`.
#[derive(Serialize)]
struct Reserved<'a> {
    fault: FaultPart<'a>,
}

#[derive(Serialize)]
struct FaultPart<'a> {
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a Value>,
}

#[derive(Serialize)]
struct FaultContent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    value: Option<&'a str>,
    message: &'a str,
}

/// Appends the whole result message for `outcome` to `out`, which holds
/// [`head`] already.
pub(crate) fn write(out: &mut Vec<u8>, outcome: &CallOutcome) {
    let start = out.len();
    match &outcome.result {
        Ok(reply) => {
            out.extend_from_slice(br#"{"type":"success","value":"#);
            if let Err(err) = reply.write_json(out) {
                tracing::error!(error = %err, "result could not be encoded as JSON");
                out.truncate(start);
                let fault = Fault::server("internal error: the result could not be encoded");
                return write_fault(out, &fault, None);
            }
            out.extend_from_slice(br#","message":""},"_reserved":{}}"#);
        }
        Err(fault) => write_fault(out, fault, outcome.method),
    }
}

/// `fault` as an `error` if `method` declares it, else as an `exception`.
fn write_fault(out: &mut Vec<u8>, fault: &Fault, method: Option<&MethodDescriptor>) {
    let declared = method.is_some_and(|m| m.throws.iter().any(|code| fault.has_code(code)));
    let content = if declared {
        FaultContent {
            kind: wire::ERROR,
            value: None,
            message: fault.message(),
        }
    } else {
        FaultContent {
            kind: wire::EXCEPTION,
            value: Some(fault.code()),
            message: fault.message(),
        }
    };
    let reserved = Reserved {
        fault: FaultPart {
            code: fault.code(),
            detail: fault.detail(),
        },
    };
    // Strings and a `Value`: writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &content);
    out.extend_from_slice(br#","_reserved":"#);
    let _ = serde_json::to_writer(&mut *out, &reserved);
    out.push(b'}');
}
