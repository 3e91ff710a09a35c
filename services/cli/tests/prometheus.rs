//! Metrics as a monitoring system sees them: a real Prometheus server
//! (Debian's `prometheus`; `.ci/run` installs it) scrapes `switchboard
//! serve`, and the test asks Prometheus's HTTP API what it saw after a
//! scripted workload: calls per method and status, exactly; one `_OTHER`
//! for ten thousand random names; refusals by reason. `promtool check
//! metrics` passes on the page, and every PromQL query of
//! `docs/operating.md` runs against this Prometheus.

mod common;

use std::collections::BTreeMap;
use std::error::Error;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Served, TestResult};
use serde_json::Value;

/// A child process, killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A Prometheus server scraping `targets` every 200 ms, its data in a
/// temporary directory.
struct Prometheus {
    _server: Running,
    url: String,
    _dir: tempfile::TempDir,
}

/// A free port on 127.0.0.1 (bound, then released for the child to take).
fn free_port() -> Result<u16, Box<dyn Error>> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Prometheus {
    /// Starts Prometheus scraping each `(job, host:port)`.
    fn start(targets: &[(&str, &str)]) -> Result<Self, Box<dyn Error>> {
        let dir = tempfile::tempdir()?;
        let mut config = String::from(
            "global:\n  scrape_interval: 200ms\n  scrape_timeout: 200ms\n  evaluation_interval: 200ms\nscrape_configs:\n",
        );
        for (job, target) in targets {
            config.push_str(&format!(
                "  - job_name: {job}\n    static_configs:\n      - targets: ['{target}']\n"
            ));
        }
        let config_path = dir.path().join("prometheus.yml");
        std::fs::write(&config_path, config)?;
        let port = free_port()?;
        let binary = which("prometheus").ok_or(
            "prometheus is not installed (Debian: apt-get install prometheus; .ci/run does)",
        )?;
        let server = Command::new(binary)
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        Ok(Self {
            _server: Running(server),
            url: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        })
    }

    /// Waits until the server answers `/-/ready`.
    async fn ready(&self, client: &reqwest::Client) -> TestResult {
        let until = Instant::now() + Duration::from_secs(30);
        while Instant::now() < until {
            let reply = client.get(format!("{}/-/ready", self.url)).send().await;
            if reply.is_ok_and(|reply| reply.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("Prometheus did not become ready".into())
    }

    /// The instant vector `query` evaluates to now: each sample's labels
    /// and value.
    async fn query(&self, client: &reqwest::Client, query: &str) -> Result<Vector, Box<dyn Error>> {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/api/v1/query", self.url),
            &[("query", query)],
        )?;
        let reply: Value = client.get(url).send().await?.json().await?;
        if reply["status"] != "success" {
            return Err(format!("query {query} failed: {reply}").into());
        }
        let mut samples = Vec::new();
        for sample in reply["data"]["result"].as_array().into_iter().flatten() {
            let labels = sample["metric"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect();
            let value: f64 = sample["value"][1].as_str().unwrap_or("NaN").parse()?;
            samples.push((labels, value));
        }
        Ok(samples)
    }

    /// Evaluates `query` until `done` holds for its result (at most
    /// `limit`); the last result.
    async fn until(
        &self,
        client: &reqwest::Client,
        query: &str,
        limit: Duration,
        done: impl Fn(&Vector) -> bool,
    ) -> Result<Vector, Box<dyn Error>> {
        let until = Instant::now() + limit;
        loop {
            let result = self.query(client, query).await?;
            if done(&result) || Instant::now() > until {
                return Ok(result);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Samples: labels and value.
type Vector = Vec<(BTreeMap<String, String>, f64)>;

/// The value of the one sample of `vector`, if it has exactly one.
fn single(vector: &Vector) -> Option<f64> {
    match vector.as_slice() {
        [(_, value)] => Some(*value),
        _ => None,
    }
}

fn which(binary: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(binary))
        .find(|path| path.is_file())
}

/// `promtool check metrics` on `page`: its complaints, if any.
fn promtool_check(page: &str) -> Result<(), Box<dyn Error>> {
    use std::io::Write;
    let binary = which("promtool").ok_or("promtool is not installed (it comes with prometheus)")?;
    let mut child = Command::new(binary)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .ok_or("stdin is piped")?
        .write_all(page.as_bytes())?;
    let out = child.wait_with_output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "promtool check metrics: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into())
    }
}

/// The PromQL queries of `docs/operating.md` (its ```promql blocks).
fn documented_queries() -> Result<Vec<String>, Box<dyn Error>> {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/operating.md");
    let text = std::fs::read_to_string(doc)?;
    let mut queries = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim()) {
            (None, "```promql") => current = Some(String::new()),
            (Some(query), "```") => {
                queries.push(query.trim().to_owned());
                current = None;
            }
            (Some(query), _) => {
                query.push_str(line);
                query.push('\n');
            }
            (None, _) => {}
        }
    }
    Ok(queries)
}

/// What a documented query is about, by the metrics it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Topic {
    Calls,
    Queue,
    Amqp,
}

impl Topic {
    fn of(query: &str) -> Option<Self> {
        if query.contains("switchboard_queue") {
            Some(Self::Queue)
        } else if query.contains("switchboard_amqp") {
            Some(Self::Amqp)
        } else if query.contains("rpc_") {
            Some(Self::Calls)
        } else {
            None
        }
    }
}

/// Runs every query of `docs/operating.md` about `topic` against
/// `prometheus`, each until it has a result (a rate needs two scrapes of
/// a series); every query must be about some topic, so none goes unrun.
async fn run_documented_queries(
    prometheus: &Prometheus,
    client: &reqwest::Client,
    topic: Topic,
) -> TestResult {
    for query in documented_queries()? {
        let about = Topic::of(&query).ok_or_else(|| format!("no test runs the query {query}"))?;
        if about != topic {
            continue;
        }
        let limit = Duration::from_secs(10);
        let result = prometheus
            .until(client, &query, limit, |r| !r.is_empty())
            .await?;
        assert!(
            !result.is_empty(),
            "no result for the documented query {query}"
        );
    }
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime, std::io::Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// POSTs `body` to `url` with `content_type`; the status.
async fn post(
    client: &reqwest::Client,
    url: &str,
    content_type: &str,
    body: String,
) -> Result<u16, Box<dyn Error>> {
    let reply = client
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await?;
    let status = reply.status().as_u16();
    reply.bytes().await?;
    Ok(status)
}

/// Calls in each protocol, faults, refusals and ten thousand calls of
/// random unknown names (a hundred JSON-RPC batches of a hundred); the
/// series it leaves, `(system, method, status) → count`.
async fn workload(
    client: &reqwest::Client,
    url: &str,
) -> Result<BTreeMap<(String, String, String), f64>, Box<dyn Error>> {
    let json = "application/json";
    let rpc = format!("{url}/jsonrpc");
    for i in 0..5 {
        let body =
            format!(r#"{{"jsonrpc":"2.0","method":"echo","params":{{"s":"x{i}"}},"id":{i}}}"#);
        assert_eq!(post(client, &rpc, json, body).await?, 200);
    }
    for _ in 0..2 {
        let body = r#"{"jsonrpc":"2.0","method":"fail","params":{"message":"no"},"id":1}"#;
        post(client, &rpc, json, body.to_owned()).await?;
    }
    let bad_params = r#"{"jsonrpc":"2.0","method":"sum","params":{"a":"one"},"id":1}"#;
    post(client, &rpc, json, bad_params.to_owned()).await?;
    for batch in 0..100 {
        let calls: Vec<String> = (0..100)
            .map(|i| {
                let name = format!("scan-{batch}-{i}-{}", fastrand::u64(..));
                format!(r#"{{"jsonrpc":"2.0","method":"{name}","id":{i}}}"#)
            })
            .collect();
        post(client, &rpc, json, format!("[{}]", calls.join(","))).await?;
    }
    for i in 0..3 {
        let status = post(
            client,
            &format!("{url}/json/echo"),
            json,
            format!(r#"{{"s":"{i}"}}"#),
        )
        .await?;
        assert_eq!(status, 200);
    }
    let status = post(
        client,
        &format!("{url}/json/fail"),
        json,
        r#"{"message":"no"}"#.to_owned(),
    )
    .await?;
    assert_eq!(status, 400);
    let envelope = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:t=\"urn:switchboard\"><s:Body><t:echo><t:s>hi</t:s></t:echo></s:Body></s:Envelope>";
    for _ in 0..2 {
        let status = post(
            client,
            &format!("{url}/soap"),
            "text/xml; charset=utf-8",
            envelope.to_owned(),
        )
        .await?;
        assert_eq!(status, 200);
    }
    // Refused before any method runs: not calls.
    for _ in 0..2 {
        post(client, &rpc, json, "{not json".to_owned()).await?;
    }
    post(client, &rpc, "text/plain", "{}".to_owned()).await?;
    let series = [
        ("jsonrpc", "demo/echo", "OK", 5.0),
        ("jsonrpc", "demo/fail", "-32000", 2.0),
        ("jsonrpc", "demo/sum", "-32602", 1.0),
        ("jsonrpc", "_OTHER", "-32601", 10_000.0),
        ("json", "demo/echo", "OK", 3.0),
        ("json", "demo/fail", "Client", 1.0),
        ("soap", "demo/echo", "OK", 2.0),
    ];
    Ok(series
        .into_iter()
        .map(|(system, method, status, count)| {
            (
                (system.to_owned(), method.to_owned(), status.to_owned()),
                count,
            )
        })
        .collect())
}

#[test]
fn prometheus_sees_every_call_by_method_and_status() -> TestResult {
    let served = Served::start_with(&["--services", "demo", "--heartbeat", "0"])?;
    let target = served.url.trim_start_matches("http://").to_owned();
    let prometheus = Prometheus::start(&[("serve", &target)])?;
    runtime()?.block_on(async {
        let client = reqwest::Client::new();
        prometheus.ready(&client).await?;
        let expected = workload(&client, &served.url).await?;

        // Everything has arrived once the ten thousand unknown calls have.
        let other = "sum(rpc_server_call_duration_seconds_count{rpc_method=\"_OTHER\"})";
        let seen = prometheus
            .until(&client, other, Duration::from_secs(20), |v| single(v) == Some(10_000.0))
            .await?;
        assert_eq!(single(&seen), Some(10_000.0), "{seen:?}");

        let by_series = "sum by (rpc_system_name, rpc_method, rpc_response_status_code) \
                         (rpc_server_call_duration_seconds_count{job=\"serve\"})";
        let seen: BTreeMap<(String, String, String), f64> = prometheus
            .query(&client, by_series)
            .await?
            .into_iter()
            .map(|(labels, value)| {
                let label = |key: &str| labels.get(key).cloned().unwrap_or_default();
                let key = (
                    label("rpc_system_name"),
                    label("rpc_method"),
                    label("rpc_response_status_code"),
                );
                (key, value)
            })
            .collect();
        assert_eq!(seen, expected);

        // One label value for every name the application does not serve.
        let methods = "count(count by (rpc_method) (rpc_server_call_duration_seconds_count{rpc_method!~\"demo/.*\"}))";
        assert_eq!(single(&prometheus.query(&client, methods).await?), Some(1.0));

        // Refusals, by reason; and nothing is running any more.
        let parse = "sum(switchboard_rpc_rejected_total{reason=\"parse\"})";
        assert_eq!(single(&prometheus.query(&client, parse).await?), Some(2.0));
        let media = "sum(switchboard_rpc_rejected_total{reason=\"media_type\"})";
        assert_eq!(single(&prometheus.query(&client, media).await?), Some(1.0));
        let running = "sum(switchboard_rpc_in_flight)";
        assert_eq!(single(&prometheus.query(&client, running).await?), Some(0.0));
        let memory = "process_resident_memory_bytes{job=\"serve\"}";
        assert!(single(&prometheus.query(&client, memory).await?).is_some_and(|b| b > 1e6));
        let build = "switchboard_build_info{job=\"serve\",host=\"switchboard\"}";
        assert_eq!(single(&prometheus.query(&client, build).await?), Some(1.0));

        // The page a scraper reads passes promtool's checks.
        let page = client.get(format!("{}/metrics", served.url)).send().await?.text().await?;
        promtool_check(&page)?;

        // The operating guide's queries about calls run here (those about
        // queues and AMQP links where those are served).
        run_documented_queries(&prometheus, &client, Topic::Calls).await?;
        Ok::<_, Box<dyn Error>>(())
    })?;
    Ok(())
}

#[test]
fn metrics_can_be_turned_off() -> TestResult {
    let served = Served::start_with(&["--services", "demo", "--heartbeat", "0", "--no-metrics"])?;
    runtime()?.block_on(async {
        let client = reqwest::Client::new();
        let metrics = client.get(format!("{}/metrics", served.url)).send().await?;
        assert_eq!(metrics.status(), 404);
        let ready = client.get(format!("{}/readyz", served.url)).send().await?;
        assert_eq!(ready.status(), 200);
        let body: Value = ready.json().await?;
        assert_eq!(body["ready"], true);
        assert!(
            body["checks"][0]["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("http 127.0.0.1:"))
        );
        Ok::<_, Box<dyn Error>>(())
    })?;
    Ok(())
}

/// The broker's ids of the connections whose client properties name the
/// component `name` (its fingerprint is among them).
fn connections_of(name: &str) -> Result<Vec<String>, Box<dyn Error>> {
    let out = Command::new("rabbitmqctl")
        .args(["list_connections", "-q", "pid", "client_properties"])
        .output()?;
    // The fingerprint is a JSON text inside the listing: `{\"name\":\"NAME\"`.
    let quoted = format!("\\\"name\\\":\\\"{name}\\\"");
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|line| line.contains(&quoted))
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect())
}

/// A process serving AMQP only, its metrics on `--metrics-listen`: the
/// calls it served are counted with `transport="amqp"`, and closing its
/// connection from the broker's side raises its reconnect counter by
/// exactly one, then its link is up again.
#[test]
fn prometheus_sees_amqp_calls_and_one_reconnect() -> TestResult {
    let dir = tempfile::tempdir()?;
    let queue = format!("sbtest-metrics-{}", std::process::id());
    let name = format!("metrics-amqp-{}", std::process::id());
    let amqp = format!("amqp://guest:guest@127.0.0.1:5672/%2f?queue={queue}");
    let metrics = format!("127.0.0.1:{}", free_port()?);
    let _served = quiet(
        dir.path(),
        &[
            "serve",
            "--services",
            "demo",
            "--heartbeat",
            "0",
            "--on",
            &format!("{amqp}&durable=false"),
            "--metrics-listen",
            &metrics,
            "--component-name",
            &name,
        ],
    )?;
    let prometheus = Prometheus::start(&[("worker", &metrics)])?;
    runtime()?.block_on(async {
        let client = reqwest::Client::new();
        prometheus.ready(&client).await?;
        let ready = format!("http://{metrics}/readyz");
        let until = Instant::now() + Duration::from_secs(20);
        while !client.get(&ready).send().await.is_ok_and(|r| r.status() == 200) {
            assert!(Instant::now() < until, "the AMQP link never became ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        for i in 0..7 {
            let out = common::switchboard(dir.path())
                .args(["call", "echo", &format!("s=x{i}"), "--to", &amqp])
                .stdin(Stdio::null())
                .output()?;
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        let calls = "sum(rpc_server_call_duration_seconds_count{job=\"worker\",transport=\"amqp\",rpc_method=\"demo/echo\",rpc_response_status_code=\"OK\"})";
        let seen = prometheus.until(&client, calls, Duration::from_secs(20), |v| single(v) == Some(7.0)).await?;
        assert_eq!(single(&seen), Some(7.0), "{seen:?}");
        let consumed = format!("sum(switchboard_amqp_consumed_total{{queue=\"{queue}\"}})");
        assert_eq!(single(&prometheus.query(&client, &consumed).await?), Some(7.0));
        let replies = "sum(switchboard_amqp_published_total{job=\"worker\",kind=\"reply\"})";
        assert_eq!(single(&prometheus.query(&client, replies).await?), Some(7.0));

        let reconnects = "sum(switchboard_amqp_reconnects_total{job=\"worker\",role=\"server\"})";
        assert_eq!(single(&prometheus.query(&client, reconnects).await?), Some(0.0));
        let ids = connections_of(&name)?;
        assert!(!ids.is_empty(), "no connection of {name} on the broker");
        for id in &ids {
            let closed = Command::new("rabbitmqctl")
                .args(["close_connection", id, "closed by the metrics test"])
                .output()?;
            assert!(closed.status.success(), "{}", String::from_utf8_lossy(&closed.stderr));
        }
        let seen = prometheus.until(&client, reconnects, Duration::from_secs(30), |v| single(v) == Some(1.0)).await?;
        assert_eq!(single(&seen), Some(1.0), "one reconnect: {seen:?}");
        let connected = "sum(switchboard_amqp_connected{job=\"worker\",role=\"server\"})";
        let seen = prometheus.until(&client, connected, Duration::from_secs(30), |v| single(v) == Some(1.0)).await?;
        assert_eq!(single(&seen), Some(1.0), "the link is back: {seen:?}");
        // Still exactly one, a while later: the link did not flap.
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(single(&prometheus.query(&client, reconnects).await?), Some(1.0));

        let page = client.get(format!("http://{metrics}/metrics")).send().await?.text().await?;
        promtool_check(&page)?;
        Ok::<_, Box<dyn Error>>(())
    })?;
    let _ = Command::new("rabbitmqctl")
        .args(["delete_queue", &queue])
        .output();
    Ok(())
}

/// `switchboard ARGS` in `dir` to the end; its standard output.
fn switchboard_ok(dir: &Path, args: &[&str]) -> Result<String, Box<dyn Error>> {
    let out = common::switchboard(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()?;
    if !out.status.success() {
        return Err(format!("{args:?}: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// A fan-out consumer `w1` with `--metrics-listen ADDR`, in `dir`.
fn consumer(dir: &Path, addr: &str) -> Result<Running, Box<dyn Error>> {
    let args = [
        "consume",
        "--worker",
        "w1",
        "--services",
        "demo",
        "--db",
        "s.db",
    ];
    quiet(
        dir,
        &[&args[..], &["--heartbeat", "0", "--metrics-listen", addr]].concat(),
    )
}

/// `switchboard --log warn ARGS` in `dir`, its output discarded.
fn quiet(dir: &Path, args: &[&str]) -> Result<Running, Box<dyn Error>> {
    let child = common::switchboard(dir)
        .args(["--log", "warn"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    Ok(Running(child))
}

/// A queue file served by `serve` (consumer `w2`) and consumed by `w1` in
/// a process of its own: Prometheus sees w1's lag rise while w1 is
/// stopped (from the `serve` process, which reads the file at each
/// scrape), and fall to 0 within a second of w1 catching up.
#[test]
fn prometheus_sees_a_stopped_consumers_lag_rise_and_fall() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path();
    let queue = path.join("switchboard-queue.db");
    let http = format!("127.0.0.1:{}", free_port()?);
    let metrics = format!("127.0.0.1:{}", free_port()?);
    let sqlite = format!("sqlite:{}?worker=w2", queue.display());
    let _served = quiet(
        path,
        &[
            "serve",
            "--services",
            "demo",
            "--heartbeat",
            "0",
            "--db",
            "s.db",
            "--on",
            &format!("http://{http}"),
            "--on",
            &sqlite,
        ],
    )?;
    let mut w1 = consumer(path, &metrics)?;
    let prometheus = Prometheus::start(&[("serve", &http), ("consumer", &metrics)])?;
    let to = format!("sqlite:{}", queue.display());
    let enqueue = |count: usize| -> TestResult {
        for i in 0..count {
            switchboard_ok(
                path,
                &["enqueue", "echo", &format!("s=task {i}"), "--to", &to],
            )?;
        }
        Ok(())
    };
    runtime()?.block_on(async {
        let client = reqwest::Client::new();
        prometheus.ready(&client).await?;
        let lag = "max(switchboard_queue_consumer_lag_tasks{consumer=\"w1\",kind=\"fanout\"})";
        let checkpoint = "max(switchboard_queue_consumer_checkpoint{consumer=\"w1\"})";
        let long = Duration::from_secs(30);
        enqueue(10)?;
        let seen = prometheus.until(&client, checkpoint, long, |v| single(v) == Some(10.0)).await?;
        assert_eq!(single(&seen), Some(10.0), "w1 ran the first ten: {seen:?}");
        let seen = prometheus.until(&client, lag, long, |v| single(v) == Some(0.0)).await?;
        assert_eq!(single(&seen), Some(0.0), "{seen:?}");

        // w1 stops; twenty more tasks: its lag, as the serve process reads it.
        let pid = w1.0.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status()?.success());
        w1.0.wait()?;
        enqueue(20)?;
        let from_serve = "switchboard_queue_consumer_lag_tasks{job=\"serve\",consumer=\"w1\"}";
        let seen = prometheus.until(&client, from_serve, long, |v| single(v) == Some(20.0)).await?;
        assert_eq!(single(&seen), Some(20.0), "w1's lag while stopped: {seen:?}");
        let depth = "max(switchboard_queue_depth)";
        assert_eq!(single(&prometheus.query(&client, depth).await?), Some(20.0));
        let enqueued = "max(switchboard_queue_enqueued_total)";
        assert_eq!(single(&prometheus.query(&client, enqueued).await?), Some(30.0));

        // w1 comes back and catches up: its lag is 0 within a second.
        let _w1 = consumer(path, &metrics)?;
        let seen = prometheus.until(&client, checkpoint, long, |v| single(v) == Some(30.0)).await?;
        assert_eq!(single(&seen), Some(30.0), "w1 caught up: {seen:?}");
        let caught_up = Instant::now();
        let seen = prometheus.until(&client, lag, long, |v| single(v) == Some(0.0)).await?;
        assert_eq!(single(&seen), Some(0.0), "{seen:?}");
        let took = caught_up.elapsed();
        assert!(took <= Duration::from_secs(1), "lag fell to 0 {took:?} after catching up");

        // The restarted process counted the twenty it ran, on the queue's
        // transport.
        let calls = "sum(rpc_server_call_duration_seconds_count{job=\"consumer\",transport=\"sqlite\",rpc_method=\"demo/echo\"})";
        assert_eq!(single(&prometheus.query(&client, calls).await?), Some(20.0));
        let page = client.get(format!("http://{metrics}/metrics")).send().await?.text().await?;
        promtool_check(&page)?;
        run_documented_queries(&prometheus, &client, Topic::Queue).await?;
        Ok::<_, Box<dyn Error>>(())
    })?;
    Ok(())
}
