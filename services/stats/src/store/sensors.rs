//! Sensor queries: create, list, get, and the id of a sensor by name.

use rusqlite::{OptionalExtension, Transaction, params};

use super::StoreError;
use super::error::no_sensor;
use crate::model::{Sensor, SensorDetail};

/// The model of a sensor created by its first measurement.
pub(crate) const UNKNOWN_MODEL: &str = "unknown";

/// Creates a sensor; a taken name is a conflict.
pub(crate) fn insert(tx: &Transaction<'_>, sensor: &Sensor) -> Result<(), StoreError> {
    let inserted = tx
        .prepare_cached("INSERT OR IGNORE INTO sensors (name, model) VALUES (?1, ?2)")?
        .execute(params![sensor.name, sensor.model])?;
    if inserted == 0 {
        return Err(StoreError::Conflict(format!(
            "sensor `{}` exists",
            sensor.name
        )));
    }
    Ok(())
}

/// The id of sensor `name`, if it exists.
pub(crate) fn id_of(tx: &Transaction<'_>, name: &str) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .prepare_cached("SELECT id FROM sensors WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()?)
}

/// The id of sensor `name`, or [`StoreError::NotFound`].
pub(crate) fn existing(tx: &Transaction<'_>, name: &str) -> Result<i64, StoreError> {
    id_of(tx, name)?.ok_or_else(|| no_sensor(name))
}

/// The id of sensor `name`, created with an unknown model if missing (a
/// measurement for an unknown sensor creates it, as the course's does).
pub(crate) fn id_or_create(tx: &Transaction<'_>, name: &str) -> Result<i64, StoreError> {
    if let Some(id) = id_of(tx, name)? {
        return Ok(id);
    }
    tx.prepare_cached("INSERT INTO sensors (name, model) VALUES (?1, ?2)")?
        .execute(params![name, UNKNOWN_MODEL])?;
    Ok(tx.last_insert_rowid())
}

/// Up to `limit` sensors with names after `after`, and the `after` of the
/// next page if more follow.
pub(crate) fn page(
    tx: &Transaction<'_>,
    after: Option<&str>,
    limit: u32,
) -> Result<(Vec<Sensor>, Option<String>), StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT name, model FROM sensors WHERE ?1 IS NULL OR name > ?1 ORDER BY name LIMIT ?2",
    )?;
    let mut sensors = stmt
        .query_map(params![after, i64::from(limit) + 1], |row| {
            Ok(Sensor {
                name: row.get(0)?,
                model: row.get(1)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let more = sensors.len() > limit as usize;
    sensors.truncate(limit as usize);
    let next = more
        .then(|| sensors.last().map(|s| s.name.clone()))
        .flatten();
    Ok((sensors, next))
}

/// Sensor `name` with its measurement count and whether it has stats.
pub(crate) fn detail(tx: &Transaction<'_>, name: &str) -> Result<SensorDetail, StoreError> {
    tx.prepare_cached(
        "SELECT s.name, s.model,
                (SELECT COUNT(*) FROM measurements m WHERE m.sensor_id = s.id),
                EXISTS (SELECT 1 FROM sensor_stats t WHERE t.sensor_id = s.id)
         FROM sensors s WHERE s.name = ?1",
    )?
    .query_row([name], |row| {
        Ok(SensorDetail {
            name: row.get(0)?,
            model: row.get(1)?,
            measurements: row.get::<_, i64>(2)?.try_into().unwrap_or(0),
            has_stats: row.get(3)?,
        })
    })
    .optional()?
    .ok_or_else(|| no_sensor(name))
}
