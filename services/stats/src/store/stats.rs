//! Statistics queries: what a `GET` finds (stored stats, a computation to
//! enqueue, or one pending), and `PUT` / `DELETE`.
//!
//! A sensor's `pending_since` is set in the same transaction that finds no
//! stats and reads the values to enqueue, so of many `GET`s at once only
//! one enqueues; it is cleared when stats arrive or are deleted, and a
//! computation pending longer than the stale limit (its task lost, its
//! worker gone) is enqueued again.

use rusqlite::{OptionalExtension, Transaction, params};

use super::{StoreError, measurements, sensors};
use crate::model::Stats;

/// What a `GET` of a sensor's statistics finds.
#[derive(Debug)]
pub(crate) enum Lookup {
    /// Stored statistics.
    Ready(Stats),
    /// None stored and none pending: the values to enqueue (the sensor is
    /// now marked pending).
    Enqueue(Vec<f64>),
    /// None stored, a computation already enqueued.
    Pending,
    /// None stored, and no measurements to compute them from.
    NoData,
}

/// Looks sensor `name`'s statistics up; marks a computation pending when
/// there are none and none is pending since `stale_before` (unix ms) or
/// later.
pub(crate) fn lookup(
    tx: &Transaction<'_>,
    name: &str,
    now_ms: i64,
    stale_before: i64,
) -> Result<Lookup, StoreError> {
    let sensor = sensors::existing(tx, name)?;
    if let Some(stats) = stored(tx, sensor)? {
        return Ok(Lookup::Ready(stats));
    }
    let any: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM measurements WHERE sensor_id = ?1)")?
        .query_row([sensor], |row| row.get(0))?;
    if !any {
        return Ok(Lookup::NoData);
    }
    let claimed = tx
        .prepare_cached(
            "UPDATE sensors SET pending_since = ?2
             WHERE id = ?1 AND (pending_since IS NULL OR pending_since < ?3)",
        )?
        .execute(params![sensor, now_ms, stale_before])?;
    if claimed == 0 {
        return Ok(Lookup::Pending);
    }
    Ok(Lookup::Enqueue(measurements::values(tx, sensor)?))
}

/// Clears sensor `name`'s pending mark (its task could not be enqueued).
pub(crate) fn release(tx: &Transaction<'_>, name: &str) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE sensors SET pending_since = NULL WHERE name = ?1")?
        .execute([name])?;
    Ok(())
}

fn stored(tx: &Transaction<'_>, sensor: i64) -> Result<Option<Stats>, StoreError> {
    let body: Option<String> = tx
        .prepare_cached("SELECT body FROM sensor_stats WHERE sensor_id = ?1")?
        .query_row([sensor], |row| row.get(0))
        .optional()?;
    Ok(body.map(|body| serde_json::from_str(&body)).transpose()?)
}

/// Stores `stats` for sensor `name` (replacing any) and clears its
/// pending mark.
pub(crate) fn put(tx: &Transaction<'_>, name: &str, stats: &Stats) -> Result<(), StoreError> {
    let sensor = sensors::existing(tx, name)?;
    let body = serde_json::to_string(stats)?;
    tx.prepare_cached(
        "INSERT INTO sensor_stats (sensor_id, body) VALUES (?1, ?2)
         ON CONFLICT (sensor_id) DO UPDATE SET body = excluded.body",
    )?
    .execute(params![sensor, body])?;
    tx.prepare_cached("UPDATE sensors SET pending_since = NULL WHERE id = ?1")?
        .execute([sensor])?;
    Ok(())
}

/// Deletes sensor `name`'s statistics; [`StoreError::NotFound`] if it has
/// none.
pub(crate) fn delete(tx: &Transaction<'_>, name: &str) -> Result<(), StoreError> {
    let sensor = sensors::existing(tx, name)?;
    let deleted = tx
        .prepare_cached("DELETE FROM sensor_stats WHERE sensor_id = ?1")?
        .execute([sensor])?;
    if deleted == 0 {
        return Err(StoreError::NotFound(format!(
            "sensor `{name}` has no statistics"
        )));
    }
    tx.prepare_cached("UPDATE sensors SET pending_since = NULL WHERE id = ?1")?
        .execute([sensor])?;
    Ok(())
}
