//! The sensor methods: list, create, get.

use switchboard::{Fault, State, rpc};

use crate::model::{DEFAULT_PAGE, MAX_NAME_CHARS, Sensor, SensorDetail, SensorList};
use crate::service::StatsService;
use crate::store::sensors;

/// Lists the sensors by name, a page at a time: at most `limit` (default
/// 100, at most 1000) whose names come after `after`; `next` names the
/// next page's `after`.
#[rpc(service = "stats", http = "GET /api/sensors/", throws = ["Client.Validation", "Server"])]
pub async fn list_sensors(
    service: State<StatsService>,
    #[schemars(range(min = 1, max = 1000))] limit: Option<u32>,
    after: Option<String>,
) -> Result<SensorList, Fault> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    let (sensors, next) = service
        .store
        .read(move |tx| sensors::page(tx, after.as_deref(), limit))
        .await?;
    Ok(SensorList { sensors, next })
}

/// Creates a sensor; its name must not be taken.
#[rpc(
    service = "stats",
    http = "POST /api/sensors/",
    created = "/api/sensors/{name}/",
    throws = ["Client.Validation", "Client.Conflict", "Server"]
)]
pub async fn create_sensor(
    service: State<StatsService>,
    #[schemars(length(min = 1, max = MAX_NAME_CHARS))] name: String,
    #[schemars(length(min = 1, max = MAX_NAME_CHARS))] model: String,
) -> Result<Sensor, Fault> {
    if name.chars().any(char::is_control) {
        return Err(Fault::validation(
            "name: control characters are not allowed",
        ));
    }
    let sensor = Sensor { name, model };
    Ok(service
        .store
        .write(move |tx| sensors::insert(tx, &sensor).map(|()| sensor))
        .await?)
}

/// The sensor named `sensor`, with its measurement count and whether it
/// has statistics.
#[rpc(
    service = "stats",
    http = "GET /api/sensors/{sensor}/",
    throws = ["Client.NotFound", "Server"]
)]
pub async fn get_sensor(
    service: State<StatsService>,
    sensor: String,
) -> Result<SensorDetail, Fault> {
    Ok(service
        .store
        .read(move |tx| sensors::detail(tx, &sensor))
        .await?)
}
