//! `GET /metrics` and `GET /readyz` through a real socket: refusals
//! counted by reason (credentials, body size, depth, batch size, DOCTYPE,
//! parse, media type, draining), both paths open without credentials, and
//! readiness following the listener and the drain switch.

mod common;

use common::start;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::Value;
use switchboard::catalog::{Draining, MetricsPage, Readiness};
use switchboard::{Application, telemetry};
use switchboard_demo as _; // links the `demo` service
use switchboard_http::{Auth, HttpConfig, HttpServer};
use switchboard_json::JsonRpc;
use switchboard_soap::Soap;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const TOKEN: &str = "s3cret";

/// The process's recorder: installed once, whichever test comes first.
fn handle() -> PrometheusHandle {
    static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).expect("the only recorder");
            handle
        })
        .clone()
}

fn page() -> MetricsPage {
    let handle = handle();
    MetricsPage::new(move || {
        let mut page = handle.render();
        telemetry::render(&mut page);
        page
    })
}

/// The count of refusals for `reason` on the page.
fn refused(page: &str, reason: &str) -> u64 {
    let prefix =
        format!("switchboard_rpc_rejected_total{{reason=\"{reason}\",transport=\"http\"}} ");
    page.lines()
        .find_map(|line| line.strip_prefix(&prefix)?.parse().ok())
        .unwrap_or(0)
}

fn app() -> Application {
    Application::builder()
        .services(["demo"])
        .build()
        .expect("demo")
}

#[tokio::test]
async fn refusals_are_counted_by_reason_and_the_pages_need_no_credentials() -> TestResult {
    let config = HttpConfig::default()
        .with_auth(Auth::Bearer {
            token: TOKEN.to_owned(),
        })
        .with_max_body_bytes(16 * 1024)
        .with_metrics(page());
    let server = HttpServer::builder(app())
        .config(config)
        .endpoint("/jsonrpc", JsonRpc)
        .endpoint("/soap", Soap::new())
        .build()?;
    let running = start(server).await;
    let http = reqwest::Client::new();
    let before = http.get(running.url("/metrics")).send().await?;
    assert_eq!(before.status(), 200, "no credentials needed");
    assert!(
        before.headers()["content-type"]
            .to_str()?
            .starts_with("text/plain; version=0.0.4")
    );
    let before = before.text().await?;
    let json = "application/json";
    let xml = "text/xml; charset=utf-8";
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let batch = format!(
        "[{}]",
        vec![r#"{"jsonrpc":"2.0","method":"echo","params":{"s":"x"},"id":1}"#; 101].join(",")
    );
    let doctype = "<!DOCTYPE x><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body/></s:Envelope>";
    let cases: [(&str, Option<&str>, &str, String, &str); 7] = [
        ("/jsonrpc", None, json, "{}".to_owned(), "auth"),
        (
            "/jsonrpc",
            Some(TOKEN),
            json,
            "x".repeat(20_000),
            "body_limit",
        ),
        ("/jsonrpc", Some(TOKEN), json, deep, "depth"),
        ("/jsonrpc", Some(TOKEN), json, batch, "batch_size"),
        ("/soap", Some(TOKEN), xml, doctype.to_owned(), "doctype"),
        (
            "/jsonrpc",
            Some(TOKEN),
            json,
            "{not json".to_owned(),
            "parse",
        ),
        (
            "/jsonrpc",
            Some(TOKEN),
            "text/plain",
            "{}".to_owned(),
            "media_type",
        ),
    ];
    for (path, token, content_type, body, reason) in cases {
        let mut request = http
            .post(running.url(path))
            .header("content-type", content_type)
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await?.bytes().await?;
        let after = http
            .get(running.url("/metrics"))
            .send()
            .await?
            .text()
            .await?;
        assert_eq!(
            refused(&after, reason),
            refused(&before, reason) + 1,
            "{reason}: {after}"
        );
    }
    let ready = http.get(running.url("/readyz")).send().await?;
    assert_eq!(ready.status(), 200, "no credentials needed");
    running.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn readiness_follows_the_listener_and_the_drain_switch() -> TestResult {
    let readiness = Readiness::new();
    let draining = Draining::new();
    let other = readiness.probe("amqp 127.0.0.1:5672/");
    other.set_ready();
    let config = HttpConfig::default()
        .with_readiness(readiness.clone())
        .with_draining(draining.clone());
    let server = HttpServer::builder(app())
        .config(config)
        .endpoint("/jsonrpc", JsonRpc)
        .build()?;
    let running = start(server).await;
    let http = reqwest::Client::new();
    let get = || http.get(running.url("/readyz")).send();
    let ready = get().await?;
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await?;
    let names: Vec<&str> = body["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["amqp 127.0.0.1:5672/", &format!("http {}", running.addr)]
    );
    // Another transport's link goes down: not ready, and the body says which.
    other.set_not_ready("connection refused");
    let down = get().await?;
    assert_eq!(down.status(), 503);
    let body: Value = down.json().await?;
    assert_eq!(body["ready"], false);
    assert_eq!(body["checks"][0]["reason"], "connection refused", "{body}");
    assert_eq!(body["checks"][1]["ready"], true, "{body}");
    other.set_ready();
    assert_eq!(get().await?.status(), 200);
    // Draining: not ready, so a load balancer moves on.
    draining.start();
    let drained = get().await?;
    assert_eq!(drained.status(), 503);
    let body: Value = drained.json().await?;
    assert!(
        body["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["name"] == "draining"),
        "{body}"
    );
    running.shutdown().await;
    // The listener's probe is gone with it.
    assert_eq!(readiness.report().checks.len(), 1);
    Ok(())
}
