//! Reading JSON-RPC 2.0 request objects (section 4 of the specification).

use std::ops::Range;

use serde::Deserialize;
use serde_json::value::RawValue;
use switchboard::protocol::ProtocolError;
use switchboard::{Fault, IncomingCall, MethodName, code};

use super::scan;
use crate::text::range_in;

/// A request object with every member kept raw, so that a wrong member type
/// is an Invalid Request (−32600) rather than a parse error.
#[derive(Deserialize)]
struct RawRequest<'a> {
    #[serde(borrow, default)]
    jsonrpc: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method: Option<&'a RawValue>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
    /// `"id": null` must stay distinct from no `id` (a notification).
    #[serde(borrow, default, deserialize_with = "present")]
    id: Option<&'a RawValue>,
}

/// The common, valid shape, read with borrowed strings in one pass; any
/// request it does not fit goes through [`RawRequest`] to find out why.
#[derive(Deserialize)]
struct FastRequest<'a> {
    jsonrpc: &'a str,
    method: &'a str,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    id: Option<&'a RawValue>,
}

fn present<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(de).map(Some)
}

/// How one element of the request failed to be a call.
pub(crate) fn invalid(why: &str) -> Fault {
    Fault::new(code::INVALID_REQUEST, format!("invalid request: {why}"))
}

/// Reads one request object at `range` of `text`.
///
/// `Err(ProtocolError)` only for a syntax error (the whole request is then a
/// parse error); a well-formed value that is no valid request is `Ok(Err)`.
pub(crate) fn read(
    text: &str,
    range: Range<usize>,
) -> Result<Result<IncomingCall, Fault>, ProtocolError> {
    if let Some(parts) = scan::read(text.as_bytes(), range.clone()) {
        return Ok(Ok(call(
            MethodName::new(&text[parts.method]),
            parts.params,
            parts.id,
        )));
    }
    read_with_serde(text, range)
}

/// Reads a whole request of one object in a single pass, without `serde`
/// and without a UTF-8 check of its own for an ASCII request; `None` when it
/// has not the common, valid shape (then the caller checks UTF-8 and
/// [`read`]s it).
pub(crate) fn read_common(bytes: &[u8]) -> Option<IncomingCall> {
    let parts = scan::read(bytes, 0..bytes.len())?;
    let method = std::str::from_utf8(&bytes[parts.method]).ok()?;
    Some(call(MethodName::new(method), parts.params, parts.id))
}

/// [`read`] for what [`scan::read`] leaves to `serde`;
/// kept out of line, so that the common path's code stays small.
#[inline(never)]
#[cold]
fn read_with_serde(
    text: &str,
    range: Range<usize>,
) -> Result<Result<IncomingCall, Fault>, ProtocolError> {
    let slice = &text[range];
    if let Ok(fast) = serde_json::from_str::<FastRequest<'_>>(slice) {
        if fast.jsonrpc == "2.0" {
            return Ok(finish(text, fast.method.into(), fast.params, fast.id));
        }
    }
    let raw: RawRequest<'_> = match serde_json::from_str(slice) {
        Ok(raw) => raw,
        Err(err) if err.is_syntax() || err.is_eof() => {
            return Err(ProtocolError::Malformed(Box::new(err)));
        }
        Err(_) => return Ok(Err(invalid("not a request object"))),
    };
    Ok(to_call(text, &raw))
}

fn to_call(text: &str, raw: &RawRequest<'_>) -> Result<IncomingCall, Fault> {
    if raw.jsonrpc.map(RawValue::get) != Some("\"2.0\"") {
        return Err(invalid("`jsonrpc` must be \"2.0\""));
    }
    let method = raw
        .method
        .and_then(|m| serde_json::from_str::<String>(m.get()).ok())
        .ok_or_else(|| invalid("`method` must be a string"))?;
    finish(text, method.into(), raw.params, raw.id)
}

/// Checks `params` and `id`, which keep their raw form on both paths.
fn finish(
    text: &str,
    method: MethodName,
    params: Option<&RawValue>,
    id: Option<&RawValue>,
) -> Result<IncomingCall, Fault> {
    let body = match params {
        None => None,
        Some(params) if matches!(params.get().as_bytes().first(), Some(b'[' | b'{')) => {
            Some(range_in(text, params.get()))
        }
        Some(_) => return Err(invalid("`params` must be an array or an object")),
    };
    let id = match id {
        None => None,
        Some(id) if is_valid_id(id.get()) => Some(range_in(text, id.get())),
        Some(_) => return Err(invalid("`id` must be a string, a number or null")),
    };
    Ok(call(method, body, id))
}

