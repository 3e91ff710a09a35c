//! Typed calls through the producer: a call that expects a reply is
//! refused before anything is written (so retrying it never enqueues it
//! twice), and `send_one_way` enqueues any method.

use std::sync::Arc;

use switchboard::{CallError, Client, TransportError};
use switchboard_demo::{Echo, Sleep};
use switchboard_json::JsonDocument;
use switchboard_sqlite_queue::{QueueOptions, QueueProducer};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn tasks(path: &std::path::Path) -> rusqlite::Result<Vec<(String, String)>> {
    let conn = rusqlite::Connection::open(path)?;
    let mut query =
        conn.prepare("SELECT method, CAST(data AS TEXT) FROM task_queue ORDER BY id")?;
    let rows = query.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
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
