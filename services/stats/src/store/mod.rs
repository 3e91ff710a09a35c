//! [`SensorStore`]: sensors, measurements and statistics in a SQLite file.
//!
//! Built as gridmap's store is: one connection behind a mutex, every
//! operation one transaction on tokio's blocking pool. The tables live
//! beside other services' in the same file, so the schema version is kept
//! in a table of its own (`stats_schema`), not in `PRAGMA user_version`,
//! which another service may own.
//!
//! - `schema`: connection settings and migrations.
//! - `error`: [`StoreError`] and its mapping to faults.
//! - `sensors`, `measurements`, `stats`: the queries.

mod error;
pub(crate) mod measurements;
mod schema;
pub(crate) mod sensors;
pub(crate) mod stats;

use rusqlite::{Connection, Transaction};
use std::fmt;
use std::path::Path;
use switchboard_store::SharedConnection;

pub use error::StoreError;

/// The sensor database. Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct SensorStore {
    conn: SharedConnection,
}

impl SensorStore {
    /// Opens (creating if needed) the database at `path` in WAL mode and
    /// migrates the stats tables.
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
        switchboard_store::configure(&conn, "sensors").map_err(open_error)?;
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

impl fmt::Debug for SensorStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SensorStore").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
