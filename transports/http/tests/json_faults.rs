//! The JSON document over a real socket: a result JSON cannot carry (a map
//! whose keys are not strings) is a `Server` fault the response reports, so
//! it comes with `500` like any other `Server` fault, not as a `200`.

mod common;

use std::collections::BTreeMap;

use common::start;
use switchboard::{Application, rpc};
use switchboard_http::{HttpConfig, HttpServer};
use switchboard_json::JsonDocument;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Pairs keyed by a tuple: JSON object keys must be strings.
#[rpc(service = "unencodable")]
fn pairs() -> BTreeMap<(u8, u8), u8> {
    BTreeMap::from([((1, 2), 3)])
}

/// Fine to encode, to show the server goes on.
#[rpc(service = "unencodable")]
fn fine() -> u8 {
    7
}

#[tokio::test]
async fn a_result_json_cannot_carry_is_a_server_fault_with_500() -> TestResult {
    let app = Application::builder().services(["unencodable"]).build()?;
    let server = HttpServer::builder(app)
        .config(HttpConfig::default())
        .endpoint("/json", JsonDocument)
        .build()?;
    let running = start(server).await;
    let client = reqwest::Client::new();
    let post = |method: &str| {
        client
            .post(running.url(&format!("/json/{method}")))
            .header("content-type", "application/json")
            .body("{}")
            .send()
    };
    let failed = post("pairs").await?;
    assert_eq!(failed.status().as_u16(), 500);
    let body: serde_json::Value = failed.json().await?;
    assert_eq!(body["faultcode"], "Server", "{body}");
    let fine = post("fine").await?;
    assert_eq!(fine.status().as_u16(), 200);
    assert_eq!(fine.text().await?, "7");
    running.shutdown().await;
    Ok(())
}
