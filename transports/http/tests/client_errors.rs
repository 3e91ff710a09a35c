//! A client whose replies do not decode (pointed at the wrong endpoint)
//! says what the server answered: the HTTP status and the first bytes of
//! the body, which hold the server's fault.

mod common;

use std::sync::Arc;

use common::{server, start};
use switchboard::{Application, CallError, Client};
use switchboard_demo::Echo;
use switchboard_http::{HttpClient, HttpConfig};
use switchboard_json::{JsonDocument, JsonRpc};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn demo() -> Application {
    Application::builder()
        .services(["demo"])
        .build()
        .expect("demo")
}

/// The error of an `echo` call through `client`, as text.
async fn echo_error(client: Client) -> Result<String, Box<dyn std::error::Error>> {
    match client.call(Echo { s: "hi".into() }).await {
        Ok(reply) => Err(format!("expected an error, got {reply:?}").into()),
        Err(err @ CallError::Protocol(_)) => Ok(err.to_string()),
        Err(other) => Err(format!("expected a protocol error, got {other:?}").into()),
    }
}

#[tokio::test]
async fn a_reply_that_does_not_decode_shows_the_status_and_the_body() -> TestResult {
    let running = start(server(demo(), HttpConfig::default())).await;
    // JSON-RPC at the JSON document endpoint: a 400 with a document fault.
    let rpc_at_json = Client::new(
        Arc::new(HttpClient::new(running.url("/json"))?),
        Arc::new(JsonRpc),
    );
    let message = echo_error(rpc_at_json).await?;
    assert!(message.contains("HTTP 400 Bad Request"), "{message}");
    assert!(message.contains(r#""faultcode":"Client."#), "{message}");
    // At a path nothing is served at: a 404 with a `Client.NotFound` fault.
    let nowhere = Client::new(
        Arc::new(HttpClient::new(running.url("/nowhere"))?),
        Arc::new(JsonRpc),
    );
    let message = echo_error(nowhere).await?;
    assert!(message.contains("HTTP 404 Not Found"), "{message}");
    assert!(message.contains("Client.NotFound"), "{message}");
    // The JSON document at the JSON-RPC endpoint: a 200 whose body is a
    // JSON-RPC error response, not an echo.
    let json_at_rpc = Client::new(
        Arc::new(HttpClient::new(running.url("/jsonrpc"))?),
        Arc::new(JsonDocument),
    );
    let message = echo_error(json_at_rpc).await?;
    assert!(message.contains("HTTP 200 OK"), "{message}");
    assert!(message.contains(r#""jsonrpc":"2.0""#), "{message}");
    running.shutdown().await;
    Ok(())
}
