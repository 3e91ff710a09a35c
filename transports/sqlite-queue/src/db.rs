//! [`Db`]: one SQLite connection to the queue file, opened in WAL mode with
//! a short-sleep busy handler, and the three ways its work runs:
//!
//! - [`Db::run_here`], on the calling thread (the consumer threads);
//! - [`Db::run`], on Tokio's blocking pool (admin work);
//! - [`Db::try_quick`], on the calling task's thread if it can finish
//!   without waiting (a small write that finds the file free): a hop to
//!   the pool and back costs as much as a whole commit.
//!
//! Write transactions go through [`Conn::write`], which takes the file's
//! in-process writer gate first (see [`crate::local`]).

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, TryLockError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::QueueError;
use crate::local::{self, FileLocal};
use crate::options::{BUSY_SLEEP, Durability, QueueOptions};
use crate::schema;

/// A shared connection; clones share it. Statements run one at a time.
#[derive(Debug, Clone)]
pub(crate) struct Db {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    conn: Mutex<Connection>,
    local: Arc<FileLocal>,
    /// The file's canonical path (as given, if it has none).
    path: PathBuf,
    /// `path` as text: the `queue` label of the file's metrics and the
    /// name of its readiness probes.
    label: Arc<str>,
    budget: Duration,
    durability: Durability,
    /// Set while [`Db::try_quick`] tries the work inline: the busy handler
    /// then gives up at once instead of sleeping.
    no_wait: Arc<AtomicBool>,
}

impl Db {
    /// Opens (creating if needed) and migrates the queue file.
    pub(crate) fn open(path: &Path, options: &QueueOptions) -> Result<Self, QueueError> {
        let budget = options.busy_timeout;
        let map = |err| QueueError::from_sqlite(err, budget);
        let mut conn = Connection::open(path).map_err(map)?;
        let no_wait = Arc::new(AtomicBool::new(false));
        install_busy_handler(&mut conn, budget, Arc::clone(&no_wait)).map_err(map)?;
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
        // the in-process registry.
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let local = local::for_path(&path);
        let label = Arc::from(path.display().to_string());
        Ok(Self {
            shared: Arc::new(Shared {
                conn: Mutex::new(conn),
                local,
                path,
                label,
                budget,
                durability: options.durability,
                no_wait,
            }),
        })
    }

    /// What handles on this file in this process share.
    pub(crate) fn local(&self) -> &FileLocal {
        &self.shared.local
    }

    /// The file's canonical path as text: the `queue` label of its
    /// metrics.
    pub(crate) fn label(&self) -> &Arc<str> {
        &self.shared.label
    }

    /// Exports the file's metrics at every scrape from now on, as long as
    /// some handle on it is open in this process (once per file, however
    /// many handles observe it).
    pub(crate) fn observe(&self) {
        let shared = &*self.shared;
        shared.local.observe(&shared.path, &shared.label);
    }

    /// Runs `work` on the connection, on this thread, waiting for locks.
    pub(crate) fn run_here<T>(
        &self,
        work: impl FnOnce(&mut Conn<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, QueueError> {
        let shared = &*self.shared;
        // A panic while holding the lock leaves a usable connection:
        // rusqlite rolls back an unfinished transaction on drop.
        let mut conn = shared
            .conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut conn = Conn {
            conn: &mut conn,
            local: &shared.local,
            wait: true,
        };
        work(&mut conn).map_err(|err| QueueError::from_sqlite(err, shared.budget))
    }

    /// Runs `work` on the connection, on the blocking pool.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, QueueError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn<'_>) -> rusqlite::Result<T> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.run_here(work))
            .await
            .map_err(QueueError::Join)?
    }

    /// Runs `work` here if it can finish without waiting: the connection
    /// and the writer gate free, no other process holding the lock, and no
    /// `fsync` per commit (`Durability::Normal`). `None` if it would have
    /// had to wait; `work` must then have been a transaction, so that the
    /// try changed nothing.
    pub(crate) fn try_quick<T>(
        &self,
        work: impl FnOnce(&mut Conn<'_>) -> rusqlite::Result<T>,
    ) -> Option<Result<T, QueueError>> {
        let shared = &*self.shared;
        if shared.durability != Durability::Normal {
            return None;
        }
        let mut conn = match shared.conn.try_lock() {
            Ok(conn) => conn,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return None,
        };
        // Only this thread uses the connection while the lock is held.
        shared.no_wait.store(true, Ordering::Relaxed);
        let result = work(&mut Conn {
            conn: &mut conn,
            local: &shared.local,
            wait: false,
        });
        shared.no_wait.store(false, Ordering::Relaxed);
        match result {
            Err(err) if is_busy(&err) => None,
            done => Some(done.map_err(|err| QueueError::from_sqlite(err, shared.budget))),
        }
    }
}

/// The connection as work sees it: reads through `Deref`, writes through
/// [`Conn::write`].
#[derive(Debug)]
pub(crate) struct Conn<'a> {
    conn: &'a mut Connection,
    local: &'a FileLocal,
    /// Whether to wait for the writer gate (else fail as busy).
    wait: bool,
}

impl Conn<'_> {
    /// Runs `work` in an IMMEDIATE transaction, holding the writer gate,
    /// and commits it. Dropping the transaction on an error rolls it back.
    pub(crate) fn write<T>(
        &mut self,
        work: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let _writer = if self.wait {
            self.local.writer()
        } else {
            self.local.try_writer().ok_or_else(gate_busy)?
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

impl Deref for Conn<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

/// The error a no-wait write gives when another writer of this process
/// holds the gate.
fn gate_busy() -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
        Some("another writer of this process holds the file".to_owned()),
    )
}

fn is_busy(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// SQLite's own busy timeout sleeps in growing steps (up to 100 ms), which
/// gives long tail latencies under contention; this handler sleeps a short
/// constant instead, until `budget` is spent, or gives up at once while
/// `no_wait` is set.
fn install_busy_handler(
    conn: &mut Connection,
    budget: Duration,
    no_wait: Arc<AtomicBool>,
) -> rusqlite::Result<()> {
    let mut started = Instant::now();
    conn.busy_handler(Some(move |count: i32| {
        if no_wait.load(Ordering::Relaxed) {
            return false;
        }
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
