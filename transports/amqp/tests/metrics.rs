//! The link metrics, read back from a Prometheus recorder this test
//! process installs: calls counted on both sides with their confirms, an
//! unroutable call counted as a return, a reply that came after its
//! caller gave up, a poison message dead-lettered with its reason, and the
//! server's connection closed from the broker side
//! (`rabbitmqctl close_connection`) counted as exactly one reconnect, the
//! link up again afterwards and its readiness probe ready; then the
//! client's, counted once when its next call opens a new link.
//!
//! One test in this binary: the recorder is the process's, and the
//! counters are compared exactly.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::json;
use switchboard::catalog::Readiness;
use switchboard::{Application, CallError, Client, Server, ServerTransport, TransportError, rpc};
use switchboard_amqp::metrics::{
    BROKER, CONNECTED, CONSUMED, DEAD_LETTERED, EXCHANGE, KIND, LATE_REPLIES, NACKS,
    PUBLISH_CONFIRM, PUBLISHED, QUEUE, REASON, RECONNECTS, REDELIVERED, RETURNS, ROLE,
};
use switchboard_amqp::{
    AmqpClient, AmqpServer, Backoff, Binding, BindingSpec, ClientOptions, ExchangeSpec, QueueSpec,
    ServerOptions, Topology,
};
use switchboard_demo as _;
use switchboard_json::JsonRpc;
use tokio::sync::oneshot;

use common::{PATIENCE, TestResult, connect, settings, unique, wait_consumers};

/// Answers after `ms` milliseconds.
#[rpc(service = "metrics_test")]
async fn slow(ms: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    ms
}

/// How many calls the test makes first.
const CALLS: u32 = 20;

/// Installs the process's recorder, with the buckets the host uses.
fn install() -> Result<PrometheusHandle, Box<dyn std::error::Error + Send + Sync>> {
    let recorder = PrometheusBuilder::new()
        .set_buckets(switchboard::telemetry::DURATION_BUCKETS)?
        .build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder)?;
    Ok(handle)
}

/// The sum of the samples of `name` in `page` that carry every label of
/// `labels` (0 when none does).
fn sample(page: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    page.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            let matches = metric == name
                && labels
                    .iter()
                    .all(|(key, value)| rest.contains(&format!("{key}=\"{value}\"")));
            matches.then(|| value.parse::<f64>().ok()).flatten()
        })
        .sum()
}

/// What the test reads from the recorder.
struct Page {
    handle: PrometheusHandle,
    broker: String,
}

