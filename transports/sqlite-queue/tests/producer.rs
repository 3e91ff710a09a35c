//! The producer under concurrency: callers that wait for the file share a
//! commit, and each caller's batch still goes in whole or not at all.

use std::time::Duration;

use switchboard_sqlite_queue::{Durability, NewTask, QueueError, QueueOptions, QueueProducer};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn task(method: &str, n: usize) -> NewTask {
    NewTask {
        method: method.to_owned().into(),
        content_type: "application/json".into(),
        data: format!(r#"{{"s":"{n}"}}"#).into_bytes(),
        expires_at: None,
    }
}

fn stored(path: &std::path::Path) -> rusqlite::Result<Vec<String>> {
    let conn = rusqlite::Connection::open(path)?;
    let mut query = conn.prepare("SELECT data FROM task_queue ORDER BY id")?;
    let rows = query.query_map([], |row| {
        let data: Vec<u8> = row.get(0)?;
        Ok(String::from_utf8_lossy(&data).into_owned())
    })?;
    rows.collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_enqueues_all_land_with_distinct_ids() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("q.db");
    for durability in [Durability::Full, Durability::Normal] {
        let producer =
            QueueProducer::open(&path, QueueOptions::default().with_durability(durability))?;
        let callers: Vec<_> = (0..100)
            .map(|n| {
                let producer = producer.clone();
                tokio::spawn(async move { producer.enqueue_batch([task("echo", n)]).await })
            })
            .collect();
        let mut ids = Vec::new();
        for caller in callers {
            ids.extend(caller.await??);
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 100, "{durability:?}: one distinct id per task");
    }
    assert_eq!(stored(&path)?.len(), 200);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_batch_sharing_a_commit_fails_alone() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("q.db");
    let options = QueueOptions::default().with_durability(Durability::Full);
    let producer = QueueProducer::open(&path, options)?;
    // Another connection holds the write lock, so the batches queue up and
    // commit together once it lets go.
    let mut locker = rusqlite::Connection::open(&path)?;
    let lock = locker.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let submit = |batch: Vec<NewTask>| {
        let producer = producer.clone();
        tokio::spawn(async move { producer.enqueue_batch(batch).await })
    };
    let first = submit(vec![task("echo", 1)]);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let good = submit(vec![task("echo", 2), task("echo", 3)]);
    // An empty method name breaks the table's CHECK constraint.
    let bad = submit(vec![task("echo", 4), task("", 5)]);
    let also_good = submit(vec![task("echo", 6)]);
    tokio::time::sleep(Duration::from_millis(50)).await;
    lock.rollback()?;

    assert_eq!(first.await??.len(), 1);
    assert_eq!(good.await??.len(), 2);
    assert!(matches!(bad.await?, Err(QueueError::Sqlite(_))));
    assert_eq!(also_good.await??.len(), 1);
    let mut data = stored(&path)?;
    data.sort();
    assert_eq!(
        data,
        [
            r#"{"s":"1"}"#,
            r#"{"s":"2"}"#,
            r#"{"s":"3"}"#,
            r#"{"s":"6"}"#
        ],
        "nothing of the bad batch, all of the others"
    );
    Ok(())
}
