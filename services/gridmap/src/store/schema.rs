//! The schema, migrated on open by [`switchboard_store::migrate`], its
//! version in `PRAGMA user_version`.
//!
//! Migrations only ever get appended: `STEPS[i]` takes a database from
//! version `i` to `i + 1`.

use rusqlite::Connection;
use switchboard_store::{MigrationError, Migrations, VersionStore};

use super::StoreError;

/// The schema, one migration per version.
const MIGRATIONS: Migrations = Migrations {
    what: "map database",
    versions: VersionStore::UserVersion,
    steps: STEPS,
};

const STEPS: &[&str] = &[
    // Version 1: maps, observers, obstacles. Slugs are unique per map, cells
    // hold at most one observer and one obstacle; contents go with their map.
    "CREATE TABLE maps (
         id     INTEGER PRIMARY KEY,
         slug   TEXT NOT NULL UNIQUE,
         name   TEXT NOT NULL,
         width  INTEGER NOT NULL CHECK (width BETWEEN 1 AND 1024),
         height INTEGER NOT NULL CHECK (height BETWEEN 1 AND 1024)
     );
     CREATE TABLE observers (
         id           INTEGER PRIMARY KEY,
         map_id       INTEGER NOT NULL REFERENCES maps (id) ON DELETE CASCADE,
         slug         TEXT NOT NULL,
         name         TEXT NOT NULL,
         x            INTEGER NOT NULL CHECK (x >= 0),
         y            INTEGER NOT NULL CHECK (y >= 0),
         vision_range INTEGER NOT NULL CHECK (vision_range BETWEEN 1 AND 64),
         UNIQUE (map_id, slug),
         UNIQUE (map_id, x, y)
     );
     CREATE TABLE obstacles (
         id     INTEGER PRIMARY KEY,
         map_id INTEGER NOT NULL REFERENCES maps (id) ON DELETE CASCADE,
         x      INTEGER NOT NULL CHECK (x >= 0),
         y      INTEGER NOT NULL CHECK (y >= 0),
         UNIQUE (map_id, x, y)
     );",
];

/// The schema version this build migrates to, which the tests expect a
/// new file to reach.
#[cfg(test)]
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.latest();

/// Brings the schema to the newest version, applying what is missing.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    switchboard_store::migrate(conn, &MIGRATIONS).map_err(|err| match err {
        MigrationError::UnknownVersion { found, known } => {
            StoreError::UnknownSchema { found, known }
        }
        MigrationError::Sqlite(err) => StoreError::Sqlite(err),
    })
}
