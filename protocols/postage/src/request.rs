//! Reading a Postage `command` message into one call.
//!
//! The message is parsed once, without building values: `fingerprint`,
//! `content` and `content.parameters` are borrowed as raw JSON text, and the
//! call keeps `parameters` as a byte range of the request, decoded later
//! straight into the method's arguments. `version` and `_reserved` are not
//! read; keys Postage does not define are ignored, as Postage ignores them.
//!
//! What `content.parameters` holds, and how it becomes arguments:
//!
//! | `parameters` | arguments |
//! |---|---|
//! | an object | by name (`{"s": "hi"}` calls `echo(s)`) |
//! | an array | by position, as JSON-RPC's `params` |
//! | missing or `null` | none |
//! | any other value | the one positional argument: Postage's `message_echo("A test message")` sends `"parameters": "A test message"` |

use std::borrow::Cow;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;
use switchboard::protocol::ProtocolError;
use switchboard::{Fingerprint, IncomingCall};

use crate::text::{first_significant, range_in};
use crate::wire;

/// The envelope's keys a server reads.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    category: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    fingerprint: Option<&'a RawValue>,
    #[serde(borrow, default)]
    content: Option<&'a RawValue>,
}

/// A command's `content`: its `parameters`.
#[derive(Deserialize)]
struct Content<'a> {
    #[serde(borrow, default)]
    parameters: Option<&'a RawValue>,
}

/// The call `text` (a whole Postage message) asks for.
///
/// # Errors
/// [`ProtocolError::Malformed`] for text that is not JSON,
/// [`ProtocolError::InvalidRequest`] for JSON that is no `command` message.
pub(crate) fn command(text: &str) -> Result<IncomingCall, ProtocolError> {
    let head: Head<'_> = object(text, "a Postage message")?;
    match head.kind.as_deref() {
        Some(wire::COMMAND) => {}
        Some(other) => {
            return Err(ProtocolError::InvalidRequest(format!(
                "a Postage message of type `{other}` calls nothing: only `command` messages do"
            )));
        }
        None => return Err(invalid("the message has no `type`")),
    }
    let name = head
        .name
        .filter(|name| !name.is_empty())
        .ok_or_else(|| invalid("the command has no `name`"))?;
    // Postage's base `Message` is a `message`; only `rpc` waits for a result.
    let expects_reply = match head.category.as_deref() {
        None | Some(wire::CATEGORY_MESSAGE) => false,
        Some(wire::CATEGORY_RPC) => true,
        Some(other) => {
            return Err(ProtocolError::InvalidRequest(format!(
                "unknown category `{other}`: expected `message` or `rpc`"
            )));
        }
    };
    Ok(IncomingCall {
        method: name.as_ref().into(),
        header: None,
        body: parameters(text, head.content)?,
        id: None,
        expects_reply,
        caller: head.fingerprint.and_then(caller),
    })
}

/// The range of `content.parameters` in `text`; `None` when there are none.
fn parameters(
    text: &str,
    content: Option<&RawValue>,
) -> Result<Option<std::ops::Range<usize>>, ProtocolError> {
    let Some(content) = content else {
        return Ok(None);
    };
    let content: Content<'_> = object(content.get(), "`content`")?;
    Ok(content
        .parameters
        .filter(|raw| raw.get() != "null")
        .map(|raw| range_in(text, raw.get())))
}

/// Parses `text` as the JSON object `what` is. A struct would also take an
/// array (serde reads structs from sequences), so the object is checked
/// first.
fn object<'a, T: Deserialize<'a>>(text: &'a str, what: &str) -> Result<T, ProtocolError> {
    if first_significant(text.as_bytes()) != Some(b'{') {
        // Not JSON at all is a parse error; other JSON the wrong shape.
        serde_json::from_str::<&RawValue>(text)
            .map_err(|err| ProtocolError::Malformed(Box::new(err)))?;
        return Err(ProtocolError::InvalidRequest(format!(
            "{what} must be a JSON object"
        )));
    }
    serde_json::from_str(text).map_err(|err| {
        if err.is_syntax() || err.is_eof() {
            ProtocolError::Malformed(Box::new(err))
        } else {
            ProtocolError::InvalidRequest(format!("{what}: {err}"))
        }
    })
}

/// The sender's fingerprint, if the message carries a readable one.
/// Postage's results carry `{}`: no sender, and nothing worth a log line.
fn caller(raw: &RawValue) -> Option<Arc<Fingerprint>> {
    if raw.get().len() <= 2 {
        return None;
    }
    Fingerprint::from_peer(raw.get().as_bytes()).map(Arc::new)
}

fn invalid(why: &str) -> ProtocolError {
    ProtocolError::InvalidRequest(why.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ECHO: &str = r#"{"type": "command", "name": "echo", "category": "rpc", "version": "2",
        "fingerprint": {"name": "echo_send", "type": "application", "pid": "4242",
                        "host": "box", "user": "ana", "vhost": "/"},
        "content": {"parameters": {"s": "hi"}}, "_reserved": {}}"#;

    #[test]
    fn a_command_is_a_call_with_its_parameters_and_sender() -> Result<(), ProtocolError> {
        let call = command(ECHO)?;
        assert_eq!(call.method, "echo");
        assert!(call.expects_reply);
        let body = call.body.clone().map(|range| &ECHO[range]);
        assert_eq!(body, Some(r#"{"s": "hi"}"#));
        let caller = call.caller.as_deref().map(|c| (c.name.as_str(), c.pid));
        assert_eq!(caller, Some(("echo_send", 4242)));
        Ok(())
    }

    #[test]
    fn a_message_is_one_way_and_parameters_may_be_anything() -> Result<(), ProtocolError> {
        let text = r#"{"type": "command", "name": "echo", "category": "message",
            "fingerprint": {}, "content": {"parameters": "A test message"}}"#;
        let call = command(text)?;
        assert!(!call.expects_reply);
        assert_eq!(call.caller, None);
        assert_eq!(call.body.map(|r| &text[r]), Some("\"A test message\""));
        let bare = command(r#"{"type": "command", "name": "ping", "content": {}}"#)?;
        assert_eq!((bare.body, bare.expects_reply), (None, false));
        let null = command(r#"{"type":"command","name":"ping","content":{"parameters":null}}"#)?;
        assert_eq!(null.body, None);
        Ok(())
    }

    #[test]
    fn anything_else_is_refused_with_the_right_error() {
        for text in [
            r#"[1, 2]"#,
            r#""command""#,
            r#"{"name": "echo"}"#,
            r#"{"type": "status", "name": "online"}"#,
            r#"{"type": "command"}"#,
            r#"{"type": "command", "name": ""}"#,
            r#"{"type": "command", "name": 5}"#,
            r#"{"type": "command", "name": "echo", "category": "later"}"#,
            r#"{"type": "command", "name": "echo", "content": [1]}"#,
            r#"{"type": "command", "name": "echo", "content": {"parameters": }"#,
        ] {
            let refused = command(text);
            let expected = if text.ends_with(": }") {
                matches!(refused, Err(ProtocolError::Malformed(_)))
            } else {
                matches!(refused, Err(ProtocolError::InvalidRequest(_)))
            };
            assert!(expected, "{text}: {refused:?}");
        }
        for text in ["{", "{\"type\": \"command\",", "not json", ""] {
            assert!(
                matches!(command(text), Err(ProtocolError::Malformed(_))),
                "{text}"
            );
        }
    }
}
