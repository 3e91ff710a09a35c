//! The span each call runs in: `request`, at `info`, with the request id,
//! the transport, the protocol, the method and the caller's trace id, so
//! that every line logged during a call (a method's own `tracing::warn!`,
//! a failed call, a panic) says which call it was.
//!
//! The span is made once the method is known, with all its fields at once:
//! recording a field later costs more than the span itself with some
//! subscribers (the JSON one parses and writes the span's fields again).

use std::fmt;

use tracing::Span;

use crate::Fault;
use crate::context::{IncomingCall, RequestInfo};
use crate::method::MethodDescriptor;

/// The target of the span each call runs in ([`Server::process`]): a log
/// filter names it (`switchboard::server=warn` drops the span), and a
/// subscriber that formats it in a way of its own recognises it by target
/// and [name](CALL_SPAN_NAME).
///
/// [`Server::process`]: super::Server::process
pub const CALL_SPAN_TARGET: &str = "switchboard::server";

/// The name of the span each call runs in (see [`CALL_SPAN_TARGET`]).
pub const CALL_SPAN_NAME: &str = "request";

/// How many characters of an unknown method's name a span keeps: the name
/// is the caller's, of any length.
pub(super) const MAX_LOGGED_METHOD_CHARS: usize = 128;

/// The span of one call of `request`, read in `protocol`: `call` is the
/// decoded call (or why it could not be), `method` the served method it
/// names, if any.
pub(super) fn call_span(
    request: &RequestInfo,
    protocol: &'static str,
    call: &Result<IncomingCall, Fault>,
    method: Option<&'static MethodDescriptor>,
) -> Span {
    // The fields are worked out only when the span is enabled.
    tracing::info_span!(
        target: CALL_SPAN_TARGET,
        CALL_SPAN_NAME,
        id = request.id.0,
        transport = display(request.facts.transport()),
        protocol = display(protocol),
        rpc.method = Called::of(method, call).map(display),
        trace_id = request
            .traceparent
            .as_ref()
            .map(|tp| display(tp.trace_id_hex())),
    )
}

/// A call's method as its span shows it: `service/method` when served,
/// else the name as the caller sent it, cut at
/// [`MAX_LOGGED_METHOD_CHARS`], control characters and quotes escaped.
enum Called<'a> {
    Served(&'static MethodDescriptor),
    Unknown(&'a str),
}

impl<'a> Called<'a> {
    /// `method` if served, else the name `call` has, if it was read.
    fn of(
        method: Option<&'static MethodDescriptor>,
        call: &'a Result<IncomingCall, Fault>,
    ) -> Option<Self> {
        match (method, call) {
            (Some(method), _) => Some(Self::Served(method)),
            (None, Ok(call)) => Some(Self::Unknown(&call.method)),
            (None, Err(_)) => None,
        }
    }
}

impl fmt::Display for Called<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Served(method) => write!(f, "{}/{}", method.service, method.name),
            Self::Unknown(name) => match name.char_indices().nth(MAX_LOGGED_METHOD_CHARS) {
                Some((end, _)) => write!(f, "{}…", name[..end].escape_debug()),
                None => write!(f, "{}", name.escape_debug()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_name_is_cut_and_escaped() {
        let long = "é".repeat(MAX_LOGGED_METHOD_CHARS + 5);
        let shown = Called::Unknown(&long).to_string();
        assert_eq!(shown.chars().count(), MAX_LOGGED_METHOD_CHARS + 1);
        assert!(shown.ends_with("é…"), "{shown}");
        let shown = Called::Unknown("a\nb\"c").to_string();
        assert_eq!(shown, "a\\nb\\\"c");
        assert_eq!(Called::Unknown("echo").to_string(), "echo");
    }
}
