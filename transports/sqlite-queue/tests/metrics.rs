//! The queue's metrics, read back from a real Prometheus exposition:
//! depth, lag, checkpoints and failures read from the file at scrape time,
//! pickup latencies recorded per task; and the consumers' readiness.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{Recorder, TestResult, echo, fresh_queue, server};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use switchboard::catalog::Readiness;
use switchboard::telemetry::{DURATION_BUCKETS, run_scrape_hooks};
use switchboard_sqlite_queue::telemetry::{
    CONSUMER_CHECKPOINT, CONSUMER_FAILURES, CONSUMER_LAG_SECONDS, CONSUMER_LAG_TASKS,
    CONSUMER_LAST_SEEN, ENQUEUED, OLDEST_TASK_AGE, PICKUP, QUEUE_DEPTH, SEEN_EVERY,
};
use switchboard_sqlite_queue::{
    ConsumerOptions, QueueAdmin, QueueConsumer, QueueError, QueueOptions, QueueProducer,
};

const JSON: &str = "application/json";

/// The process's Prometheus recorder, installed once (nextest runs each
/// test in a process of its own, `cargo test` all of them in one: every
/// test uses a file of its own, so their series never mix).
fn exporter() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(DURATION_BUCKETS)
            .expect("buckets")
            .build_recorder();
        let handle = recorder.handle();
        metrics::set_global_recorder(recorder).expect("no other recorder in this test binary");
        handle
    })
}

/// One rendering of the metrics, scrape hooks run first, as the host's
/// `GET /metrics` does.
struct Page(String);

fn scrape() -> Page {
    let handle = exporter();
    run_scrape_hooks();
    Page(handle.render())
}

impl Page {
    /// The value of the series `name` whose labels are exactly `labels`.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let wanted: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.0.lines().find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, labels) = match series.split_once('{') {
                Some((metric, rest)) => (metric, parse_labels(rest.strip_suffix('}')?)),
                None => (series, BTreeMap::new()),
            };
            (metric == name && labels == wanted)
                .then(|| value.parse().ok())
                .flatten()
        })
    }

    /// Like [`value`](Self::value), failing the test when absent.
    fn get(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.value(name, labels)
            .unwrap_or_else(|| panic!("no {name} {labels:?} in:\n{}", self.0))
    }
}

/// `k="v",k2="v2"` (values without quotes or backslashes: paths here).
fn parse_labels(text: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let mut rest = text;
    while let Some((key, after)) = rest.split_once("=\"") {
        let Some((value, after)) = after.split_once('"') else {
            break;
        };
        labels.insert(key.trim_start_matches(',').to_owned(), value.to_owned());
        rest = after;
    }
    labels
}

/// The `queue` label of the file at `path`: its canonical path.
fn queue_label(path: &Path) -> String {
    std::fs::canonicalize(path)
        .expect("the queue file exists")
        .display()
        .to_string()
}

/// Moves task `id`'s enqueue time `seconds` into the past.
fn backdate(path: &Path, id: i64, seconds: i64) -> TestResult {
    let conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.execute(
        "UPDATE task_queue SET enqueued_at = enqueued_at - ?2 WHERE id = ?1",
        [id, seconds * 1000],
    )?;
    Ok(())
}

async fn run_to_idle(consumer: QueueConsumer, recorder: &Recorder) -> Result<(), QueueError> {
    tokio::time::timeout(
        Duration::from_secs(10),
        consumer.run_until_idle(server(recorder), std::future::pending()),
    )
    .await
    .expect("the consumer ran its backlog in time")
}

fn fanout(path: &Path, worker: &str) -> Result<QueueConsumer, QueueError> {
    QueueConsumer::open(path, worker, ConsumerOptions::default())
}

fn member(path: &Path, worker: &str, group: &str) -> Result<QueueConsumer, QueueError> {
    fanout(path, worker).map(|consumer| consumer.with_group(group))
}

