//! The queue file as a message bus, reached through the catalog as a
//! service reaches it: the bus suite, and the rows it writes, which
//! programs reading the files (consumers of other hosts, the stats
//! service's older versions) rely on.

use switchboard::catalog::{self, Address, BindError, BusSettings, ServeSettings, WorkQueue};
use switchboard_json as _; // tasks are encoded in the JSON document
use switchboard_sqlite_queue as _; // its catalog entry

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn settings() -> Result<BusSettings, &'static str> {
    let json = catalog::protocol("json").ok_or("json is linked")?;
    Ok(BusSettings::new(json))
}

/// `(method, content_type, data)` of every row of `file`, in order.
fn rows(file: &std::path::Path) -> rusqlite::Result<Vec<(String, String, Vec<u8>)>> {
    let conn = rusqlite::Connection::open(file)?;
    let mut stmt = conn.prepare("SELECT method, content_type, data FROM task_queue ORDER BY id")?;
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bus_keeps_the_contract() -> TestResult {
    let dir = tempfile::tempdir()?;
    let queue = dir.path().join("queue.db");
    let address = Address::new("sqlite", queue.display().to_string());
    switchboard_testing::bus_suite(address, "suite").await?;
    // Without `events=`, messages went beside the queue file.
    assert!(dir.path().join("queue-events.db").exists());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_and_messages_are_rows_of_their_files() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (queue, events) = (dir.path().join("q.db"), dir.path().join("e.db"));
    let address = Address::new("sqlite", queue.display().to_string())
        .with_option("events", events.display().to_string());
    let bus = catalog::open_bus(address, settings()?)?;
    bus.enqueue("stats", "compute_stats", br#"{"data":[1]}"#.to_vec())
        .await?;
    bus.publish("notifications", b"{}".to_vec()).await?;
    assert_eq!(
        rows(&queue)?,
        [(
            "compute_stats".to_owned(),
            "application/json; protocol=json".to_owned(),
            br#"{"data":[1]}"#.to_vec()
        )]
    );
    assert_eq!(
        rows(&events)?,
        [(
            "notifications".to_owned(),
            "application/json".to_owned(),
            b"{}".to_vec()
        )]
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_carries_one_queue_and_known_options() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("q.db").display().to_string();
    let bus = catalog::open_bus(Address::new("sqlite", file.clone()), settings()?)?;
    bus.enqueue("a", "echo", b"{}".to_vec()).await?;
    let other = bus.enqueue("b", "echo", b"{}".to_vec()).await.unwrap_err();
    assert!(
        other
            .to_string()
            .contains("queue `b` needs a file of its own"),
        "{other}"
    );
    let app = switchboard::Application::builder().build()?;
    let worker = bus
        .work(
            WorkQueue::new("b", "echo", "w"),
            ServeSettings::new(app, Vec::new()),
        )
        .await
        .unwrap_err();
    assert!(matches!(worker, BindError::Address(_)), "{worker}");

    let typo = Address::new("sqlite", file).with_option("event", "e.db");
    let refused = catalog::open_bus(typo, settings()?).unwrap_err();
    assert!(
        refused.to_string().contains("unknown option `event`"),
        "{refused}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_older_than_an_hour_are_pruned_and_tasks_never_are() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (queue, events) = (dir.path().join("q.db"), dir.path().join("e.db"));
    let address = Address::new("sqlite", queue.display().to_string())
        .with_option("events", events.display().to_string());
    let bus = catalog::open_bus(address, settings()?)?;
    bus.enqueue("stats", "compute_stats", b"{}".to_vec())
        .await?;
    // A message (and, in the queue file, a task) from two hours ago.
    let two_hours_ago = i64::try_from(std::time::UNIX_EPOCH.elapsed()?.as_millis())? - 7_200_000;
    for file in [&events, &queue] {
        rusqlite::Connection::open(file)?.execute(
            "INSERT INTO task_queue (data, method, content_type, enqueued_at) VALUES (x'7b7d', 'old', 'application/json', ?1)",
            [two_hours_ago],
        )?;
    }
    bus.publish("status", b"{}".to_vec()).await?;
    let methods = |file| -> rusqlite::Result<Vec<String>> {
        Ok(rows(file)?
            .into_iter()
            .map(|(method, _, _)| method)
            .collect())
    };
    assert_eq!(methods(&events)?, ["status"]);
    assert_eq!(methods(&queue)?, ["compute_stats", "old"]);
    Ok(())
}
