//! Bad requests at each endpoint kind (`/jsonrpc`, `/json`,
//! `/json/{method}`, a REST POST and a REST PUT route): truncated JSON,
//! invalid UTF-8, wrong parameter types, a wrong media type. Each gets its
//! status and the protocol's error body, and the endpoint serves a valid
//! call right after. JSON-RPC error responses come with `200`; a wrong
//! media type is refused before the protocol runs, with `415` everywhere.

use switchboard_http::HttpConfig;
use switchboard_json::{APPLICATION_ERROR, INVALID_PARAMS, PARSE_ERROR};

use super::{Endpoint, TestResult, start_with_target};

/// A bad request and how it is refused.
struct Case {
    content_type: &'static str,
    body: Vec<u8>,
    status: u16,
    /// The status at `/jsonrpc`.
    rpc_status: u16,
    fault: &'static str,
    rpc_code: i64,
}

/// Valid params of `create_map` and of `update_map`.
const PARAMS: &str = r#"{"name":"Fine","width":4,"height":4}"#;

/// Sends `case`'s request to every endpoint kind, checking the refusal and
/// that the endpoint still serves.
async fn refused_everywhere(case: fn(Endpoint) -> Case) -> TestResult {
    let running = start_with_target(HttpConfig::default()).await?;
    for (n, endpoint) in Endpoint::ALL.into_iter().enumerate() {
        let case = case(endpoint);
        let (verb, path) = (endpoint.verb(), endpoint.path());
        let reply = running
            .send(verb, path, case.content_type, Some(case.body))
            .await?;
        let statuses = (case.status, case.rpc_status);
        endpoint.check_fault(&reply, statuses, case.fault, case.rpc_code)?;
        endpoint.check_alive(&running, n).await?;
    }
    running.shutdown().await
}

fn malformed(body: Vec<u8>) -> Case {
    Case {
        content_type: "application/json",
        body,
        status: 400,
        rpc_status: 200,
        fault: "Client.Malformed",
        rpc_code: PARSE_ERROR,
    }
}

#[tokio::test]
async fn truncated_json_gets_400_at_every_endpoint() -> TestResult {
    refused_everywhere(|endpoint| {
        let full = endpoint.wrap(PARAMS);
        malformed(full.as_bytes()[..full.len() - 6].to_vec())
    })
    .await
}

#[tokio::test]
async fn invalid_utf8_gets_400_at_every_endpoint() -> TestResult {
    refused_everywhere(|endpoint| {
        // The name `Fine` becomes two bytes no UTF-8 text holds.
        let text = endpoint.wrap(PARAMS);
        let (head, tail) = text.split_once("Fine").unwrap_or((&text, ""));
        malformed([head.as_bytes(), &[0xff, 0xfe], tail.as_bytes()].concat())
    })
    .await
}

#[tokio::test]
async fn wrong_param_types_get_400_at_every_endpoint() -> TestResult {
    refused_everywhere(|endpoint| Case {
        content_type: "application/json",
        body: endpoint
            .wrap(r#"{"name":"Typed","width":"wide","height":true}"#)
            .into_bytes(),
        status: 400,
        rpc_status: 200,
        fault: "Client.InvalidParams",
        rpc_code: INVALID_PARAMS,
    })
    .await
}

#[tokio::test]
async fn a_wrong_content_type_gets_415_at_every_endpoint() -> TestResult {
    refused_everywhere(|endpoint| Case {
        content_type: "text/plain",
        body: endpoint.wrap(PARAMS).into_bytes(),
        status: 415,
        rpc_status: 415,
        fault: "Client.UnsupportedMediaType",
        rpc_code: APPLICATION_ERROR,
    })
    .await
}
