//! The connection settings and the schema, migrated on open by
//! `PRAGMA user_version`.
//!
//! Migrations only ever get appended: `MIGRATIONS[i]` takes a database from
//! version `i` to `i + 1`, in one transaction with the version bump.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// The schema, one migration per version.
const MIGRATIONS: &[&str] = &[
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

/// The schema version this build migrates to.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the schema to [`SCHEMA_VERSION`], applying what is missing.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    // Negative versions are no versions of ours either.
    let Some(done) = usize::try_from(found)
        .ok()
        .filter(|&n| n <= MIGRATIONS.len())
    else {
        return Err(StoreError::UnknownSchema {
            found,
            known: SCHEMA_VERSION,
        });
    };
    for (version, sql) in (1..).zip(MIGRATIONS).skip(done) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tracing::info!(version, "map database migrated");
    }
    tx.commit()?;
    Ok(())
}
