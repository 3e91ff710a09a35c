//! [`MapStore`]: maps, observers and obstacles in a SQLite file.
//!
//! One connection shared through [`switchboard_store::SharedConnection`]:
//! every operation runs in one transaction on tokio's blocking pool.
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

use rusqlite::{Connection, Transaction};
use std::fmt;
use std::path::Path;
use switchboard_store::SharedConnection;

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
    conn: SharedConnection,
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
        switchboard_store::configure(&conn, "maps").map_err(open_error)?;
        schema::migrate(&mut conn)?;
        Ok(Self {
            conn: SharedConnection::new(conn),
        })
    }

    /// Runs `op` in a read transaction on the blocking pool.
    pub(crate) async fn read<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        self.conn.read(op).await
    }

    /// Runs `op` in a write transaction on the blocking pool; commits if it
    /// returns `Ok`, rolls back otherwise.
    pub(crate) async fn write<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        self.conn.write(op).await
    }
}

impl fmt::Debug for MapStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapStore").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
