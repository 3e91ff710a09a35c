//! The connection settings and the stats tables, migrated on open. The
//! version is kept in `stats_schema`, since `PRAGMA user_version` belongs
//! to whichever service shares the file (gridmap's maps, say).
//!
//! Migrations only ever get appended: `MIGRATIONS[i]` takes the tables
//! from version `i` to `i + 1`, in one transaction with the version bump.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::StoreError;

const MIGRATIONS: &[&str] = &[
    // Version 1. `pending_since` (unix ms) marks a computation enqueued and
    // not yet answered; statistics are one row per sensor, as JSON.
    "CREATE TABLE sensors (
         id            INTEGER PRIMARY KEY,
         name          TEXT NOT NULL UNIQUE,
         model         TEXT NOT NULL,
         pending_since INTEGER NULL
     );
     CREATE TABLE measurements (
         id        INTEGER PRIMARY KEY,
         sensor_id INTEGER NOT NULL REFERENCES sensors (id) ON DELETE CASCADE,
         value     REAL NOT NULL,
         time      TEXT NOT NULL
     );
     CREATE INDEX measurements_by_sensor ON measurements (sensor_id, id);
     CREATE TABLE sensor_stats (
         sensor_id INTEGER PRIMARY KEY REFERENCES sensors (id) ON DELETE CASCADE,
         body      TEXT NOT NULL
     );",
];

/// The schema version this build migrates to.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the stats tables to [`SCHEMA_VERSION`].
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS stats_schema (version INTEGER NOT NULL)")?;
    let found: i64 = tx
        .query_row("SELECT version FROM stats_schema", [], |row| row.get(0))
        .optional()?
        .unwrap_or(0);
    let Some(done) = usize::try_from(found)
        .ok()
        .filter(|&n| n <= MIGRATIONS.len())
    else {
        return Err(StoreError::UnknownSchema {
            found,
            known: SCHEMA_VERSION,
        });
    };
    for (version, sql) in (1_i64..).zip(MIGRATIONS).skip(done) {
        tx.execute_batch(sql)?;
        tx.execute("DELETE FROM stats_schema", [])?;
        tx.execute("INSERT INTO stats_schema (version) VALUES (?1)", [version])?;
        tracing::info!(version, "sensor tables migrated");
    }
    tx.commit()?;
    Ok(())
}
