//! The RPC endpoints: `POST /jsonrpc`, `POST /json`, `POST /json/{method}`,
//! one per protocol handed to the server. The transport moves bytes and
//! facts; the protocol does the rest.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request};
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};
use switchboard::{
    CARRIED, CarriedHeaders, Fault, Fingerprint, RequestInfo, SIGNATURE_HEADER, Server,
    THEN_HEADER, TraceParent, TransportFacts,
};

use crate::facts::HttpFacts;

use super::{Shared, auth, body, observe, status};

/// One protocol mounted at a path.
pub(crate) struct Endpoint {
    pub(crate) server: Server,
    pub(crate) shared: Arc<Shared>,
}

/// Serves one request at an RPC endpoint; `method` is set for
/// `POST /path/{method}`.
pub(crate) async fn handle(
    endpoint: Arc<Endpoint>,
    method: Option<String>,
    request: Request,
) -> Response {
    observe::observed(&endpoint.shared, request, |request| {
        serve(&endpoint, method, request)
    })
    .await
}

async fn serve(endpoint: &Endpoint, method: Option<String>, request: Request) -> Response {
    let started = Instant::now();
    let deadline = started + endpoint.shared.config.request_timeout;
    let (parts, body) = request.into_parts();
    let mut info = request_info(parts, deadline);
    if let Some(method) = method {
        info.method = Some(method.into());
    }
    let server = &endpoint.server;
    let headers = headers_of(&info);
    let principal = match auth::authenticate(&endpoint.shared.config.auth, headers) {
        Ok(principal) => principal,
        Err(fault) => return refuse(endpoint, &info, fault),
    };
    if let Err(fault) = body::check_protocol_media_type(headers, server.in_protocol().as_ref()) {
        return refuse(endpoint, &info, fault);
    }
    let limit = endpoint.shared.config.max_body_bytes;
    match body::read(headers, body, limit, deadline).await {
        Ok(bytes) => info.in_bytes = bytes,
        Err(fault) => return refuse(endpoint, &info, fault),
    }
    info.principal = principal;
    let response = server.process(info).await;
    status::answer(server, &endpoint.shared.config, response)
}

/// The carried headers' names as static header names, in the order of
/// `CARRIED` (looking a header up by text parses the name first).
static CARRIED_NAMES: [http::HeaderName; CARRIED.len()] = [
    http::HeaderName::from_static(SIGNATURE_HEADER),
    http::HeaderName::from_static(THEN_HEADER),
];

/// The request's facts, with the body still to come.
pub(crate) fn request_info(parts: http::request::Parts, deadline: Instant) -> RequestInfo {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    // A static name: looking a header up by text parses the name first.
    static TRACEPARENT: http::HeaderName = http::HeaderName::from_static("traceparent");
    let traceparent = parts
        .headers
        .get(&TRACEPARENT)
        .and_then(|value| value.to_str().ok()?.parse::<TraceParent>().ok());
    static FINGERPRINT: http::HeaderName =
        http::HeaderName::from_static(switchboard::FINGERPRINT_HEADER);
    let caller = parts
        .headers
        .get(&FINGERPRINT)
        .and_then(|value| Fingerprint::from_peer(value.as_bytes()));
    let headers = CarriedHeaders::read(|name| {
        let at = CARRIED.iter().position(|carried| *carried == name)?;
        parts.headers.get(&CARRIED_NAMES[at])?.to_str().ok()
    });
    let facts = HttpFacts {
        method: parts.method,
        uri: parts.uri,
        headers: parts.headers,
        peer,
        status: std::sync::Arc::default(),
    };
    let mut info = RequestInfo::new(bytes::Bytes::new(), TransportFacts::new(facts));
    info.deadline = Some(deadline);
    info.traceparent = traceparent;
    info.caller = caller.map(Arc::new);
    info.headers = headers;
    info
}

/// The headers recorded in `info` (always HTTP facts here).
pub(crate) fn headers_of(info: &RequestInfo) -> &http::HeaderMap {
    static EMPTY: std::sync::OnceLock<http::HeaderMap> = std::sync::OnceLock::new();
    match info.facts.get::<HttpFacts>() {
        Some(facts) => &facts.headers,
        None => EMPTY.get_or_init(http::HeaderMap::new),
    }
}

/// A refusal in the endpoint's protocol, with the fault's status.
fn refuse(endpoint: &Endpoint, info: &RequestInfo, fault: Fault) -> Response {
    let challenge = (status::status_of(&fault) == StatusCode::UNAUTHORIZED)
        .then(|| auth::challenge(&endpoint.shared.config.auth))
        .flatten();
    let mut response = status::refusal(endpoint.server.refuse(info, fault));
    if let Some(challenge) = challenge {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_static_names_are_the_carried_ones_in_order() {
        let names: Vec<&str> = CARRIED_NAMES.iter().map(http::HeaderName::as_str).collect();
        assert_eq!(names, CARRIED);
    }
}
