//! Which status a fault reply gets: by default the out protocol decides
//! (JSON-RPC error responses `200`, JSON document faults their status);
//! `FaultStatuses::Always` maps every fault to its status. Refusals before
//! the protocol runs keep their status either way.

mod common;

use common::{server, start};
use serde_json::Value;
use switchboard::Application;
use switchboard_demo as _; // links the `demo` service
use switchboard_http::{Auth, FaultStatuses, HttpConfig};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn demo() -> Application {
    Application::builder()
        .services(["demo"])
        .build()
        .expect("demo")
}

/// JSON-RPC requests that fail, with the status each gets under `Always`.
const JSONRPC_FAULTS: [(&str, u16); 4] = [
    (r#"{"jsonrpc":"2.0","method":"nope","id":1}"#, 404),
    (
        r#"{"jsonrpc":"2.0","method":"fail","params":["no"],"id":1}"#,
        400,
    ),
    (
        r#"{"jsonrpc":"2.0","method":"sum","params":{"a":"x","b":1},"id":1}"#,
        400,
    ),
    ("{truncated", 400),
];

async fn post(url: &str, content_type: &str, body: &str) -> Result<(u16, Value), reqwest::Error> {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .header("authorization", "Bearer t")
        .body(body.to_owned())
        .send()
        .await?;
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    Ok((status, body))
}

#[tokio::test]
async fn jsonrpc_error_responses_are_200_by_default() -> TestResult {
    let running = start(server(demo(), HttpConfig::default())).await;
    for (body, _) in JSONRPC_FAULTS {
        let (status, reply) = post(&running.url("/jsonrpc"), "application/json", body).await?;
        assert_eq!(status, 200, "{body}: {reply}");
        assert!(reply["error"]["code"].is_i64(), "{body}: {reply}");
    }
    // The JSON document's faults are no JSON-RPC responses: they keep
    // their statuses.
    let (status, reply) = post(&running.url("/json/nope"), "application/json", "{}").await?;
    assert_eq!(
        (status, &reply["faultcode"]),
        (404, &"Client.UnknownMethod".into())
    );
    running.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn always_maps_jsonrpc_faults_to_statuses() -> TestResult {
    let config = HttpConfig::default().with_fault_statuses(FaultStatuses::Always);
    let running = start(server(demo(), config)).await;
    for (body, expected) in JSONRPC_FAULTS {
        let (status, reply) = post(&running.url("/jsonrpc"), "application/json", body).await?;
        assert_eq!(status, expected, "{body}: {reply}");
        assert!(reply["error"]["code"].is_i64(), "{body}: {reply}");
    }
    // A batch's faults stay inside its body.
    let batch = r#"[{"jsonrpc":"2.0","method":"nope","id":1}]"#;
    let (status, reply) = post(&running.url("/jsonrpc"), "application/json", batch).await?;
    assert_eq!(status, 200, "{reply}");
    running.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn refusals_before_the_protocol_keep_their_status() -> TestResult {
    for statuses in [FaultStatuses::ProtocolDecides, FaultStatuses::Always] {
        let config = HttpConfig::default()
            .with_fault_statuses(statuses)
            .with_max_body_bytes(64)
            .with_auth(Auth::Bearer { token: "t".into() });
        let running = start(server(demo(), config)).await;
        let url = running.url("/jsonrpc");
        let echo = r#"{"jsonrpc":"2.0","method":"echo","params":["hi"],"id":1}"#;
        let (status, reply) = post(&url, "text/plain", echo).await?;
        assert_eq!(status, 415, "{statuses:?}: {reply}");
        assert!(reply["error"]["code"].is_i64(), "{reply}");
        let big = format!(
            r#"{{"jsonrpc":"2.0","method":"echo","params":["{}"],"id":1}}"#,
            "x".repeat(100)
        );
        let (status, reply) = post(&url, "application/json", &big).await?;
        assert_eq!(status, 413, "{statuses:?}: {reply}");
        let unauthorized = reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/json")
            .body(echo)
            .send()
            .await?;
        assert_eq!(unauthorized.status().as_u16(), 401, "{statuses:?}");
        let reply: Value = unauthorized.json().await?;
        assert!(reply["error"]["code"].is_i64(), "{reply}");
        running.shutdown().await;
    }
    Ok(())
}
