//! What the stats tests share: the whole system in this process (the API
//! over a real socket, workers, a client), a private RabbitMQ vhost for
//! the tests that need the course's exact names, and a reference
//! computation of the statistics.

#![allow(dead_code, unreachable_pub)]

use std::process::Command;
use std::time::Duration;

use switchboard::Application;
use switchboard_amqp::ConnectionSettings;
use switchboard_http::{HttpServer, RestClient, RestReply};
use switchboard_json::JsonDocument;
use switchboard_stats::{Settings, StatsClient, Worker};
use tokio::sync::watch;

pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// How long a test waits for statistics.
pub const WAIT: Duration = Duration::from_secs(20);
/// How long a test with a task of ten million values waits: decoding it
/// takes seconds in a debug build on a loaded machine.
pub const SLOW_WAIT: Duration = Duration::from_secs(120);

/// The API on 127.0.0.1, with workers started on demand.
pub struct System {
    pub dir: tempfile::TempDir,
    pub app: Application,
    pub base: String,
    pub api: RestClient,
    pub client: StatsClient,
    stop: watch::Sender<bool>,
}

impl System {
    /// The API with `settings` (its state in a fresh directory), no worker.
    pub async fn start(
        settings: impl FnOnce(&std::path::Path) -> Settings,
    ) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let dir = tempfile::tempdir()?;
        let builder = Application::builder().services([switchboard_stats::SERVICE]);
        let settings = settings(dir.path());
        let app = switchboard_stats::setup_with(builder, &dir.path().join("state.db"), settings)?
            .build()?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let service = switchboard_stats::service(&app)?;
        service.default_api_server(&base);
        let (stop, stopped) = watch::channel(false);
        let http = HttpServer::builder(app.clone())
            .rest(JsonDocument)
            .build()?;
        tokio::spawn(http.serve(listener, stopped_signal(stopped)));
        let api = RestClient::new(&base)?;
        let client = StatsClient::new(api.clone(), service.backend().clone());
        Ok(Self {
            dir,
            app,
            base,
            api,
            client,
            stop,
        })
    }

    /// Starts a worker named `id`, stopped with the system.
    pub fn worker(
        &self,
        id: &str,
    ) -> tokio::task::JoinHandle<Result<(), switchboard_stats::WorkerError>> {
        let worker = Worker::new(self.app.clone(), id);
        tokio::spawn(worker.run(stopped_signal(self.stop.subscribe())))
    }

    /// A REST request with an optional JSON body.
    pub async fn send(
        &self,
        method: http::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<RestReply, Box<dyn std::error::Error + Send + Sync>> {
        let body = body.map(|b| serde_json::to_vec(&b)).transpose()?;
        Ok(self.api.send(method, path, body).await?)
    }
}

impl Drop for System {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

async fn stopped_signal(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

/// `n` values whose sums are exact in binary (eighths), in no order.
pub fn values(n: usize, seed: usize) -> Vec<f64> {
    (0..n)
        .map(|i| ((i * 7919 + seed * 31) % 4001) as f64 / 8.0 - 100.0)
        .collect()
}

/// The reference statistics, by sorting: (count, mean, min, max, median,
/// sample stdev, p95 by linear interpolation).
pub fn reference(values: &[f64]) -> [f64; 7] {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let mean = sorted.iter().sum::<f64>() / n as f64;
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    let var = sorted.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n as f64 - 1.0);
    let rank = 0.95 * (n - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let p95 = sorted[lo] + (rank - lo as f64) * (sorted[hi] - sorted[lo]);
    [
        n as f64,
        mean,
        sorted[0],
        sorted[n - 1],
        median,
        var.sqrt(),
        p95,
    ]
}

/// Asserts that `stats` are the statistics of `values`.
pub fn assert_stats_of(stats: &switchboard_stats::Stats, values: &[f64]) {
    let [count, mean, min, max, median, stdev, p95] = reference(values);
    assert_eq!(stats.mean, mean, "the mean is the exact arithmetic mean");
    assert_eq!(stats.count, Some(count as u64));
    assert_eq!(
        (stats.min, stats.max, stats.median),
        (Some(min), Some(max), Some(median))
    );
    let close = |got: Option<f64>, want: f64| {
        got.is_some_and(|g| (g - want).abs() <= 1e-9 * want.abs().max(1.0))
    };
    assert!(
        close(stats.stdev, stdev),
        "stdev {:?} vs {stdev}",
        stats.stdev
    );
    assert!(close(stats.p95, p95), "p95 {:?} vs {p95}", stats.p95);
    switchboard_stats::time::parse(&stats.generated).expect("generated is ISO 8601");
}

/// How long a broker test may take in all: a broker that stops answering
/// (a memory alarm blocks publishers) fails the test instead of hanging it.
pub const TEST_LIMIT: Duration = Duration::from_secs(300);

/// Runs `test` within [`TEST_LIMIT`].
pub async fn bounded(test: impl std::future::Future<Output = TestResult>) -> TestResult {
    tokio::time::timeout(TEST_LIMIT, test).await.map_err(|_| {
        format!(
            "the test did not finish in {TEST_LIMIT:?}; is the broker blocked (`rabbitmqctl status` lists alarms)?"
        )
    })?
}

/// The broker URL of the tests (`AMQP_ADDR`, default the local RabbitMQ).
pub fn amqp_addr() -> String {
    std::env::var("AMQP_ADDR").unwrap_or_else(|_| "amqp://127.0.0.1:5672/%2f".into())
}

/// A private vhost on the shared broker, for tests that must use the
/// course's exact names (`stats`, `notifications`, `logs`) without meeting
/// other tests; deleted on drop.
pub struct Vhost {
    pub name: String,
}

impl Vhost {
    /// Creates `stats-test-{label}-{pid}` and lets guest use it.
    pub fn create(label: &str) -> Self {
        let name = format!("stats-test-{label}-{}", std::process::id());
        rabbitmqctl(&["add_vhost", &name]);
        rabbitmqctl(&["set_permissions", "-p", &name, "guest", ".*", ".*", ".*"]);
        Self { name }
    }

    /// Connection settings for this vhost.
    pub fn settings(&self) -> ConnectionSettings {
        ConnectionSettings::new(amqp_addr()).with_vhost(&self.name)
    }
}

impl Drop for Vhost {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl")
            .args(["delete_vhost", &self.name])
            .output();
    }
}

fn rabbitmqctl(args: &[&str]) {
    let out = Command::new("rabbitmqctl").args(args).output().unwrap_or_else(|err| {
        panic!("rabbitmqctl not runnable ({err}); the AMQP tests need RabbitMQ: start it with `rabbitmq-server -detached`")
    });
    assert!(
        out.status.success(),
        "rabbitmqctl {args:?} failed: {}; is RabbitMQ up (`rabbitmq-server -detached`)?",
        String::from_utf8_lossy(&out.stderr)
    );
}
