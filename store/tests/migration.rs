//! `migrate` on real files in WAL mode, as the stores and the queue use it.

use std::path::Path;
use std::sync::{Arc, Barrier};

use rusqlite::Connection;
use switchboard_store::{MigrationError, Migrations, VersionStore, configure, migrate};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const STEPS: &[&str] = &[
    "CREATE TABLE a (n INTEGER NOT NULL)",
    "CREATE TABLE b (n INTEGER NOT NULL); INSERT INTO a (n) VALUES (2)",
];

const OWN_FILE: Migrations = Migrations {
    what: "test schema",
    versions: VersionStore::UserVersion,
    steps: STEPS,
};

const SHARED_FILE: Migrations = Migrations {
    what: "guest schema",
    versions: VersionStore::Table("guest_schema"),
    steps: &["CREATE TABLE guest (n INTEGER NOT NULL)"],
};

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    configure(&conn, "test")?;
    Ok(conn)
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

#[test]
fn migrates_a_new_file_once_and_an_older_one_the_rest_of_the_way() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("own.db");
    let mut conn = open(&path)?;
    let mode: String = conn.pragma_query_value(None, "journal_mode", |row| row.get(0))?;
    assert_eq!(mode, "wal");
    let first = Migrations {
        steps: &STEPS[..1],
        ..OWN_FILE
    };
    migrate(&mut conn, &first)?;
    assert_eq!(user_version(&conn)?, 1);
    migrate(&mut conn, &OWN_FILE)?;
    migrate(&mut conn, &OWN_FILE)?;
    drop(conn);
    let conn = open(&path)?;
    assert_eq!(user_version(&conn)?, OWN_FILE.latest());
    // The second step ran once.
    let rows: i64 = conn.query_row("SELECT count(*) FROM a", [], |row| row.get(0))?;
    assert_eq!(rows, 1);
    Ok(())
}

#[test]
fn refuses_a_newer_or_negative_version_and_changes_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = open(&dir.path().join("newer.db"))?;
    for found in [OWN_FILE.latest() + 1, -1] {
        conn.pragma_update(None, "user_version", found)?;
        match migrate(&mut conn, &OWN_FILE) {
            Err(MigrationError::UnknownVersion { found: f, known: 2 }) => assert_eq!(f, found),
            other => panic!("expected an unknown version, got {other:?}"),
        }
        let tables: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name IN ('a', 'b')",
            [],
            |row| row.get(0),
        )?;
        assert_eq!((tables, user_version(&conn)?), (0, found));
    }
    Ok(())
}

#[test]
fn a_failed_step_leaves_the_file_as_it_was() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = open(&dir.path().join("failed.db"))?;
    // The second step creates the first step's table again.
    let broken = Migrations {
        steps: &[
            "CREATE TABLE a (n INTEGER NOT NULL)",
            "CREATE TABLE a (n INTEGER)",
        ],
        ..OWN_FILE
    };
    assert!(matches!(
        migrate(&mut conn, &broken),
        Err(MigrationError::Sqlite(_))
    ));
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE name = 'a'",
        [],
        |row| row.get(0),
    )?;
    assert_eq!((tables, user_version(&conn)?), (0, 0));
    Ok(())
}

#[test]
fn a_version_table_leaves_user_version_to_the_file_owner() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = open(&dir.path().join("shared.db"))?;
    migrate(&mut conn, &OWN_FILE)?;
    migrate(&mut conn, &SHARED_FILE)?;
    migrate(&mut conn, &SHARED_FILE)?;
    let guest: i64 = conn.query_row("SELECT version FROM guest_schema", [], |row| row.get(0))?;
    assert_eq!((guest, user_version(&conn)?), (1, OWN_FILE.latest()));
    conn.execute("UPDATE guest_schema SET version = 7", [])?;
    assert!(matches!(
        migrate(&mut conn, &SHARED_FILE),
        Err(MigrationError::UnknownVersion { found: 7, known: 1 })
    ));
    Ok(())
}

#[test]
fn two_connections_opening_a_new_file_at_once_run_each_step_once() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("race.db");
    let start = Arc::new(Barrier::new(2));
    let openers: Vec<_> = (0..2)
        .map(|_| {
            let (path, start) = (path.clone(), Arc::clone(&start));
            std::thread::spawn(move || -> Result<(), MigrationError> {
                let mut conn = open(&path)?;
                start.wait();
                migrate(&mut conn, &OWN_FILE)
            })
        })
        .collect();
    for opener in openers {
        // A step run twice would fail: its table would exist already.
        opener.join().map_err(|_| "an opener panicked")??;
    }
    assert_eq!(user_version(&open(&path)?)?, OWN_FILE.latest());
    Ok(())
}
