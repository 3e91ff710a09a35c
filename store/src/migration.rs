//! [`migrate`]: a schema brought to its newest version on open, from
//! migrations that are only ever appended, refusing a file whose version
//! this build does not know (a newer build wrote it).
//!
//! The version is kept where the schema's owner says ([`VersionStore`]):
//! `PRAGMA user_version` for a file of its own, a one-row table for a
//! schema that shares its file with another (stats' tables beside
//! gridmap's maps), whose `user_version` it must leave alone.

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

/// A schema and the steps that build it.
#[derive(Debug, Clone, Copy)]
pub struct Migrations {
    /// What the schema is, for the log (`"map database"`).
    pub what: &'static str,
    /// Where its version is kept.
    pub versions: VersionStore,
    /// `steps[i]` takes the schema from version `i` to `i + 1`; only ever
    /// appended to, never edited once released.
    pub steps: &'static [&'static str],
}

impl Migrations {
    /// The version this build migrates to: the number of steps.
    pub const fn latest(&self) -> i64 {
        // A list of SQL texts is never longer than `i64::MAX`.
        self.steps.len() as i64
    }
}

/// Where a schema's version is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionStore {
    /// `PRAGMA user_version`: the file belongs to this schema alone.
    UserVersion,
    /// A table of this name (a plain identifier) with one row, `version`:
    /// the file may hold another schema, which owns `user_version`.
    Table(&'static str),
}

/// Why [`migrate`] failed.
///
/// Exhaustive on purpose: each store maps both cases into its own error.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The stored version is not one of `0..=known` (a newer build wrote
    /// the file, or something else set a negative version).
    #[error("schema version {found} is not one this build knows (0 to {known})")]
    UnknownVersion {
        /// The stored version.
        found: i64,
        /// The newest version this build can migrate to.
        known: i64,
    },
    /// A query or a migration step failed; nothing was changed.
    #[error("schema migration failed")]
    Sqlite(#[from] rusqlite::Error),
}

/// Brings the schema to [`Migrations::latest`], applying the missing
/// steps with their version bumps in one transaction: a failed step leaves
/// the file as it was.
///
/// # Errors
/// [`MigrationError::UnknownVersion`] for a version this build does not
/// know, [`MigrationError::Sqlite`] if a query or a step fails.
pub fn migrate(conn: &mut Connection, migrations: &Migrations) -> Result<(), MigrationError> {
    // IMMEDIATE takes the write lock before the version is read: two
    // processes opening a new file at once must not both run a step.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = migrations.versions.read(&tx)?;
    // A negative version is no version of ours either.
    let Some(done) = usize::try_from(found)
        .ok()
        .filter(|&done| done <= migrations.steps.len())
    else {
        return Err(MigrationError::UnknownVersion {
            found,
            known: migrations.latest(),
        });
    };
    for (version, step) in (1_i64..).zip(migrations.steps).skip(done) {
        tx.execute_batch(step)?;
        migrations.versions.write(&tx, version)?;
        tracing::info!(version, schema = migrations.what, "schema migrated");
    }
    tx.commit()?;
    Ok(())
}

impl VersionStore {
    /// The stored version; 0 for a schema never migrated.
    fn read(self, tx: &Transaction<'_>) -> rusqlite::Result<i64> {
        match self {
            Self::UserVersion => tx.pragma_query_value(None, "user_version", |row| row.get(0)),
            Self::Table(table) => {
                tx.execute_batch(&format!(
                    "CREATE TABLE IF NOT EXISTS \"{table}\" (version INTEGER NOT NULL)"
                ))?;
                let stored = tx
                    .query_row(&format!("SELECT version FROM \"{table}\""), [], |row| {
                        row.get(0)
                    })
                    .optional()?;
                Ok(stored.unwrap_or(0))
            }
        }
    }

    /// Stores `version`, replacing what was there.
    fn write(self, tx: &Transaction<'_>, version: i64) -> rusqlite::Result<()> {
        match self {
            Self::UserVersion => tx.pragma_update(None, "user_version", version),
            Self::Table(table) => {
                tx.execute(&format!("DELETE FROM \"{table}\""), [])?;
                tx.execute(
                    &format!("INSERT INTO \"{table}\" (version) VALUES (?1)"),
                    [version],
                )?;
                Ok(())
            }
        }
    }
}
