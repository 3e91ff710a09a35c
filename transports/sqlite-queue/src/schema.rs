//! The tables of the queue file and their migrations, applied by
//! [`switchboard_store::migrate`] and versioned by `PRAGMA user_version`.
//!
//! | table | what it holds |
//! |---|---|
//! | `task_queue` | tasks: `id` (AUTOINCREMENT, so never reused after `gc`), `data`, `method`, `content_type`, `enqueued_at` and `expires_at` (unix ms), `caller` (the producer's fingerprint as JSON, or `NULL`), `headers` (the carried headers, a signature or where the reply goes, as a JSON object, or `NULL`) |
//! | `worker_status` | each fan-out consumer's checkpoint: the last task id it has passed, and `seen_at` (unix ms): when it last wrote to the file |
//! | `group_status` | each work-queue group's floor: every task up to it is done, and `seen_at`: when a member last wrote |
//! | `group_leases` | claims above a group's floor: who holds the task, until when, how often it was delivered, whether it is done |
//! | `failures` | every task that failed for a consumer or a group, with the fault |
//!
//! `seen_at` is written with each checkpoint commit or claim and, while the
//! consumer is idle, every [`SEEN_EVERY`](crate::telemetry::SEEN_EVERY);
//! `NULL` until the consumer first runs under schema 3.

use rusqlite::Connection;
use switchboard_store::{MigrationError, Migrations, VersionStore};

use crate::error::QueueError;

/// The newest schema version this crate writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.latest();

const MIGRATIONS: Migrations = Migrations {
    what: "queue file",
    versions: VersionStore::UserVersion,
    steps: STEPS,
};

/// Step `n` takes the file from version `n` to `n + 1`.
const STEPS: &[&str] = &[
    // 0 -> 1
    "CREATE TABLE task_queue (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        data BLOB NOT NULL,
        method TEXT NOT NULL CHECK (length(method) > 0),
        content_type TEXT NOT NULL,
        enqueued_at INTEGER NOT NULL,
        expires_at INTEGER NULL
    );
    CREATE TABLE worker_status (
        worker_id TEXT PRIMARY KEY,
        task_id INTEGER NOT NULL
    );
    CREATE TABLE group_status (
        group_name TEXT PRIMARY KEY,
        task_id INTEGER NOT NULL
    );
    CREATE TABLE group_leases (
        group_name TEXT NOT NULL,
        task_id INTEGER NOT NULL,
        worker_id TEXT NOT NULL,
        lease_until INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        done INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (group_name, task_id)
    );
    CREATE TABLE failures (
        id INTEGER PRIMARY KEY,
        worker_id TEXT NOT NULL,
        group_name TEXT NULL,
        task_id INTEGER NOT NULL,
        faultcode TEXT NOT NULL,
        faultstring TEXT NOT NULL,
        failed_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        retried_as INTEGER NULL
    );
    CREATE INDEX failures_task ON failures (task_id);",
    // 1 -> 2: who enqueued each task (the producer's fingerprint, JSON).
    "ALTER TABLE task_queue ADD COLUMN caller TEXT NULL;",
    // 2 -> 3: when each consumer and group was last seen, and the failures
    // of one consumer or group found without reading the whole table.
    "ALTER TABLE worker_status ADD COLUMN seen_at INTEGER NULL;
    ALTER TABLE group_status ADD COLUMN seen_at INTEGER NULL;
    CREATE INDEX failures_consumer ON failures (group_name, worker_id);",
    // 3 -> 4: the headers switchboard carries beside a call (a signature,
    // where its reply goes), as one JSON object.
    "ALTER TABLE task_queue ADD COLUMN headers TEXT NULL;",
];

/// Brings the file up to [`SCHEMA_VERSION`]; a lock held past `budget`
/// is [`QueueError::Busy`].
pub(crate) fn migrate(
    conn: &mut Connection,
    budget: std::time::Duration,
) -> Result<(), QueueError> {
    switchboard_store::migrate(conn, &MIGRATIONS).map_err(|err| match err {
        MigrationError::UnknownVersion { found, known } => QueueError::SchemaTooNew {
            found,
            supported: known,
        },
        MigrationError::Sqlite(err) => QueueError::from_sqlite(err, budget),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_refuses_newer_files() -> Result<(), Box<dyn std::error::Error>> {
        let mut conn = Connection::open_in_memory()?;
        migrate(&mut conn, std::time::Duration::from_secs(1))?;
        migrate(&mut conn, std::time::Duration::from_secs(1))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        assert_eq!(version, SCHEMA_VERSION);
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)?;
        let err = migrate(&mut conn, std::time::Duration::from_secs(1));
        assert!(matches!(err, Err(QueueError::SchemaTooNew { .. })));
        Ok(())
    }
}
