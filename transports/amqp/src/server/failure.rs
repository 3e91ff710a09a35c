//! What happens to a message whose call failed: answered and acked, tried
//! again, or dead-lettered; and the headers a dead letter carries.
//!
//! | fault | RPC (has `reply_to`) | one-way |
//! |---|---|---|
//! | none | reply, ack | ack |
//! | the request itself is bad: `Client.Malformed`, `Client.InvalidRequest`, `Client.UnknownMethod`, `Client.InvalidParams`, `Client.LimitExceeded`, `Client.UnsupportedMediaType`, or refused whole before any method ran ([`Response::refused`]: a signature that does not hold) | fault reply, dead letter | dead letter |
//! | `Server…` (the method failed on our side) | fault reply, dead letter | retried `max_attempts` times, then dead letter |
//! | any other `Client…` (the method's own answer) | fault reply, ack | dead letter (a one-way failure is never lost) |
//!
//! Each dead letter is counted in
//! [`DEAD_LETTERED`](crate::metrics::DEAD_LETTERED) with the row as its
//! `reason`: `bad_request`, `server_fault`, `method_fault`.

use lapin::types::{AMQPValue, FieldTable, LongString};
use switchboard::{Fault, Response, code};

use crate::metrics::DeadLetterReason;

/// The header counting attempts (1 on the first delivery).
pub const ATTEMPT_HEADER: &str = "x-switchboard-attempt";
/// The dead letter's fault code header.
pub const FAULT_CODE_HEADER: &str = "x-switchboard-fault-code";
/// The dead letter's fault string header.
pub const FAULT_STRING_HEADER: &str = "x-switchboard-fault-string";
/// The exchange the message was first published to.
pub const ORIGINAL_EXCHANGE_HEADER: &str = "x-switchboard-original-exchange";
/// The routing key the message was first published with.
pub const ORIGINAL_ROUTING_KEY_HEADER: &str = "x-switchboard-original-routing-key";
/// The queue the message was consumed from.
pub const QUEUE_HEADER: &str = "x-switchboard-queue";

/// What to do with a message after its call.
#[derive(Debug, PartialEq)]
pub(crate) enum Verdict {
    /// Ack it.
    Done,
    /// Publish it again with the next attempt number, then ack it.
    Retry,
    /// Publish it to the dead-letter exchange with `fault`, then ack it;
    /// counted for the reason.
    DeadLetter(Fault, DeadLetterReason),
}

/// The verdict for a message whose pipeline gave `response`, on attempt
/// `attempt`.
pub(crate) fn verdict(response: &Response, rpc: bool, attempt: u32, max_attempts: u32) -> Verdict {
    let Some(fault) = &response.any_fault else {
        return Verdict::Done;
    };
    let server_side = fault.code == code::SERVER || fault.code.starts_with("Server.");
    // A refused request (a bad signature: `Client.Unauthorized`, which a
    // method may also answer) never ran: nothing of it was answered by a
    // method, so it is kept like any request that cannot run.
    if response.refused || is_bad_request(&fault.code) {
        Verdict::DeadLetter(fault.clone(), DeadLetterReason::BadRequest)
    } else if server_side && !rpc && attempt < max_attempts {
        Verdict::Retry
    } else if server_side {
        Verdict::DeadLetter(fault.clone(), DeadLetterReason::ServerFault)
    } else if !rpc {
        Verdict::DeadLetter(fault.clone(), DeadLetterReason::MethodFault)
    } else {
        Verdict::Done
    }
}

/// Whether the fault says the request itself cannot run, ever.
fn is_bad_request(fault_code: &str) -> bool {
    [
        code::MALFORMED,
        code::INVALID_REQUEST,
        code::UNKNOWN_METHOD,
        code::INVALID_PARAMS,
        code::LIMIT_EXCEEDED,
        code::UNSUPPORTED_MEDIA_TYPE,
    ]
    .contains(&fault_code)
}

/// The attempt number in `headers` (1 when absent).
pub(crate) fn attempt(headers: Option<&FieldTable>) -> u32 {
    let value = headers.and_then(|h| h.inner().get(ATTEMPT_HEADER));
    match value {
        Some(AMQPValue::LongLongInt(n)) => u32::try_from(*n).unwrap_or(u32::MAX),
        Some(AMQPValue::LongInt(n)) => u32::try_from(*n).unwrap_or(u32::MAX),
        Some(AMQPValue::LongUInt(n)) => *n,
        _ => 1,
    }
    .max(1)
}

