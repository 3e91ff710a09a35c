//! Measurement queries: add (creating the sensor if needed), page, and all
//! values of a sensor for a task.

use rusqlite::{Transaction, params};

use super::{StoreError, sensors};
use crate::model::Measurement;

/// Adds `(value, time)` pairs to sensor `name`, creating it if missing;
/// returns how many were added.
pub(crate) fn add(
    tx: &Transaction<'_>,
    name: &str,
    values: &[(f64, String)],
) -> Result<u64, StoreError> {
    let sensor = sensors::id_or_create(tx, name)?;
    let mut insert =
        tx.prepare_cached("INSERT INTO measurements (sensor_id, value, time) VALUES (?1, ?2, ?3)")?;
    for (value, time) in values {
        insert.execute(params![sensor, value, time])?;
    }
    Ok(values.len() as u64)
}

/// Up to `limit` measurements of sensor `name` with ids after `after`, and
/// the `after` of the next page if more follow.
pub(crate) fn page(
    tx: &Transaction<'_>,
    name: &str,
    after: Option<i64>,
    limit: u32,
) -> Result<(Vec<Measurement>, Option<i64>), StoreError> {
    let sensor = sensors::existing(tx, name)?;
    let mut stmt = tx.prepare_cached(
        "SELECT id, value, time FROM measurements
         WHERE sensor_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
    )?;
    let mut items = stmt
        .query_map(
            params![sensor, after.unwrap_or(0), i64::from(limit) + 1],
            |row| {
                Ok(Measurement {
                    id: row.get(0)?,
                    value: row.get(1)?,
                    time: row.get(2)?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next = more.then(|| items.last().map(|m| m.id)).flatten();
    Ok((items, next))
}

/// Every value of sensor `id`, in id order.
pub(crate) fn values(tx: &Transaction<'_>, sensor: i64) -> Result<Vec<f64>, StoreError> {
    let mut stmt =
        tx.prepare_cached("SELECT value FROM measurements WHERE sensor_id = ?1 ORDER BY id")?;
    let values = stmt
        .query_map([sensor], |row| row.get(0))?
        .collect::<Result<Vec<f64>, _>>()?;
    Ok(values)
}
