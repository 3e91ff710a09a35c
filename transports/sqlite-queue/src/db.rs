//! [`Db`]: one SQLite connection to the queue file, opened in WAL mode with
//! a short-sleep busy handler, whose work runs on Tokio's blocking pool.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::Connection;

use crate::error::QueueError;
use crate::options::{BUSY_SLEEP, Durability, QueueOptions};
use crate::schema;

/// A shared connection; clones share it. Statements run one at a time.
#[derive(Debug, Clone)]
pub(crate) struct Db {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
    budget: Duration,
}

impl Db {
    /// Opens (creating if needed) and migrates the queue file.
    pub(crate) fn open(path: &Path, options: &QueueOptions) -> Result<Self, QueueError> {
        let budget = options.busy_timeout;
        let map = |err| QueueError::from_sqlite(err, budget);
        let mut conn = Connection::open(path).map_err(map)?;
        install_busy_handler(&mut conn, budget).map_err(map)?;
        // `journal_mode` answers with a row, so it is queried, not updated.
        let _mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
            .map_err(map)?;
        let sync = match options.durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", sync).map_err(map)?;
        schema::migrate(&mut conn, budget)?;
        // The file exists now, so the canonical path can be taken; it keys
        // the in-process wake-up registry.
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            path,
            budget,
        })
    }

    /// The canonical path of the file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` on the connection, on the blocking pool.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, QueueError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let budget = self.budget;
        let joined = tokio::task::spawn_blocking(move || {
            // A panic while holding the lock leaves a usable connection:
            // rusqlite rolls back an unfinished transaction on drop.
            let mut conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            work(&mut conn)
        })
        .await;
        joined
            .map_err(QueueError::Join)?
            .map_err(|err| QueueError::from_sqlite(err, budget))
    }
}

/// SQLite's own busy timeout sleeps in growing steps (up to 100 ms), which
/// gives long tail latencies under contention; this handler sleeps a short
/// constant instead, until `budget` is spent.
fn install_busy_handler(conn: &mut Connection, budget: Duration) -> rusqlite::Result<()> {
    let mut started = Instant::now();
    conn.busy_handler(Some(move |count: i32| {
        if count == 0 {
            started = Instant::now();
        }
        if started.elapsed() >= budget {
            tracing::warn!(
                waited_ms = budget.as_millis() as u64,
                "database lock wait gave up"
            );
            return false;
        }
        std::thread::sleep(BUSY_SLEEP);
        true
    }))
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    to_ms(SystemTime::now())
}

/// `time` as milliseconds since the Unix epoch (negative before it).
pub(crate) fn to_ms(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// `duration` in whole milliseconds, saturating.
pub(crate) fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
