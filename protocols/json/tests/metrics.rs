//! The call metrics the pipeline records, read back from a real
//! Prometheus exposition: one series per method and status, `_OTHER` for
//! every name the application does not serve, refusals counted apart.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusRecorder};
use switchboard::{Application, RequestInfo, Server, TransportFacts, telemetry};
use switchboard_json::{JsonDocument, JsonRpc};

/// The exporter's page, then the calls' series the pipeline keeps.
fn render(handle: &metrics_exporter_prometheus::PrometheusHandle) -> String {
    let mut page = handle.render();
    telemetry::render(&mut page);
    page
}

/// Runs `work` with a fresh Prometheus recorder; the page after it.
fn recorded(work: impl std::future::Future<Output = ()>) -> String {
    let recorder = recorder();
    let handle = recorder.handle();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    metrics::with_local_recorder(&recorder, || runtime.block_on(work));
    render(&handle)
}

fn recorder() -> PrometheusRecorder {
    PrometheusBuilder::new()
        .set_buckets(telemetry::DURATION_BUCKETS)
        .expect("buckets")
        .build_recorder()
}

fn app(metered: bool) -> Application {
    Application::builder()
        .services([switchboard_demo::SERVICE])
        .metrics(metered)
        .build()
        .expect("the demo service is linked")
}

async fn call(server: &Server, body: &str) {
    let request = RequestInfo::new(body.as_bytes().to_vec(), TransportFacts::NONE);
    server.process(request).await;
}

async fn json_rpc_workload() {
    let server = Server::new(app(true), JsonRpc);
    for _ in 0..3 {
        call(
            &server,
            r#"{"jsonrpc":"2.0","method":"echo","params":{"s":"x"},"id":1}"#,
        )
        .await;
    }
    call(
        &server,
        r#"{"jsonrpc":"2.0","method":"fail","params":{"message":"no"},"id":2}"#,
    )
    .await;
    for name in ["nope", "also-not", "x/../../etc"] {
        let body = format!(r#"{{"jsonrpc":"2.0","method":"{name}","id":3}}"#);
        call(&server, &body).await;
    }
    call(
        &server,
        r#"{"jsonrpc":"2.0","method":"sum","params":{"a":"one"},"id":4}"#,
    )
    .await;
    call(&server, "{not json").await;
    let deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
    call(&server, &deep).await;
}

/// The value of the sample line naming `series` exactly, with `labels` in
/// any order.
fn sample(page: &str, series: &str, labels: &[(&str, &str)]) -> Option<f64> {
    page.lines().find_map(|line| {
        let (name_labels, value) = line.rsplit_once(' ')?;
        let (name, rest) = name_labels.split_once('{').unwrap_or((name_labels, "}"));
        if name != series {
            return None;
        }
        let rest = rest.strip_suffix('}')?;
        let found: Vec<&str> = if rest.is_empty() {
            vec![]
        } else {
            rest.split(',').collect()
        };
        let wanted: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        let same =
            found.len() == wanted.len() && wanted.iter().all(|w| found.contains(&w.as_str()));
        same.then(|| value.parse().ok()).flatten()
    })
}

fn every_call_is_counted_by_method_and_status() {
    let page = recorded(json_rpc_workload());
    let count = "rpc_server_call_duration_seconds_count";
    let base = [("rpc_system_name", "jsonrpc"), ("transport", "local")];
    let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&str, &str)> {
        base.iter().chain(extra).copied().collect()
    };
    let ok = with(&[
        ("rpc_method", "demo/echo"),
        ("rpc_response_status_code", "OK"),
    ]);
    assert_eq!(sample(&page, count, &ok), Some(3.0), "{page}");
    let failed = with(&[
        ("rpc_method", "demo/fail"),
        ("rpc_response_status_code", "-32000"),
        ("error_type", "Client"),
    ]);
    assert_eq!(sample(&page, count, &failed), Some(1.0), "{page}");
    let unknown = with(&[
        ("rpc_method", "_OTHER"),
        ("rpc_response_status_code", "-32601"),
        ("error_type", "Client.UnknownMethod"),
    ]);
    assert_eq!(sample(&page, count, &unknown), Some(3.0), "{page}");
    assert!(!page.contains("nope") && !page.contains("etc"), "{page}");
    let invalid = with(&[
        ("rpc_method", "demo/sum"),
        ("rpc_response_status_code", "-32602"),
        ("error_type", "Client.InvalidParams"),
    ]);
    assert_eq!(sample(&page, count, &invalid), Some(1.0), "{page}");
    let rejected = "switchboard_rpc_rejected_total";
    for reason in ["parse", "depth"] {
        let labels = [("reason", reason), ("transport", "local")];
        assert_eq!(
            sample(&page, rejected, &labels),
            Some(1.0),
            "{reason}: {page}"
        );
    }
    assert_eq!(
        sample(&page, "switchboard_rpc_in_flight", &base),
        Some(0.0),
        "{page}"
    );
    // The first bucket is 10 µs; the last is 10 s, and `+Inf` holds all.
    let inf = with(&[
        ("rpc_method", "demo/echo"),
        ("rpc_response_status_code", "OK"),
        ("le", "+Inf"),
    ]);
    assert_eq!(
        sample(&page, "rpc_server_call_duration_seconds_bucket", &inf),
        Some(3.0)
    );
    assert!(page.contains("le=\"0.00001\""), "{page}");
}

fn the_json_document_reports_fault_codes_as_its_status() {
    let page = recorded(async {
        let server = Server::new(app(true), JsonDocument);
        let request =
            RequestInfo::new(&br#"{"message":"no"}"#[..], TransportFacts::NONE).with_method("fail");
        server.process(request).await;
    });
    let labels = [
        ("rpc_system_name", "json"),
        ("transport", "local"),
        ("rpc_method", "demo/fail"),
        ("rpc_response_status_code", "Client"),
        ("error_type", "Client"),
    ];
    assert_eq!(
        sample(&page, "rpc_server_call_duration_seconds_count", &labels),
        Some(1.0),
        "{page}"
    );
}

fn an_unmetered_application_records_nothing() {
    let page = recorded(async {
        let server = Server::new(app(false), JsonRpc);
        let echo = r#"{"jsonrpc":"2.0","method":"echo","params":{"s":"x"},"id":1}"#;
        call(&server, echo).await;
        call(&server, "{not json").await;
    });
    assert_eq!(page.trim(), "");
}

/// One test, in this order: the calls' series are kept per process, and
/// `cargo test` runs the tests of a file in one process.
#[test]
fn call_metrics() {
    an_unmetered_application_records_nothing();
    every_call_is_counted_by_method_and_status();
    the_json_document_reports_fault_codes_as_its_status();
}
