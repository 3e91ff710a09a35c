//! Tasks the worker cannot run, on the embedded backend: each is published
//! on `logs`, recorded in the queue's failures and passed, and the worker
//! keeps serving.

mod common;

use common::{SLOW_WAIT, System, TestResult};
use switchboard_sqlite_queue::{QueueAdmin, QueueOptions, QueueProducer, task_content_type};
use switchboard_stats::{LogEntry, Settings};

/// The bodies, each with a word its log entry must contain.
fn bad_tasks() -> Vec<(Vec<u8>, &'static str)> {
    let mut huge = String::with_capacity(20_000_100);
    huge.push_str(r#"{"sensor": "s1", "data": ["#);
    for i in 0..10_000_000 {
        huge.push_str(if i == 0 { "0" } else { ",0" });
    }
    huge.push_str("]}");
    vec![
        (br#"{"data": [1, 2]}"#.to_vec(), "sensor"),
        (
            br#"{"data": [1, "two"], "sensor": "s1"}"#.to_vec(),
            "expected f64",
        ),
        (br#"{"data": [], "sensor": "s1"}"#.to_vec(), "no data"),
        (b"data=1,2&sensor=s1".to_vec(), "Client.Malformed"),
        (huge.into_bytes(), "10000000 values"),
        (
            br#"{"data": [1], "sensor": "ghost"}"#.to_vec(),
            "no sensor `ghost`",
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tasks_are_logged_recorded_and_passed() -> TestResult {
    let system = System::start(Settings::embedded).await?;
    system.client.measure("s1", &[5.0]).await?;
    // `ghost` is unknown to the API, which refuses its PUT (404).
    let _worker = system.worker("w1");
    let queue = QueueProducer::open(
        system.dir.path().join("switchboard-queue.db"),
        QueueOptions::default(),
    )?;
    let content_type = task_content_type("application/json", "json");
    let bad = bad_tasks();
    let backend = switchboard_stats::service(&system.app)?.backend().clone();
    let mut subscription = backend.subscribe().await?;
    for (body, _) in &bad {
        queue
            .enqueue("compute_stats", &content_type, body.clone(), None)
            .await?;
    }
    // A good task after them: the worker is still serving.
    queue
        .enqueue(
            "compute_stats",
            &content_type,
            br#"{"data": [1, 3], "sensor": "s1"}"#.to_vec(),
            None,
        )
        .await?;
    assert!(
        subscription.wait_for("s1", SLOW_WAIT).await?,
        "the good task ran"
    );
    assert_eq!(
        system.client.get_once("s1").await?.map(|s| s.mean),
        Some(2.0)
    );

    let admin = QueueAdmin::open(
        system.dir.path().join("switchboard-queue.db"),
        QueueOptions::default(),
    )?;
    // Members run tasks at once: the huge one may finish after the good one.
    let deadline = tokio::time::Instant::now() + SLOW_WAIT;
    loop {
        let failures = admin.failures().await?;
        if failures.len() == bad.len() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{failures:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let events = rusqlite::Connection::open(system.dir.path().join("switchboard-events.db"))?;
    let mut stmt =
        events.prepare("SELECT data FROM task_queue WHERE method = 'logs' ORDER BY id")?;
    let logs: Vec<LogEntry> = stmt
        .query_map([], |row| row.get::<_, Vec<u8>>(0))?
        .map(|data| Ok(serde_json::from_slice(&data?)?))
        .collect::<Result<_, Box<dyn std::error::Error + Send + Sync>>>()?;
    assert_eq!(logs.len(), bad.len(), "{logs:?}");
    for (_, word) in &bad {
        assert!(
            logs.iter().any(|log| log.content.contains(word)),
            "{word}: {logs:?}"
        );
    }
    for log in &logs {
        switchboard_stats::time::parse(&log.timestamp)?;
    }
    Ok(())
}
