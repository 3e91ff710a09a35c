//! Writing JSON-RPC 2.0 response objects (section 5) and mapping faults to
//! error objects (section 5.1).

use serde::Serialize;
use serde_json::Value;
use switchboard::protocol::CallOutcome;
use switchboard::{Fault, code};

/// Parse error.
pub const PARSE_ERROR: i64 = -32700;
/// Invalid Request.
pub const INVALID_REQUEST: i64 = -32600;
/// Method not found.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// Invalid params.
pub const INVALID_PARAMS: i64 = -32602;
/// Internal error.
pub const INTERNAL_ERROR: i64 = -32603;
/// Application faults (every code not listed above): the fault code travels
/// in `data.faultcode`.
pub const APPLICATION_ERROR: i64 = -32000;

/// The JSON-RPC error code and standard message for a fault, if standard.
pub(super) fn standard(fault: &Fault) -> (i64, Option<&'static str>) {
    match fault.code() {
        code::MALFORMED => (PARSE_ERROR, Some("Parse error")),
        code::INVALID_REQUEST | code::LIMIT_EXCEEDED => (INVALID_REQUEST, Some("Invalid Request")),
        code::UNKNOWN_METHOD => (METHOD_NOT_FOUND, Some("Method not found")),
        code::INVALID_PARAMS | code::VALIDATION => (INVALID_PARAMS, Some("Invalid params")),
        _ if fault.has_code(code::SERVER) => (INTERNAL_ERROR, Some("Internal error")),
        _ => (APPLICATION_ERROR, None),
    }
}

/// Whether the standard code and message say everything the fault says; the
/// specification's own examples carry no `data`.
fn is_plain(fault: &Fault) -> bool {
    matches!(
        fault.code(),
        code::MALFORMED | code::INVALID_REQUEST | code::UNKNOWN_METHOD
    )
}

#[derive(Serialize)]
struct ErrorObject<'a> {
    code: i64,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<ErrorData<'a>>,
}

#[derive(Serialize)]
struct ErrorData<'a> {
    faultcode: &'a str,
    faultstring: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a Value>,
}

/// Appends one response object for `outcome` to `out`.
pub(crate) fn write(out: &mut Vec<u8>, request: &[u8], outcome: &CallOutcome) {
    let start = out.len();
    // The id is raw JSON from the request, checked when it was read.
    let id = outcome
        .id
        .clone()
        .and_then(|range| request.get(range))
        .unwrap_or(b"null");
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",");
    match &outcome.result {
        Ok(reply) => {
            out.extend_from_slice(b"\"result\":");
            if let Err(err) = reply.write_json(out) {
                tracing::error!(error = %err, "result could not be encoded as JSON");
                out.truncate(start);
                let fault = Fault::server("internal error: the result could not be encoded");
                return write_error(out, &fault, id);
            }
        }
        Err(fault) => {
            out.truncate(start);
            return write_error(out, fault, id);
        }
    }
    out.extend_from_slice(b",\"id\":");
    out.extend_from_slice(id);
    out.push(b'}');
}

fn write_error(out: &mut Vec<u8>, fault: &Fault, id: &[u8]) {
    let (code, standard_message) = standard(fault);
    let data = (!is_plain(fault)).then(|| ErrorData {
        faultcode: fault.code(),
        faultstring: fault.message(),
        detail: fault.detail(),
    });
    let error = ErrorObject {
        code,
        message: standard_message.unwrap_or(fault.message()),
        data,
    };
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"error\":");
    // Only strings, integers and `Value`s: writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &error);
    out.extend_from_slice(b",\"id\":");
    out.extend_from_slice(id);
    out.push(b'}');
}

/// Turns an error object from a server back into a fault (client side).
pub(crate) fn to_fault(error: &Value) -> Fault {
    let number = error
        .get("code")
        .and_then(Value::as_i64)
        .unwrap_or(INTERNAL_ERROR);
    let message = error.get("message").and_then(Value::as_str).unwrap_or("");
    let data = error.get("data");
    let faultcode = data
        .and_then(|d| d.get("faultcode"))
        .and_then(Value::as_str);
    let faultstring = data
        .and_then(|d| d.get("faultstring"))
        .and_then(Value::as_str);
    let code = faultcode.map(str::to_owned).unwrap_or_else(|| {
        match number {
            PARSE_ERROR => code::MALFORMED,
            INVALID_REQUEST => code::INVALID_REQUEST,
            METHOD_NOT_FOUND => code::UNKNOWN_METHOD,
            INVALID_PARAMS => code::INVALID_PARAMS,
            -32099..=-32000 => code::CLIENT,
            _ => code::SERVER,
        }
        .to_owned()
    });
    let mut fault = Fault::new(code, faultstring.unwrap_or(message));
    fault.detail = data.and_then(|d| d.get("detail")).cloned();
    fault
}
