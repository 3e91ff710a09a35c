//! [`MapStore`]: maps, observers and obstacles in a SQLite file.
//!
//! One connection behind a mutex: SQLite runs one writer at a time anyway,
//! and a single connection never meets "database is locked" from itself.
//! Every operation runs in one transaction on tokio's blocking pool, so
//! callers on the async runtime never wait on the disk or the mutex.
//!
//! - `schema`: connection settings and migrations.
//! - `error`: [`StoreError`] and its mapping to faults.
//! - `maps`, `observers`, `obstacles`: the queries, with the rules that need
//!   stored data; `place`: where things may stand; `page`: pages of a list
//!   and their cursors.

mod error;
pub(crate) mod maps;
pub(crate) mod observers;
pub(crate) mod obstacles;
mod page;
mod place;
mod schema;

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use error::StoreError;

/// The map database: give it to the application builder as state. Cheap to
/// clone; clones share the connection.
///
/// ```
/// use switchboard::Application;
/// use switchboard_gridmap::MapStore;
///
/// let dir = tempfile::tempdir()?;
/// let store = MapStore::open(dir.path().join("maps.db"))?;
/// let app = Application::builder().services(["gridmap"]).state(store).build()?;
/// assert!(app.method("create_map").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct MapStore {
    conn: Arc<Mutex<Connection>>,
}

impl MapStore {
    /// Opens (creating if needed) the database at `path`, sets WAL mode,
    /// foreign keys, NORMAL sync and a busy timeout, and migrates the schema.
    ///
    /// # Errors
    /// [`StoreError::Open`] if the file cannot be opened or set up,
    /// [`StoreError::UnknownSchema`] if a newer build wrote it, or a query
    /// error from the migration.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let open_error = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        let mut conn = Connection::open(path).map_err(open_error)?;
        schema::configure(&conn).map_err(open_error)?;
        schema::migrate(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `op` in a read transaction on the blocking pool.
    pub(crate) async fn read<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        self.run(TransactionBehavior::Deferred, op).await
    }

    /// Runs `op` in a write transaction on the blocking pool; commits if it
    /// returns `Ok`, rolls back otherwise.
    pub(crate) async fn write<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        // IMMEDIATE takes the write lock up front, so another process using
        // the file waits in the busy timeout instead of failing mid-way.
        self.run(TransactionBehavior::Immediate, op).await
    }

    async fn run<T, F>(&self, behavior: TransactionBehavior, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic inside `op` dropped its transaction, which rolled back:
            // the connection is sound, so a poisoned lock is used anyway.
            let mut conn = conn
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let tx = conn.transaction_with_behavior(behavior)?;
            let out = op(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await?
    }
}

impl fmt::Debug for MapStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapStore").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