async fn enqueue(producer: &QueueProducer, methods: &[&str]) -> TestResult {
    for (i, method) in methods.iter().enumerate() {
        let body = match *method {
            "fail" => br#"{"message":"no"}"#.to_vec(),
            _ => echo(&i.to_string()),
        };
        producer.enqueue(method, JSON, body, None).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn depth_lag_checkpoints_failures_and_pickups_are_exported() -> TestResult {
    exporter();
    let (_dir, path, producer) = fresh_queue()?;
    let queue = queue_label(&path);
    let recorder = Recorder::default();
    // `idle` registers on the empty queue and never runs a task.
    run_to_idle(fanout(&path, "idle")?, &recorder).await?;
    enqueue(&producer, &["echo", "echo", "fail", "echo", "echo", "echo"]).await?;
    backdate(&path, 2, 60)?;
    run_to_idle(fanout(&path, "a")?, &recorder).await?;
    run_to_idle(member(&path, "m1", "g")?, &recorder).await?;
    enqueue(&producer, &["echo", "echo", "echo", "echo"]).await?;
    backdate(&path, 1, 120)?;
    backdate(&path, 7, 30)?;

    let page = scrape();
    let file = [("queue", queue.as_str())];
    let of = |consumer: &'static str, kind: &'static str| {
        [
            ("queue", queue.as_str()),
            ("consumer", consumer),
            ("kind", kind),
        ]
    };
    let (a, idle, g) = (of("a", "fanout"), of("idle", "fanout"), of("g", "group"));
    assert_eq!(page.get(ENQUEUED, &file), 10.0);
    // Nothing is passed by `idle`: every task is still due somewhere.
    assert_eq!(page.get(QUEUE_DEPTH, &file), 10.0);
    let oldest = page.get(OLDEST_TASK_AGE, &file);
    assert!((120.0..125.0).contains(&oldest), "oldest task age {oldest}");

    assert_eq!(page.get(CONSUMER_CHECKPOINT, &a), 6.0);
    assert_eq!(page.get(CONSUMER_LAG_TASKS, &a), 4.0);
    let lag = page.get(CONSUMER_LAG_SECONDS, &a);
    assert!((30.0..35.0).contains(&lag), "a's lag {lag} s: task 7's age");
    assert_eq!(page.get(CONSUMER_FAILURES, &a), 1.0);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    let seen = page.get(CONSUMER_LAST_SEEN, &a);
    assert!((now.as_secs_f64() - seen).abs() < 10.0, "a seen at {seen}");

    assert_eq!(page.get(CONSUMER_CHECKPOINT, &idle), 0.0);
    assert_eq!(page.get(CONSUMER_LAG_TASKS, &idle), 10.0);
    assert_eq!(page.get(CONSUMER_FAILURES, &idle), 0.0);
    let lag = page.get(CONSUMER_LAG_SECONDS, &idle);
    assert!(
        (120.0..125.0).contains(&lag),
        "idle's lag {lag} s: task 1's age"
    );

    assert_eq!(page.get(CONSUMER_CHECKPOINT, &g), 6.0);
    assert_eq!(page.get(CONSUMER_LAG_TASKS, &g), 4.0);
    assert_eq!(page.get(CONSUMER_FAILURES, &g), 1.0);

    // One pickup per task started; task 2 waited a minute, the rest less
    // than a second.
    fn le<'a>(labels: &[(&'a str, &'a str)], bound: &'a str) -> Vec<(&'a str, &'a str)> {
        let mut labels = labels.to_vec();
        labels.push(("le", bound));
        labels
    }
    let pickup_count = format!("{PICKUP}_count");
    let pickup_bucket = format!("{PICKUP}_bucket");
    assert_eq!(page.get(&pickup_count, &a), 6.0);
    assert_eq!(page.get(&pickup_bucket, &le(&a, "1")), 5.0);
    assert_eq!(page.get(&pickup_bucket, &le(&a, "+Inf")), 6.0);
    assert_eq!(page.get(&pickup_count, &g), 6.0);
    let idle_pickups = page.value(&pickup_count, &idle).unwrap_or(0.0);
    assert_eq!(idle_pickups, 0.0, "idle ran nothing");

    // Caught up: no lag, read at the next scrape.
    run_to_idle(fanout(&path, "a")?, &recorder).await?;
    let page = scrape();
    assert_eq!(page.get(CONSUMER_CHECKPOINT, &a), 10.0);
    assert_eq!(page.get(CONSUMER_LAG_TASKS, &a), 0.0);
    assert_eq!(page.get(CONSUMER_LAG_SECONDS, &a), 0.0);
    assert_eq!(page.get(&pickup_count, &a), 10.0);
    assert_eq!(page.get(QUEUE_DEPTH, &file), 10.0, "idle still holds them");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_stay_exact_after_gc_keeps_failed_tasks() -> TestResult {
    exporter();
    let (_dir, path, producer) = fresh_queue()?;
    let queue = queue_label(&path);
    let recorder = Recorder::default();
    enqueue(&producer, &["echo", "fail", "echo", "echo", "echo"]).await?;
    run_to_idle(fanout(&path, "a")?, &recorder).await?;
    let admin = QueueAdmin::open(&path, QueueOptions::default())?;
    assert_eq!(admin.gc().await?, 4, "task 2 failed and is kept");
    enqueue(&producer, &["echo", "echo", "echo"]).await?;
    // A consumer registered after the collection, at task 0.
    let conn = rusqlite::Connection::open(&path)?;
    conn.execute(
        "INSERT INTO worker_status (worker_id, task_id) VALUES ('late', 0)",
        [],
    )?;

    let page = scrape();
    let of = |consumer: &'static str| {
        [
            ("queue", queue.as_str()),
            ("consumer", consumer),
            ("kind", "fanout"),
        ]
    };
    // Stored: task 2 (kept) and 6, 7, 8: not the 8 ids up to the newest.
    assert_eq!(page.get(CONSUMER_LAG_TASKS, &of("late")), 4.0);
    assert_eq!(page.get(CONSUMER_LAG_TASKS, &of("a")), 3.0);
    assert_eq!(page.get(QUEUE_DEPTH, &[("queue", queue.as_str())]), 4.0);
    assert_eq!(page.get(ENQUEUED, &[("queue", queue.as_str())]), 8.0);
    // `late` never wrote: no last-seen time yet.
    assert_eq!(page.value(CONSUMER_LAST_SEEN, &of("late")), None);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_consumers_lag_is_exported_by_the_producer() -> TestResult {
    exporter();
    let (_dir, path, producer) = fresh_queue()?;
    let queue = queue_label(&path);
    let recorder = Recorder::default();
    run_to_idle(fanout(&path, "gone")?, &recorder).await?;
    // Only the producer is open in this process now.
    enqueue(&producer, &["echo", "echo", "echo"]).await?;
    let lag = [
        ("queue", queue.as_str()),
        ("consumer", "gone"),
        ("kind", "fanout"),
    ];
    assert_eq!(scrape().get(CONSUMER_LAG_TASKS, &lag), 3.0);
    enqueue(&producer, &["echo"]).await?;
    assert_eq!(scrape().get(CONSUMER_LAG_TASKS, &lag), 4.0);
    Ok(())
}

/// The readiness probe of `consumer`, named as `/readyz` shows it.
fn probe_name(path: &Path, worker: &str) -> String {
    format!("sqlite {} worker {worker}", queue_label(path))
}

/// The state of the check named `name`: `(ready, reason)`.
fn check(readiness: &Readiness, name: &str) -> Option<(bool, Option<String>)> {
    let report = readiness.report();
    let check = report.checks.iter().find(|check| check.name == name)?;
    Some((check.ready, check.reason.clone()))
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool, within: Duration) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_probe_is_ready_once_registered_and_not_after_a_stop() -> TestResult {
    let (_dir, path, _producer) = fresh_queue()?;
    let readiness = Readiness::new();
    let consumer = fanout(&path, "w")?.with_readiness(&readiness);
    let kept = consumer.probe().clone();
    let name = probe_name(&path, "w");
    assert_eq!(
        check(&readiness, &name),
        Some((false, Some("starting".to_owned())))
    );

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(consumer.run(server(&Recorder::default()), async {
        let _ = stopped.await;
    }));
    let ready = || check(&readiness, &name).is_some_and(|(ready, _)| ready);
    wait_for("ready after registering", ready, Duration::from_secs(5)).await;
    assert!(readiness.report().ready);
    let _ = stop.send(());
    running.await??;
    assert_eq!(
        check(&readiness, &name),
        Some((false, Some("stopped".to_owned())))
    );
    drop(kept);
    assert_eq!(check(&readiness, &name), None, "gone with the consumer");
    Ok(())
}

/// Another connection holds the write lock past the consumer's busy
/// budget: the idle last-seen write fails, and the consumer is not ready
/// (but runs on); once the lock is gone, the next one makes it ready
/// again. Takes two [`SEEN_EVERY`] periods.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_write_makes_the_consumer_not_ready_until_one_succeeds() -> TestResult {
    let (_dir, path, _producer) = fresh_queue()?;
    let readiness = Readiness::new();
    let budget = Duration::from_millis(50);
    let options = ConsumerOptions::default()
        .with_queue(QueueOptions::default().with_busy_timeout(budget))
        .with_poll_max(Duration::from_millis(20));
    let consumer = QueueConsumer::open(&path, "w", options)?.with_readiness(&readiness);
    let name = probe_name(&path, "w");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(consumer.run(server(&Recorder::default()), async {
        let _ = stopped.await;
    }));
    let state = || check(&readiness, &name);
    wait_for(
        "ready",
        || state().is_some_and(|(ready, _)| ready),
        Duration::from_secs(5),
    )
    .await;

    let mut blocker = rusqlite::Connection::open(&path)?;
    let lock = blocker.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let within = SEEN_EVERY + Duration::from_secs(3);
    wait_for(
        "not ready",
        || state().is_some_and(|(ready, _)| !ready),
        within,
    )
    .await;
    let (_, reason) = state().unwrap_or_default();
    let reason = reason.unwrap_or_default();
    assert!(reason.contains("locked"), "reason: {reason}");
    assert!(!running.is_finished(), "the consumer runs on");

    lock.rollback()?;
    wait_for(
        "ready again",
        || state().is_some_and(|(ready, _)| ready),
        within,
    )
    .await;
    let _ = stop.send(());
    running.await??;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_checkpoint_leaves_the_consumer_not_ready_with_the_error() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    let readiness = Readiness::new();
    let options = ConsumerOptions::default()
        .with_queue(QueueOptions::default().with_busy_timeout(Duration::from_millis(50)));
    let consumer = QueueConsumer::open(&path, "w", options)?.with_readiness(&readiness);
    let kept = consumer.probe().clone();
    let recorder = Recorder::default();
    let running = tokio::spawn(consumer.run(server(&recorder), std::future::pending()));
    let name = probe_name(&path, "w");
    wait_for(
        "ready",
        || check(&readiness, &name).is_some_and(|(ready, _)| ready),
        Duration::from_secs(5),
    )
    .await;
    producer
        .enqueue("sleep", JSON, br#"{"seconds":0.3}"#.to_vec(), None)
        .await?;
    wait_for(
        "the task started",
        || !recorder.all().is_empty(),
        Duration::from_secs(5),
    )
    .await;
    // Taken while the task sleeps: its checkpoint cannot be committed.
    let mut blocker = rusqlite::Connection::open(&path)?;
    let lock = blocker.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let result = tokio::time::timeout(Duration::from_secs(10), running).await??;
    assert!(matches!(result, Err(QueueError::Busy { .. })), "{result:?}");
    drop(lock);
    let (ready, reason) = check(&readiness, &name).unwrap_or_default();
    let reason = reason.unwrap_or_default();
    assert!(!ready);
    assert!(
        reason.starts_with("stopped: ") && reason.contains("locked"),
        "reason: {reason}"
    );
    assert!(kept.is_ready() == ready);
    Ok(())
}
