//! A subscription to a topic of the SQLite bus: a thread reading the
//! events file's rows of the topic after the last one it saw. Messages come
//! from other processes too, which cannot wake it: it looks every
//! [`FOLLOW_INTERVAL`] while messages come, and backs off to every
//! [`IDLE_INTERVAL`] while the file is quiet, so an idle follower (every
//! component's control listener) costs next to nothing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, params};
use switchboard::TransportError;
use switchboard::async_trait;
use switchboard::catalog::bus;
use tokio::sync::{mpsc, oneshot};

/// How often a follower reads the events file while messages come.
pub(crate) const FOLLOW_INTERVAL: Duration = Duration::from_millis(2);
/// The longest wait between two reads, reached by doubling the wait after
/// each read that found nothing: a message to a quiet topic is seen at
/// most this late.
pub(crate) const IDLE_INTERVAL: Duration = Duration::from_millis(25);
/// Rows read at most per look.
const ROWS_PER_READ: i64 = 256;
/// Messages read and not yet taken: the thread waits when there are more.
const BUFFERED: usize = 64;
/// How long a read waits for a writer's lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A follower of one topic of the events file.
#[derive(Debug)]
pub(crate) struct Follower {
    receiver: mpsc::Receiver<Vec<u8>>,
}

impl Follower {
    /// Starts following `topic` in the events file at `path`: every row
    /// committed after this returns is seen.
    pub(crate) async fn start(path: &Path, topic: &str) -> Result<Self, TransportError> {
        let (sender, receiver) = mpsc::channel(BUFFERED);
        let (ready, started) = oneshot::channel();
        let (path, topic) = (path.to_owned(), topic.to_owned());
        std::thread::Builder::new()
            .name(format!("follow {}", topic.replace('\0', "")))
            .spawn(move || follow(path, &topic, &sender, ready))
            .map_err(|err| TransportError::Io(Box::new(err)))?;
        // The thread answers before it reads: dropped unanswered, it died.
        started.await.map_err(|_| TransportError::Closed)??;
        Ok(Self { receiver })
    }
}

#[async_trait]
impl bus::Subscription for Follower {
    async fn next(&mut self) -> Result<Vec<u8>, TransportError> {
        self.receiver.recv().await.ok_or(TransportError::Closed)
    }
}

/// Opens the file and notes where it ends.
fn open(path: &Path) -> rusqlite::Result<(Connection, i64)> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let last = conn.query_row("SELECT COALESCE(MAX(id), 0) FROM task_queue", [], |row| {
        row.get(0)
    })?;
    Ok((conn, last))
}

/// Sends the topic's rows as they come, until the receiver goes.
fn follow(
    path: PathBuf,
    topic: &str,
    sender: &mpsc::Sender<Vec<u8>>,
    ready: oneshot::Sender<Result<(), TransportError>>,
) {
    let (conn, mut last) = match open(&path) {
        Ok(opened) => opened,
        Err(err) => {
            let _ = ready.send(Err(TransportError::Io(Box::new(err))));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    let mut pause = FOLLOW_INTERVAL;
    while !sender.is_closed() {
        match rows_after(&conn, topic, last) {
            Ok(rows) => {
                pause = if rows.is_empty() {
                    (pause * 2).min(IDLE_INTERVAL)
                } else {
                    FOLLOW_INTERVAL
                };
                for (id, data) in rows {
                    last = id;
                    if sender.blocking_send(data).is_err() {
                        return;
                    }
                }
            }
            Err(err) => tracing::warn!(error = %err, "reading the events file failed; retrying"),
        }
        std::thread::sleep(pause);
    }
}

fn rows_after(conn: &Connection, topic: &str, last: i64) -> rusqlite::Result<Vec<(i64, Vec<u8>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, data FROM task_queue WHERE id > ?1 AND method = ?2 ORDER BY id LIMIT ?3",
    )?;
    stmt.query_map(params![last, topic, ROWS_PER_READ], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })?
    .collect()
}