/// A header value as text.
pub(crate) fn text(value: &AMQPValue) -> String {
    match value {
        AMQPValue::LongString(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        AMQPValue::ShortString(s) => s.as_str().to_owned(),
        AMQPValue::Boolean(b) => b.to_string(),
        AMQPValue::LongLongInt(n) => n.to_string(),
        AMQPValue::LongInt(n) => n.to_string(),
        AMQPValue::LongUInt(n) => n.to_string(),
        AMQPValue::ShortInt(n) => n.to_string(),
        AMQPValue::ShortUInt(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

/// Puts a text header.
pub(crate) fn put(headers: &mut FieldTable, key: &str, value: &str) {
    headers.insert(key.into(), AMQPValue::LongString(LongString::from(value)));
}

/// Records the original exchange and routing key, unless a retry already did.
pub(crate) fn keep_original_route(headers: &mut FieldTable, exchange: &str, routing_key: &str) {
    if !headers.contains_key(ORIGINAL_EXCHANGE_HEADER) {
        put(headers, ORIGINAL_EXCHANGE_HEADER, exchange);
        put(headers, ORIGINAL_ROUTING_KEY_HEADER, routing_key);
    }
}

/// The headers of a dead letter: the message's own, the fault, the attempt
/// count and the original route.
pub(crate) fn dead_letter_headers(
    headers: Option<&FieldTable>,
    fault: &Fault,
    attempt: u32,
    route: (&str, &str, &str),
) -> FieldTable {
    let (queue, exchange, routing_key) = route;
    let mut headers = headers.cloned().unwrap_or_default();
    put(&mut headers, FAULT_CODE_HEADER, &fault.code);
    put(&mut headers, FAULT_STRING_HEADER, &fault.message);
    headers.insert(
        ATTEMPT_HEADER.into(),
        AMQPValue::LongLongInt(attempt.into()),
    );
    put(&mut headers, QUEUE_HEADER, queue);
    keep_original_route(&mut headers, exchange, routing_key);
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pipeline's response to a request that ended with `fault`.
    fn ended(fault: Option<&Fault>, refused: bool) -> Response {
        Response {
            body: None,
            content_type: "application/json",
            fault: fault.cloned(),
            batch: false,
            any_fault: fault.cloned(),
            method: None,
            refused,
        }
    }

    #[test]
    fn the_verdict_table_holds() {
        use DeadLetterReason::{BadRequest, MethodFault, ServerFault};
        let verdict = |fault, rpc, attempt, max| verdict(&ended(fault, false), rpc, attempt, max);
        let server = Fault::server("boom");
        let app = Fault::new(code::CLIENT, "no");
        let bad = Fault::new(code::UNKNOWN_METHOD, "nope");
        assert_eq!(verdict(None, true, 1, 3), Verdict::Done);
        assert_eq!(
            verdict(Some(&bad), true, 1, 3),
            Verdict::DeadLetter(bad.clone(), BadRequest)
        );
        assert_eq!(
            verdict(Some(&bad), false, 1, 3),
            Verdict::DeadLetter(bad.clone(), BadRequest)
        );
        assert_eq!(verdict(Some(&server), false, 1, 3), Verdict::Retry);
        assert_eq!(
            verdict(Some(&server), false, 3, 3),
            Verdict::DeadLetter(server.clone(), ServerFault)
        );
        assert_eq!(
            verdict(Some(&server), true, 1, 3),
            Verdict::DeadLetter(server.clone(), ServerFault)
        );
        assert_eq!(verdict(Some(&app), true, 1, 3), Verdict::Done);
        assert_eq!(
            verdict(Some(&app), false, 1, 3),
            Verdict::DeadLetter(app, MethodFault)
        );
    }

    #[test]
    fn a_refused_request_is_a_bad_request_and_a_methods_own_unauthorized_is_not() {
        let unauthorized = Fault::unauthorized("the signature does not match the request");
        assert_eq!(
            super::verdict(&ended(Some(&unauthorized), true), true, 1, 3),
            Verdict::DeadLetter(unauthorized.clone(), DeadLetterReason::BadRequest)
        );
        // The same code answered by a method is its answer to the caller.
        assert_eq!(
            super::verdict(&ended(Some(&unauthorized), false), true, 1, 3),
            Verdict::Done
        );
    }

    #[test]
    fn dead_letters_carry_the_fault_the_count_and_the_route() {
        let headers = dead_letter_headers(None, &Fault::server("boom"), 3, ("q", "ex", "rk"));
        let get = |k: &str| headers.inner().get(k).map(text);
        assert_eq!(get(FAULT_CODE_HEADER).as_deref(), Some("Server"));
        assert_eq!(get(FAULT_STRING_HEADER).as_deref(), Some("boom"));
        assert_eq!(get(ATTEMPT_HEADER).as_deref(), Some("3"));
        assert_eq!(get(ORIGINAL_EXCHANGE_HEADER).as_deref(), Some("ex"));
        assert_eq!(get(ORIGINAL_ROUTING_KEY_HEADER).as_deref(), Some("rk"));
        assert_eq!(attempt(Some(&headers)), 3);
        assert_eq!(attempt(None), 1);
    }
}