/// The call of a checked request object.
fn call(method: MethodName, body: Option<Range<usize>>, id: Option<Range<usize>>) -> IncomingCall {
    IncomingCall {
        method,
        header: None,
        body,
        expects_reply: id.is_some(),
        id,
        caller: None,
    }
}

fn is_valid_id(raw: &str) -> bool {
    matches!(raw.as_bytes().first(), Some(b'"' | b'-' | b'0'..=b'9')) || raw == "null"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a well-formed request; a syntax error fails the test.
    fn call(text: &str) -> Result<IncomingCall, Fault> {
        match read(text, 0..text.len()) {
            Ok(call) => call,
            Err(err) => panic!("not well-formed: {err}"),
        }
    }

    #[test]
    fn null_id_is_a_call_and_missing_id_a_notification() {
        let with_null = call(r#"{"jsonrpc":"2.0","method":"m","id":null}"#).unwrap();
        assert_eq!(with_null.id.map(|r| r.len()), Some(4));
        assert!(with_null.expects_reply);
        let notification = call(r#"{"jsonrpc":"2.0","method":"m"}"#).unwrap();
        assert!(!notification.expects_reply);
    }

    #[test]
    fn wrong_member_types_are_invalid_requests() {
        for text in [
            r#"{"jsonrpc":"2.0","method":1,"params":"bar"}"#,
            r#"{"jsonrpc":"1.0","method":"m","id":1}"#,
            r#"{"method":"m","id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","params":3,"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":{}}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":1,"id":2}"#,
            "1",
        ] {
            let fault = call(text).unwrap_err();
            assert_eq!(fault.code(), "Client.InvalidRequest", "{text}");
        }
    }

    #[test]
    fn escaped_method_names_are_unescaped() {
        let text = r#"{"jsonrpc":"2.0","method":"ech\u006f","id":"a"}"#;
        let c = call(text).unwrap();
        assert_eq!(c.method, "echo");
        assert_eq!(&text[c.id.unwrap()], "\"a\"");
    }

    /// Whatever the single pass accepts, `serde` reads the same way: every
    /// truncation and every one-byte change of a few requests.
    #[test]
    fn the_single_pass_agrees_with_serde() {
        let samples = [
            r#"{"jsonrpc":"2.0","method":"echo","params":{"s":"hello, world"},"id":1}"#,
            r#" { "id" : "a" , "params" : [ 1 , -2.5E+3 , true , null , { } , [ ] , "x\ny" ] , "method" : "m" , "jsonrpc" : "2.0" } "#,
            r#"{"jsonrpc":"2.0","method":"m","params":{"a":{"b":[false,0.5e1]}},"id":null}"#,
        ];
        let mut accepted = 0;
        for sample in samples {
            let mut texts = Vec::new();
            for end in 0..=sample.len() {
                texts.push(sample[..end].to_owned());
            }
            for i in 0..sample.len() {
                for byte in b" \"{}[],:0123456789.eE+-truefalsnl\\/ux\t".iter().copied() {
                    let mut bytes = sample.as_bytes().to_vec();
                    bytes[i] = byte;
                    texts.extend(String::from_utf8(bytes).ok());
                }
                let mut without = sample.as_bytes().to_vec();
                without.remove(i);
                texts.extend(String::from_utf8(without).ok());
            }
            for text in &texts {
                let Some(parts) = scan::read(text.as_bytes(), 0..text.len()) else {
                    continue;
                };
                accepted += 1;
                let fast =
                    super::call(MethodName::new(&text[parts.method]), parts.params, parts.id);
                let slow = match read_with_serde(text, 0..text.len()) {
                    Ok(Ok(slow)) => slow,
                    other => panic!("{text}: the single pass accepts, serde gives {other:?}"),
                };
                assert_eq!(
                    (&fast.method, &fast.body, &fast.id, fast.expects_reply),
                    (&slow.method, &slow.body, &slow.id, slow.expects_reply),
                    "{text}"
                );
            }
        }
        assert!(accepted > 100, "only {accepted} variants accepted");
    }

    #[test]
    fn syntax_errors_fail_the_whole_request() {
        assert!(read("{\"jsonrpc\"", 0..10).is_err());
    }
}
