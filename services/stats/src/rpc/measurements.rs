//! The measurement methods: add one, add many, list a page.

use switchboard::{Fault, State, rpc};

use crate::model::{Added, Measurement, MeasurementPage, NewMeasurement};
use crate::service::StatsService;
use crate::store::measurements;
use crate::time;

/// The most measurements one batch adds.
pub const MAX_BATCH: usize = 100_000;
/// Measurements per page by default.
pub const DEFAULT_MEASUREMENT_PAGE: u32 = 1000;

/// Checks `time` (ISO 8601) or stamps now.
fn time_or_now(time: Option<String>) -> Result<String, Fault> {
    match time {
        Some(text) => {
            time::parse(&text).map_err(|err| Fault::validation(format!("time: {err}")))?;
            Ok(text)
        }
        None => Ok(time::now()),
    }
}

/// Adds a measurement to `sensor`, which is created (model `unknown`) if
/// it does not exist. `time` is ISO 8601 (UTC without an offset); default:
/// now.
#[rpc(
    service = "stats",
    http = "POST /api/sensors/{sensor}/measurements/",
    created = "/api/sensors/{sensor}/measurements/",
    throws = ["Client.Validation", "Server"]
)]
pub async fn add_measurement(
    service: State<StatsService>,
    sensor: String,
    value: f64,
    time: Option<String>,
) -> Result<Measurement, Fault> {
    let time = time_or_now(time)?;
    let (stored_time, stored_value) = (time.clone(), value);
    let id = service
        .store
        .write(move |tx| {
            measurements::add(tx, &sensor, &[(stored_value, stored_time)])?;
            Ok(tx.last_insert_rowid())
        })
        .await?;
    Ok(Measurement { id, value, time })
}

/// Adds many measurements to `sensor` in one transaction (at most
/// 100 000), creating the sensor if needed: all of them, or none when one
/// is invalid.
#[rpc(
    service = "stats",
    http = "POST /api/sensors/{sensor}/measurements/batch/",
    created = "/api/sensors/{sensor}/measurements/",
    throws = ["Client.Validation", "Server"]
)]
pub async fn add_measurements(
    service: State<StatsService>,
    sensor: String,
    measurements: Vec<NewMeasurement>,
) -> Result<Added, Fault> {
    if measurements.len() > MAX_BATCH {
        return Err(Fault::validation(format!(
            "measurements: at most {MAX_BATCH} in one batch, got {}",
            measurements.len()
        )));
    }
    let now = time::now();
    let mut rows = Vec::with_capacity(measurements.len());
    for (i, m) in measurements.into_iter().enumerate() {
        let time = match m.time {
            Some(text) => {
                time::parse(&text)
                    .map_err(|err| Fault::validation(format!("measurements[{i}].time: {err}")))?;
                text
            }
            None => now.clone(),
        };
        rows.push((m.value, time));
    }
    let name = sensor.clone();
    let added = service
        .store
        .write(move |tx| measurements::add(tx, &name, &rows))
        .await?;
    Ok(Added { sensor, added })
}

/// A page of `sensor`'s measurements in id order: at most `limit`
/// (default 1000, at most 10 000) with ids after `after`; `next` names the
/// next page's `after`.
#[rpc(
    service = "stats",
    http = "GET /api/sensors/{sensor}/measurements/",
    throws = ["Client.Validation", "Client.NotFound", "Server"]
)]
pub async fn list_measurements(
    service: State<StatsService>,
    sensor: String,
    #[schemars(range(min = 1, max = 10000))] limit: Option<u32>,
    after: Option<i64>,
) -> Result<MeasurementPage, Fault> {
    let limit = limit.unwrap_or(DEFAULT_MEASUREMENT_PAGE);
    let name = sensor.clone();
    let (measurements, next) = service
        .store
        .read(move |tx| measurements::page(tx, &name, after, limit))
        .await?;
    Ok(MeasurementPage {
        sensor,
        measurements,
        next,
    })
}
