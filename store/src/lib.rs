//! What switchboard's SQLite files share. The services' stores (gridmap's
//! maps, stats' sensors) open their file with the same settings
//! ([`configure`]) and keep one connection behind a mutex
//! ([`SharedConnection`]), whose every operation runs in one transaction on
//! tokio's blocking pool, so callers on the async runtime never wait on the
//! disk or the lock. Those stores and the SQLite queue transport bring
//! their schemas up to date with [`migrate`], each keeping its version where
//! it says ([`VersionStore`]).
//!
//! One connection is enough: SQLite runs one writer at a time anyway, and a
//! single connection never meets "database is locked" from itself.
//!
//! ```
//! use switchboard_store::SharedConnection;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let conn = rusqlite::Connection::open(dir.path().join("s.db"))?;
//! switchboard_store::configure(&conn, "example")?;
//! let store = SharedConnection::new(conn);
//! store
//!     .write(|tx| Ok::<_, StoreError>(tx.execute_batch("CREATE TABLE t (n INTEGER)")?))
//!     .await?;
//! let count: i64 = store
//!     .read(|tx| Ok::<_, StoreError>(tx.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?))
//!     .await?;
//! assert_eq!(count, 0);
//! # Ok(())
//! # }
//! # #[derive(Debug)]
//! # enum StoreError { Sql(rusqlite::Error), Task(tokio::task::JoinError) }
//! # impl From<rusqlite::Error> for StoreError { fn from(e: rusqlite::Error) -> Self { Self::Sql(e) } }
//! # impl From<tokio::task::JoinError> for StoreError { fn from(e: tokio::task::JoinError) -> Self { Self::Task(e) } }
//! # impl std::fmt::Display for StoreError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{self:?}") } }
//! # impl std::error::Error for StoreError {}
//! ```

mod migration;

pub use migration::{MigrationError, Migrations, VersionStore, migrate};

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::task::JoinError;

/// How long a statement waits for another connection's lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Sets a service's connection up: WAL journal, foreign keys, NORMAL sync
/// (in WAL mode a power loss may lose the last commits but never corrupts
/// the file), a busy timeout. `what` names the database in the debug log.
///
/// # Errors
/// What SQLite said, if a setting is refused.
pub fn configure(conn: &Connection, what: &str) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // `journal_mode` answers with the mode it set; a file-less database
    // cannot do WAL, but services keep their state in files.
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    tracing::debug!(journal_mode = %mode, database = what, "database opened");
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

/// One connection behind a mutex; every operation is one transaction on the
/// blocking pool. Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct SharedConnection {
    conn: Arc<Mutex<Connection>>,
}

impl SharedConnection {
    /// Shares `conn`, already configured and migrated.
    pub fn new(conn: Connection) -> Self {
        Self {
            conn: Arc::new(Mutex::new(conn)),
        }
    }

    /// Runs `op` in a read transaction on the blocking pool.
    ///
    /// # Errors
    /// `op`'s error, SQLite's (as `E`), or the blocking task's failure.
    pub async fn read<T, E, F>(&self, op: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + From<JoinError> + Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, E> + Send + 'static,
    {
        self.run(TransactionBehavior::Deferred, op).await
    }

    /// Runs `op` in a write transaction on the blocking pool; commits if it
    /// returns `Ok`, rolls back otherwise.
    ///
    /// # Errors
    /// `op`'s error, SQLite's (as `E`), or the blocking task's failure.
    pub async fn write<T, E, F>(&self, op: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + From<JoinError> + Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, E> + Send + 'static,
    {
        // IMMEDIATE takes the write lock up front, so another process using
        // the file waits in the busy timeout instead of failing mid-way.
        self.run(TransactionBehavior::Immediate, op).await
    }

    /// Runs `op` in a write transaction on the caller's thread, for
    /// synchronous code (start-up, tests); never call it on the async
    /// runtime's threads.
    ///
    /// # Errors
    /// `op`'s error, or SQLite's (as `E`).
    pub fn write_blocking<T, E, F>(&self, op: F) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
        F: FnOnce(&Transaction<'_>) -> Result<T, E>,
    {
        transact(&self.conn, TransactionBehavior::Immediate, op)
    }

    async fn run<T, E, F>(&self, behavior: TransactionBehavior, op: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + From<JoinError> + Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, E> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || transact(&conn, behavior, op)).await?
    }
}

/// `op` in one transaction of the locked connection, committed if it
/// returns `Ok`.
fn transact<T, E, F>(conn: &Mutex<Connection>, behavior: TransactionBehavior, op: F) -> Result<T, E>
where
    E: From<rusqlite::Error>,
    F: FnOnce(&Transaction<'_>) -> Result<T, E>,
{
    // A panic inside `op` dropped its transaction, which rolled back: the
    // connection is sound, so a poisoned lock is used anyway.
    let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
    let tx = conn.transaction_with_behavior(behavior)?;
    let out = op(&tx)?;
    tx.commit()?;
    Ok(out)
}

impl fmt::Debug for SharedConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedConnection").finish_non_exhaustive()
    }
}