impl Page {
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let mut all = vec![(BROKER, self.broker.as_str())];
        all.extend_from_slice(labels);
        sample(&self.handle.render(), name, &all)
    }

    /// Waits (bounded) until `name{labels}` is `expected`; fails with
    /// what it was.
    async fn expect(&self, name: &str, labels: &[(&str, &str)], expected: f64) -> TestResult {
        let start = Instant::now();
        loop {
            let value = self.value(name, labels);
            if value == expected {
                return Ok(());
            }
            if start.elapsed() > PATIENCE {
                let page = self.handle.render();
                let series: Vec<&str> =
                    page.lines().filter(|line| line.starts_with(name)).collect();
                return Err(format!(
                    "{name}{labels:?} is {value}, expected {expected}; the series:\n{}",
                    series.join("\n")
                )
                .into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The broker's id (`pid`) of the connection whose client-provided name
/// is `name`.
async fn connection_pid(name: &str) -> Result<String, String> {
    let start = Instant::now();
    loop {
        let out = tokio::process::Command::new("rabbitmqctl")
            .args(["list_connections", "-q", "pid", "client_properties"])
            .output()
            .await
            .map_err(|e| format!("cannot run rabbitmqctl: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let quoted = format!("\"{name}\"");
        let found = text
            .lines()
            .find(|line| line.contains(&quoted))
            .and_then(|line| line.split_whitespace().next());
        if let Some(pid) = found {
            return Ok(pid.to_owned());
        }
        if start.elapsed() > PATIENCE {
            return Err(format!("no connection named {name}:\n{text}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Closes the connection `pid` from the broker's side.
async fn close_connection(pid: &str) -> TestResult {
    let out = tokio::process::Command::new("rabbitmqctl")
        .args(["close_connection", pid, "closed by the metrics test"])
        .output()
        .await?;
    if !out.status.success() {
        return Err(format!(
            "rabbitmqctl close_connection: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_links_traffic_failures_and_reconnect_are_counted() -> TestResult {
    connect("probe").await?;
    let page = Page {
        handle: install()?,
        broker: settings("probe").broker(),
    };
    let queue = unique("metrics");
    let dead = unique("metrics-dlx");
    let topology = Topology {
        exchanges: vec![ExchangeSpec::fanout(&dead).auto_delete(true)],
        queues: vec![QueueSpec::new(&dead)],
        bindings: vec![BindingSpec {
            queue: dead.clone(),
            exchange: dead.clone(),
            routing_key: String::new(),
        }],
    };
    let quick = Backoff {
        initial: Duration::from_millis(20),
        max: Duration::from_millis(200),
        max_attempts: None,
    };
    let options = ServerOptions::new(Binding::work_queue(QueueSpec::new(&queue)))
        .with_topology(topology)
        .with_dead_letter(&dead, None)
        .with_reconnect(quick);
    let server_name = unique("metrics-server");
    let readiness = Readiness::new();
    let transport = AmqpServer::new(settings(&server_name), options).with_readiness(&readiness);
    let probe_name = transport.probe_name();
    assert_eq!(
        probe_name,
        format!("amqp {} queue {queue}", page.broker),
        "the probe names the link"
    );
    let app = Application::builder()
        .services(["demo", "metrics_test"])
        .build()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(transport.serve(Server::new(app, JsonRpc), async move {
        let _ = stopped.await;
    }));
    wait_consumers(&queue, 1).await?;
    let server = [(ROLE, "server")];
    let client_role = [(ROLE, "client")];
    page.expect(CONNECTED, &server, 1.0).await?;
    assert!(readiness.report().ready, "{:?}", readiness.report());

    let client_name = unique("metrics-client");
    let transport =
        AmqpClient::connect(settings(&client_name), ClientOptions::to_queue(&queue)).await?;
    let transport = Arc::new(transport);
    let client = Client::new(Arc::clone(&transport) as _, Arc::new(JsonRpc));
    for n in 0..CALLS {
        let answer: String = client
            .call_named("echo", &json!({"s": format!("call {n}")}), None)
            .await?;
        assert_eq!(answer, format!("call {n}"));
    }
    let consumed = [(QUEUE, queue.as_str())];
    let calls = [(EXCHANGE, "amq.default"), (KIND, "call")];
    let replies = [(EXCHANGE, "amq.default"), (KIND, "reply")];
    let n = f64::from(CALLS);
    page.expect(CONSUMED, &consumed, n).await?;
    page.expect(REDELIVERED, &consumed, 0.0).await?;
    page.expect(PUBLISHED, &replies, n).await?;
    page.expect(PUBLISHED, &calls, n).await?;
    let confirms = format!("{PUBLISH_CONFIRM}_count");
    page.expect(&confirms, &[(KIND, "call")], n).await?;
    page.expect(CONNECTED, &client_role, 1.0).await?;
    page.expect(RETURNS, &calls, 0.0).await?;

    // A call no queue takes: returned by the broker, confirmed, counted.
    let nowhere = AmqpClient::connect(
        settings(&unique("metrics-nowhere")),
        ClientOptions::to_queue(unique("nowhere")),
    )
    .await?;
    page.expect(CONNECTED, &client_role, 2.0).await?;
    let lost = Client::new(Arc::new(nowhere), Arc::new(JsonRpc))
        .call_named::<String>("echo", &json!({"s": "lost"}), None)
        .await;
    assert!(
        matches!(
            lost,
            Err(CallError::Transport(TransportError::Unexpected(_)))
        ),
        "{lost:?}"
    );
    page.expect(RETURNS, &calls, 1.0).await?;
    page.expect(PUBLISHED, &calls, n + 1.0).await?;
    page.expect(&confirms, &[(KIND, "call")], n + 1.0).await?;
    page.expect(NACKS, &calls, 0.0).await?;
    // That client is gone: out of the gauge.
    page.expect(CONNECTED, &client_role, 1.0).await?;

    // A reply that comes after its caller gave up. The deadline is also
    // the request's expiration: long enough for the idle consumer to take
    // it even on a loaded machine.
    let deadline = Instant::now() + Duration::from_millis(500);
    let late = client
        .call_named::<u64>("slow", &json!({"ms": 1_500}), Some(deadline))
        .await;
    assert!(
        matches!(late, Err(CallError::Transport(TransportError::Timeout))),
        "{late:?}"
    );
    page.expect(LATE_REPLIES, &[], 1.0).await?;
    page.expect(PUBLISHED, &replies, n + 1.0).await?;

    // A poison message: dead-lettered for a bad request, the copy confirmed.
    transport
        .publish("", &queue, "application/json", b"{not json")
        .await?;
    let bad = [(QUEUE, queue.as_str()), (REASON, "bad_request")];
    page.expect(DEAD_LETTERED, &bad, 1.0).await?;
    let dead_letters = [(EXCHANGE, dead.as_str()), (KIND, "dead_letter")];
    page.expect(PUBLISHED, &dead_letters, 1.0).await?;
    page.expect(&confirms, &[(KIND, "dead_letter")], 1.0)
        .await?;
    page.expect(RETURNS, &dead_letters, 0.0).await?;
    page.expect(
        DEAD_LETTERED,
        &[(QUEUE, queue.as_str()), (REASON, "server_fault")],
        0.0,
    )
    .await?;
    page.expect(
        PUBLISHED,
        &[(EXCHANGE, "amq.default"), (KIND, "message")],
        1.0,
    )
    .await?;
    page.expect(CONSUMED, &consumed, n + 2.0).await?;
    assert_eq!(common::message_count(&dead).await?, 1);

    // The server's connection closed by the broker: one reconnect.
    page.expect(RECONNECTS, &server, 0.0).await?;
    let pid = connection_pid(&format!("switchboard-test {server_name}")).await?;
    close_connection(&pid).await?;
    page.expect(RECONNECTS, &server, 1.0).await?;
    page.expect(CONNECTED, &server, 1.0).await?;
    wait_consumers(&queue, 1).await?;
    let answer: String = common::bounded("a call after the reconnect", async {
        loop {
            match client
                .call_named::<String>("echo", &json!({"s": "back"}), None)
                .await
            {
                Ok(answer) => break answer,
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    })
    .await?;
    assert_eq!(answer, "back");
    assert_eq!(page.value(RECONNECTS, &server), 1.0, "one reconnect only");
    assert_eq!(page.value(RECONNECTS, &client_role), 0.0);

    // The client's connection closed by the broker: its next call opens
    // a new link, one reconnect.
    let pid = connection_pid(&format!("switchboard-test {client_name}")).await?;
    close_connection(&pid).await?;
    page.expect(CONNECTED, &client_role, 0.0).await?;
    let answer: String = common::bounded("a call after the client's reconnect", async {
        loop {
            match client
                .call_named::<String>("echo", &json!({"s": "again"}), None)
                .await
            {
                Ok(answer) => break answer,
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    })
    .await?;
    assert_eq!(answer, "again");
    page.expect(RECONNECTS, &client_role, 1.0).await?;
    page.expect(CONNECTED, &client_role, 1.0).await?;
    assert_eq!(page.value(RECONNECTS, &server), 1.0);
    let report = readiness.report();
    assert!(report.ready, "{report:?}");
    assert_eq!(report.checks.len(), 1);
    assert_eq!(report.checks[0].name, probe_name);

    let _ = stop.send(());
    tokio::time::timeout(PATIENCE, serving).await???;
    page.expect(CONNECTED, &server, 0.0).await?;
    let report = readiness.report();
    assert!(
        report.checks.is_empty(),
        "the probe went with the server: {report:?}"
    );
    common::delete(&[&queue, &dead], &[&dead]).await;
    Ok(())
}
