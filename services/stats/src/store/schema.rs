//! The stats tables, migrated on open by [`switchboard_store::migrate`].
//! The version is kept in `stats_schema`, since `PRAGMA user_version`
//! belongs to whichever service shares the file (gridmap's maps, say).
//!
//! Migrations only ever get appended: `STEPS[i]` takes the tables from
//! version `i` to `i + 1`.

use rusqlite::Connection;
use switchboard_store::{MigrationError, Migrations, VersionStore};

use super::StoreError;

const MIGRATIONS: Migrations = Migrations {
    what: "sensor tables",
    versions: VersionStore::Table("stats_schema"),
    steps: STEPS,
};

const STEPS: &[&str] = &[
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

/// Brings the stats tables to the newest version.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    switchboard_store::migrate(conn, &MIGRATIONS).map_err(|err| match err {
        MigrationError::UnknownVersion { found, known } => {
            StoreError::UnknownSchema { found, known }
        }
        MigrationError::Sqlite(err) => StoreError::Sqlite(err),
    })
}
