//! Typed calls through the producer: a call that expects a reply is
//! refused before anything is written (so retrying it never enqueues it
//! twice), `send_one_way` enqueues any method and returns its task id, and
//! a consumer refuses a task tagged with another protocol of its media type.

use std::sync::Arc;

use switchboard::{Application, CallError, Client, Receipt, Server, TransportError, code};
use switchboard_demo::{Echo, Sleep};
use switchboard_json::{JsonDocument, JsonRpc};
use switchboard_sqlite_queue::{
    ConsumerOptions, QueueAdmin, QueueConsumer, QueueOptions, QueueProducer,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn tasks(path: &std::path::Path) -> rusqlite::Result<Vec<(String, String)>> {
    Ok(task_rows(path)?
        .into_iter()
        .map(|(_, method, data)| (method, data))
        .collect())
}

fn task_rows(path: &std::path::Path) -> rusqlite::Result<Vec<(i64, String, String)>> {
    let conn = rusqlite::Connection::open(path)?;
    let mut query =
        conn.prepare("SELECT id, method, CAST(data AS TEXT) FROM task_queue ORDER BY id")?;
    let rows = query.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    rows.collect()
}

#[tokio::test]
async fn a_call_expecting_a_reply_is_refused_before_anything_is_written() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("q.db");
    let producer = QueueProducer::open(&path, QueueOptions::default())?;
    let client = Client::new(Arc::new(producer), Arc::new(JsonDocument));

    let refused = client.call(Echo { s: "once".into() }).await;
    match refused {
        Err(CallError::Transport(TransportError::NoReplies { method })) => {
            assert_eq!(method, "echo")
        }
        other => panic!("expected NoReplies, got {other:?}"),
    }
    assert!(tasks(&path)?.is_empty(), "nothing may be enqueued");

    client.send_one_way(Echo { s: "once".into() }).await?;
    client.call(Sleep { seconds: 0.0 }).await?; // one-way methods go as they are
    assert_eq!(
        tasks(&path)?,
        [
            ("echo".to_owned(), r#"{"s":"once"}"#.to_owned()),
            ("sleep".to_owned(), r#"{"seconds":0.0}"#.to_owned()),
        ]
    );
    Ok(())
}

#[tokio::test]
async fn send_one_way_returns_the_id_of_the_task_consumers_see() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("q.db");
    let producer = QueueProducer::open(&path, QueueOptions::default())?;
    let client = Client::new(Arc::new(producer), Arc::new(JsonDocument));

    let first = client.send_one_way(Echo { s: "first".into() }).await?;
    let second = client.send_one_way(Sleep { seconds: 0.0 }).await?;
    assert_eq!(first, Receipt::with_id("1"));
    assert_eq!(second.id(), Some("2"));

    // The ids are the rows' ids, as the admin and the consumers number them.
    let rows = task_rows(&path)?;
    let ids: Vec<String> = rows.iter().map(|(id, ..)| id.to_string()).collect();
    assert_eq!(ids, ["1", "2"]);
    assert_eq!((rows[0].1.as_str(), rows[1].1.as_str()), ("echo", "sleep"));
    let admin = QueueAdmin::open(&path, QueueOptions::default())?;
    assert_eq!(admin.status().await?.last_task_id.to_string(), "2");

    let app = Application::builder().services(["demo"]).build()?;
    let consumer = QueueConsumer::open(&path, "worker-1", ConsumerOptions::default())?;
    consumer
        .run_until_idle(Server::new(app, JsonDocument), std::future::pending())
        .await?;
    let status = admin.status().await?;
    let worker = status
        .consumers
        .first()
        .ok_or("the consumer is not registered")?;
    assert_eq!(worker.checkpoint.to_string(), "2", "it passed both tasks");
    assert_eq!(status.failures, 0, "both ran");
    Ok(())
}

#[tokio::test]
async fn a_task_tagged_with_another_protocol_of_the_same_media_type_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("q.db");
    let producer = QueueProducer::open(&path, QueueOptions::default())?;
    let client = Client::new(Arc::new(producer), Arc::new(JsonRpc));
    let receipt = client.send_one_way(Echo { s: "rpc".into() }).await?;

    // Both protocols are `application/json`; the tag tells them apart.
    let app = Application::builder().services(["demo"]).build()?;
    let consumer = QueueConsumer::open(&path, "doc-reader", ConsumerOptions::default())?;
    consumer
        .run_until_idle(Server::new(app, JsonDocument), std::future::pending())
        .await?;
    let admin = QueueAdmin::open(&path, QueueOptions::default())?;
    let failures = admin.failures().await?;
    let failure = failures.first().ok_or("the task was not refused")?;
    assert_eq!(Some(failure.task_id.to_string().as_str()), receipt.id());
    assert_eq!(failure.faultcode, code::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        failure.faultstring.contains("in protocol `jsonrpc`"),
        "{}",
        failure.faultstring
    );
    Ok(())
}
