//! The embedded backend: tasks in a SQLite queue file (consumed by a
//! work-queue group of `compute_stats` workers), notifications and logs in
//! a second file used as a fan-out topic, which waiting clients follow by
//! reading the rows after the last one they saw (without registering as
//! consumers, so a client that goes away leaves nothing behind).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, params};
use switchboard_sqlite_queue::{QueueOptions, QueueProducer, task_content_type};
use tokio::sync::mpsc;

use super::{BackendError, NOTIFICATIONS, WORKER_METHOD};

/// How often a follower reads the events file: notifications come from
/// other processes, which cannot wake it.
pub const FOLLOW_INTERVAL: Duration = Duration::from_millis(2);

/// The SQLite files of the embedded backend.
#[derive(Debug, Clone)]
pub struct SqliteBackend {
    tasks: QueueProducer,
    events: QueueProducer,
    queue_path: PathBuf,
    events_path: PathBuf,
}

impl SqliteBackend {
    /// Opens (creating) the queue file and the events file.
    pub(crate) fn open(queue: &Path, events: &Path) -> Result<Self, BackendError> {
        Ok(Self {
            tasks: QueueProducer::open(queue, QueueOptions::default())?,
            events: QueueProducer::open(events, QueueOptions::default())?,
            queue_path: queue.to_owned(),
            events_path: events.to_owned(),
        })
    }

    /// The queue file of tasks.
    pub fn queue_path(&self) -> &Path {
        &self.queue_path
    }

    /// The file of notifications and logs.
    pub fn events_path(&self) -> &Path {
        &self.events_path
    }

    pub(crate) async fn enqueue(&self, task: Vec<u8>) -> Result<(), BackendError> {
        let content_type = task_content_type("application/json", "json");
        self.tasks
            .enqueue(WORKER_METHOD, &content_type, task, None)
            .await?;
        Ok(())
    }

    pub(crate) async fn publish(&self, topic: &str, body: Vec<u8>) -> Result<(), BackendError> {
        self.events
            .enqueue(topic, "application/json", body, None)
            .await?;
        Ok(())
    }

    /// Starts following the notifications published from now on.
    pub(crate) async fn subscribe(&self) -> Result<Follower, BackendError> {
        let path = self.events_path.clone();
        let (sender, receiver) = mpsc::channel(64);
        let (ready, started) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("stats follower".into())
            .spawn(move || follow(&path, &sender, ready))
            .map_err(|_| BackendError::Closed)?;
        started.await.map_err(|_| BackendError::Closed)??;
        Ok(Follower { receiver })
    }
}

/// Reads notification rows as they come, until the receiver goes.
fn follow(
    path: &Path,
    sender: &mpsc::Sender<Vec<u8>>,
    ready: tokio::sync::oneshot::Sender<Result<(), BackendError>>,
) {
    let opened = Connection::open(path).and_then(|conn| {
        conn.busy_timeout(Duration::from_secs(5))?;
        let last: i64 =
            conn.query_row("SELECT COALESCE(MAX(id), 0) FROM task_queue", [], |row| {
                row.get(0)
            })?;
        Ok((conn, last))
    });
    let (conn, mut last) = match opened {
        Ok(opened) => {
            let _ = ready.send(Ok(()));
            opened
        }
        Err(err) => {
            let _ = ready.send(Err(err.into()));
            return;
        }
    };
    while !sender.is_closed() {
        match rows_after(&conn, last) {
            Ok(rows) => {
                for (id, data) in rows {
                    last = id;
                    if sender.blocking_send(data).is_err() {
                        return;
                    }
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "reading the events file failed; retrying");
            }
        }
        std::thread::sleep(FOLLOW_INTERVAL);
    }
}

fn rows_after(conn: &Connection, last: i64) -> rusqlite::Result<Vec<(i64, Vec<u8>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, data FROM task_queue WHERE id > ?1 AND method = ?2 ORDER BY id LIMIT 256",
    )?;
    stmt.query_map(params![last, NOTIFICATIONS], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })?
    .collect()
}

/// A follower of the events file's notifications.
#[derive(Debug)]
pub struct Follower {
    receiver: mpsc::Receiver<Vec<u8>>,
}

impl Follower {
    pub(crate) async fn next(&mut self) -> Result<Vec<u8>, BackendError> {
        self.receiver.recv().await.ok_or(BackendError::Closed)
    }
}
