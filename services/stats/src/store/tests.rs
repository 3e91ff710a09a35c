//! The store against a real SQLite file: what a `GET` finds, the pending
//! mark, and sharing the file with another service's schema.

use super::*;
use crate::model::{Sensor, Stats};
use crate::store::stats::Lookup;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn stats(mean: f64) -> Stats {
    Stats {
        mean,
        generated: "2025-06-02T09:14:05".into(),
        count: None,
        min: None,
        max: None,
        median: None,
        stdev: None,
        p95: None,
    }
}

#[tokio::test]
async fn a_computation_is_claimed_once_until_answered_or_stale() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = SensorStore::open(dir.path().join("s.db"))?;
    let lookup = |now: i64, stale: i64| {
        let store = store.clone();
        async move {
            store
                .write(move |tx| stats::lookup(tx, "s1", now, stale))
                .await
        }
    };
    assert!(matches!(lookup(10, 0).await, Err(StoreError::NotFound(_))));
    store
        .write(|tx| {
            let sensor = Sensor {
                name: "s1".into(),
                model: "m".into(),
            };
            sensors::insert(tx, &sensor)
        })
        .await?;
    assert!(matches!(lookup(10, 0).await?, Lookup::NoData));
    store
        .write(|tx| measurements::add(tx, "s1", &[(1.0, "t".into()), (3.0, "t".into())]))
        .await?;
    match lookup(10, 0).await? {
        Lookup::Enqueue(values) => assert_eq!(values, [1.0, 3.0]),
        other => panic!("expected a claim, got {other:?}"),
    }
    assert!(matches!(lookup(20, 0).await?, Lookup::Pending));
    // Pending since 10: stale for a lookup that counts anything before 11 as stale.
    assert!(matches!(lookup(30, 11).await?, Lookup::Enqueue(_)));
    store.write(|tx| stats::put(tx, "s1", &stats(2.0))).await?;
    match lookup(40, 0).await? {
        Lookup::Ready(found) => assert_eq!(found, stats(2.0)),
        other => panic!("expected stats, got {other:?}"),
    }
    store.write(|tx| stats::delete(tx, "s1")).await?;
    assert!(matches!(
        store.write(|tx| stats::delete(tx, "s1")).await,
        Err(StoreError::NotFound(_))
    ));
    // Deleted stats are claimed again at once.
    assert!(matches!(lookup(50, 0).await?, Lookup::Enqueue(_)));
    store.write(|tx| stats::release(tx, "s1")).await?;
    assert!(matches!(lookup(60, 0).await?, Lookup::Enqueue(_)));
    Ok(())
}

#[tokio::test]
async fn the_file_is_shared_with_another_schema() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("shared.db");
    {
        // Another service owns `user_version`.
        let conn = rusqlite::Connection::open(&path)?;
        conn.execute_batch("CREATE TABLE maps (id INTEGER PRIMARY KEY); PRAGMA user_version = 7;")?;
    }
    let store = SensorStore::open(&path)?;
    drop(store);
    let store = SensorStore::open(&path)?; // migrated once, opened again
    store
        .write(|tx| measurements::add(tx, "auto", &[(1.0, "t".into())]))
        .await?;
    let detail = store.read(|tx| sensors::detail(tx, "auto")).await?;
    assert_eq!((detail.model.as_str(), detail.measurements), ("unknown", 1));
    let conn = rusqlite::Connection::open(&path)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    assert_eq!(version, 7, "the other service's version is untouched");
    Ok(())
}
