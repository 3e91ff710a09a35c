//! Fault codes to HTTP statuses, and pipeline responses and refusals to
//! HTTP responses.

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};
use switchboard::{Fault, Server, code};

use crate::config::{FaultStatuses, HttpConfig};

/// The code of a request whose body arrived too slowly.
pub(crate) const BODY_TIMEOUT: &str = "Client.Timeout";

/// The code of a request with a verb its path does not take.
pub(crate) const METHOD_NOT_ALLOWED: &str = "Client.MethodNotAllowed";

/// The HTTP status for a fault: the most specific family that has one.
pub(crate) fn status_of(fault: &Fault) -> StatusCode {
    const TABLE: &[(&str, StatusCode)] = &[
        (code::VALIDATION, StatusCode::BAD_REQUEST),
        (code::UNAUTHORIZED, StatusCode::UNAUTHORIZED),
        (code::NOT_FOUND, StatusCode::NOT_FOUND),
        (code::UNKNOWN_METHOD, StatusCode::NOT_FOUND),
        (code::CONFLICT, StatusCode::CONFLICT),
        (METHOD_NOT_ALLOWED, StatusCode::METHOD_NOT_ALLOWED),
        (code::LIMIT_EXCEEDED, StatusCode::PAYLOAD_TOO_LARGE),
        (
            code::UNSUPPORTED_MEDIA_TYPE,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (BODY_TIMEOUT, StatusCode::REQUEST_TIMEOUT),
        (code::TIMEOUT, StatusCode::GATEWAY_TIMEOUT),
        (code::CLIENT, StatusCode::BAD_REQUEST),
    ];
    TABLE
        .iter()
        .find(|(family, _)| fault.has_code(family))
        .map_or(StatusCode::INTERNAL_SERVER_ERROR, |(_, status)| *status)
}

/// The pipeline's response as HTTP: with nothing to send, `202` or `204`
/// as the out protocol says
/// ([`OutProtocol::empty_reply_is_acceptance`](switchboard::OutProtocol::empty_reply_is_acceptance));
/// for a
/// failed single call, the fault's status when `config` and the out
/// protocol say faults get one ([`FaultStatuses`]), or `500` for every
/// fault when the protocol asks for that (SOAP 1.1); `200` otherwise (a
/// batch's faults are in its body).
pub(crate) fn answer(
    server: &Server,
    config: &HttpConfig,
    response: switchboard::Response,
) -> Response {
    let out = server.out_protocol();
    let (fault_status, uniform) = match config.fault_statuses {
        FaultStatuses::Always => (true, false),
        FaultStatuses::ProtocolDecides => (!out.faults_are_replies(), out.faults_fail_uniformly()),
    };
    let Some(body) = response.body else {
        return empty(if out.empty_reply_is_acceptance() {
            StatusCode::ACCEPTED
        } else {
            StatusCode::NO_CONTENT
        });
    };
    let code = match &response.fault {
        Some(_) if fault_status && uniform && !response.batch => StatusCode::INTERNAL_SERVER_ERROR,
        Some(fault) if fault_status && !response.batch => status_of(fault),
        _ => StatusCode::OK,
    };
    with_body(code, response.content_type, body)
}

/// A refusal made before the pipeline ran ([`Server::refuse`]), with the
/// fault's status whatever the protocol: it is the transport's answer,
/// not a protocol reply.
pub(crate) fn refusal(response: switchboard::Response) -> Response {
    let code = response
        .fault
        .as_ref()
        .map_or(StatusCode::INTERNAL_SERVER_ERROR, status_of);
    match response.body {
        Some(body) => with_body(code, response.content_type, body),
        None => empty(code),
    }
}

/// A response with `body` of media type `content_type`.
pub(crate) fn with_body(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// Seconds a client is told to wait before calling a draining server again
/// (by then a load balancer has moved it elsewhere, or it restarted).
pub(crate) const RETRY_AFTER_S: &str = "5";

/// `503 Service Unavailable` with `Retry-After`: the process drains.
pub(crate) fn draining() -> Response {
    let mut response = empty(StatusCode::SERVICE_UNAVAILABLE);
    response.headers_mut().insert(
        http::header::RETRY_AFTER,
        http::HeaderValue::from_static(RETRY_AFTER_S),
    );
    response
}

/// A bodiless response.
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_map_to_statuses() {
        let cases = [
            ("Client.Validation", 400),
            ("Client.InvalidParams", 400),
            ("Client.Malformed", 400),
            ("Client.Unauthorized", 401),
            ("Client.NotFound.Map", 404),
            ("Client.UnknownMethod", 404),
            ("Client.Conflict", 409),
            ("Client.MethodNotAllowed", 405),
            ("Client.LimitExceeded", 413),
            ("Client.UnsupportedMediaType", 415),
            ("Client.Timeout", 408),
            ("Client.Whatever", 400),
            ("Server", 500),
            ("Server.Timeout", 504),
            ("Other", 500),
        ];
        for (code, status) in cases {
            assert_eq!(status_of(&Fault::new(code, "x")).as_u16(), status, "{code}");
        }
    }
}
