use std::error::Error;

use tempfile::TempDir;

use super::maps::MapChange;
use super::observers::ObserverChange;
use super::*;
use crate::model::{MapSummary, Observer};

type TestResult = Result<(), Box<dyn Error>>;

fn open() -> Result<(TempDir, MapStore), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let store = MapStore::open(dir.path().join("maps.db"))?;
    Ok((dir, store))
}

fn map(slug: &str, width: u32, height: u32) -> MapSummary {
    MapSummary {
        name: slug.to_uppercase(),
        slug: slug.to_owned(),
        width,
        height,
    }
}

fn observer(slug: &str, x: u32, y: u32) -> Observer {
    Observer {
        map: "m".to_owned(),
        slug: slug.to_owned(),
        name: slug.to_owned(),
        x,
        y,
        range: 3,
    }
}

/// Runs `op` on the store's connection directly, in one transaction.
fn with_db<T>(
    store: &MapStore,
    op: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    store.conn.write_blocking(op)
}

/// Checks `result` is `expected`: "ok", "not found", "conflict", "invalid".
#[track_caller]
fn expect(result: Result<(), StoreError>, expected: &str) {
    let found = match result {
        Ok(()) => "ok",
        Err(StoreError::NotFound(_)) => "not found",
        Err(StoreError::Conflict(_)) => "conflict",
        Err(StoreError::Invalid(_)) => "invalid",
        Err(other) => panic!("unexpected error: {other:?}"),
    };
    assert_eq!(found, expected);
}

#[test]
fn open_sets_wal_foreign_keys_and_the_schema_version() -> TestResult {
    let (dir, store) = open()?;
    with_db(&store, |db| {
        let mode: String = db.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        let keys: i64 = db.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
        let sync: i64 = db.pragma_query_value(None, "synchronous", |r| r.get(0))?;
        let version: i64 = db.pragma_query_value(None, "user_version", |r| r.get(0))?;
        assert_eq!(
            (mode.as_str(), keys, sync, version),
            ("wal", 1, 1, schema::SCHEMA_VERSION)
        );
        Ok(())
    })?;
    drop(store);
    // Opening again migrates nothing and keeps the data.
    let again = MapStore::open(dir.path().join("maps.db"))?;
    with_db(&again, |db| maps::insert(db, &map("m", 2, 2)))?;
    Ok(())
}

#[test]
fn an_unknown_schema_version_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("maps.db");
    for version in [99, -1] {
        rusqlite::Connection::open(&path)?.pragma_update(None, "user_version", version)?;
        match MapStore::open(&path) {
            Err(StoreError::UnknownSchema { found, known: 1 }) => assert_eq!(found, version),
            other => panic!("expected an unknown-schema error, got {other:?}"),
        }
    }
    Ok(())
}

#[test]
fn deleting_a_map_deletes_what_is_on_it() -> TestResult {
    let (_dir, store) = open()?;
    with_db(&store, |db| {
        maps::insert(db, &map("m", 4, 4))?;
        let row = maps::find(db, "m")?;
        observers::insert(db, &row, &observer("a", 0, 0))?;
        obstacles::insert(db, &row, 1, 1)?;
        maps::delete(db, "m")?;
        let left: i64 = db.query_row(
            "SELECT (SELECT COUNT(*) FROM observers) + (SELECT COUNT(*) FROM obstacles)",
            [],
            |r| r.get(0),
        )?;
        assert_eq!(left, 0);
        Ok(())
    })?;
    Ok(())
}

#[test]
fn the_rules_that_need_stored_data_hold() -> TestResult {
    let (_dir, store) = open()?;
    with_db(&store, |db| {
        maps::insert(db, &map("m", 4, 3))?;
        expect(maps::insert(db, &map("m", 1, 1)), "conflict");
        let row = maps::find(db, "m")?;
        observers::insert(db, &row, &observer("a", 0, 0))?;
        obstacles::insert(db, &row, 3, 2)?;
        let b = |x, y| observer("b", x, y);
        let resize = |width, height| MapChange {
            width,
            height,
            ..MapChange::default()
        };
        expect(observers::insert(db, &row, &b(4, 0)), "invalid");
        expect(observers::insert(db, &row, &b(3, 2)), "conflict");
        expect(observers::insert(db, &row, &b(0, 0)), "conflict");
        expect(
            observers::insert(db, &row, &observer("a", 1, 1)),
            "conflict",
        );
        expect(obstacles::insert(db, &row, 0, 3), "invalid");
        expect(obstacles::insert(db, &row, 0, 0), "conflict");
        expect(obstacles::insert(db, &row, 3, 2), "conflict");
        expect(maps::update(db, "m", resize(Some(3), None)), "conflict");
        expect(maps::update(db, "m", resize(None, Some(2))), "conflict");
        expect(maps::update(db, "x", resize(None, None)), "not found");
        expect(observers::delete(db, &row, "zz"), "not found");
        expect(obstacles::delete(db, &row, 2, 2), "not found");
        Ok(())
    })?;
    Ok(())
}

#[test]
fn an_observer_moves_within_the_rules() -> TestResult {
    let (_dir, store) = open()?;
    with_db(&store, |db| {
        maps::insert(db, &map("m", 4, 4))?;
        let row = maps::find(db, "m")?;
        observers::insert(db, &row, &observer("a", 0, 0))?;
        observers::insert(db, &row, &observer("b", 1, 0))?;
        let to = |x, y| ObserverChange {
            x: Some(x),
            y: Some(y),
            ..ObserverChange::default()
        };
        expect(observers::update(db, &row, "a", to(1, 0)), "conflict");
        // Staying put is not a clash with itself.
        observers::update(db, &row, "a", to(0, 0))?;
        observers::update(db, &row, "a", to(2, 3))?;
        let moved = observers::find(db, &row, "a")?;
        assert_eq!((moved.x, moved.y), (2, 3));
        Ok(())
    })?;
    Ok(())
}

#[tokio::test]
async fn operations_run_on_the_blocking_pool_and_roll_back_on_error() -> TestResult {
    let (_dir, store) = open()?;
    store.write(|db| maps::insert(db, &map("m", 2, 2))).await?;
    let failed = store
        .write(|db| {
            maps::insert(db, &map("n", 2, 2))?;
            maps::insert(db, &map("m", 2, 2))
        })
        .await;
    assert!(matches!(failed, Err(StoreError::Conflict(_))), "{failed:?}");
    let slugs: Vec<String> = store
        .read(|db| Ok(maps::list(db)?.into_iter().map(|m| m.slug).collect()))
        .await?;
    assert_eq!(slugs, ["m"], "the failed transaction left nothing behind");
    Ok(())
}
