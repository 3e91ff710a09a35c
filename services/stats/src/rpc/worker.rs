//! The worker: `compute_stats`, bound to the `stats` queue, whose message
//! body is the task itself (`{"data": [values], "sensor": "name"}`).
//!
//! As the course's worker: compute, stamp `generated`, `PUT` the result to
//! `API_SERVER/api/sensors/{sensor}/stats/`, announce
//! `{"task": "statistics", "sensor": name}` on `notifications`. A failure
//! is a fault: the transport records it (dead-letter queue, failures
//! table) and acknowledges the task, and [`LogFailures`](crate::LogFailures)
//! publishes it on `logs`.

use http::{Method, StatusCode};
use percent_encoding::utf8_percent_encode;
use switchboard::{Fault, State, rpc};
use switchboard_http::PATH_SEGMENT;

use crate::backend::NOTIFICATIONS;
use crate::compute;
use crate::model::{Notification, Stats};
use crate::service::StatsService;
use crate::time;

/// The most values one task may carry.
pub const MAX_TASK_VALUES: usize = 2_000_000;
/// Tasks with more values are computed on the blocking pool.
const INLINE_VALUES: usize = 20_000;

/// Computes the statistics of `data` for `sensor`, `PUT`s them to the API
/// and announces them on `notifications`.
#[rpc(
    service = "stats",
    one_way,
    throws = ["Client.Validation", "Client.NotFound", "Client.Refused", "Server"]
)]
pub async fn compute_stats(
    service: State<StatsService>,
    data: Vec<f64>,
    sensor: String,
) -> Result<(), Fault> {
    if data.len() > MAX_TASK_VALUES {
        return Err(Fault::validation(format!(
            "task for sensor `{sensor}` has {} values; at most {MAX_TASK_VALUES} are computed",
            data.len()
        )));
    }
    let summary = if data.len() > INLINE_VALUES {
        let mut data = data;
        tokio::task::spawn_blocking(move || compute::summarize(&mut data))
            .await
            .map_err(|_| Fault::server("the computation failed"))?
    } else {
        let mut data = data;
        compute::summarize(&mut data)
    };
    let Some(summary) = summary else {
        return Err(Fault::validation(format!(
            "task for sensor `{sensor}` has no data"
        )));
    };
    let stats = Stats::from_summary(&summary, time::now());
    put(&service, &sensor, &stats).await?;
    let notification = serde_json::to_vec(&Notification::statistics(&sensor))
        .map_err(|_| Fault::server("internal error"))?;
    service
        .backend
        .publish(NOTIFICATIONS, notification)
        .await
        .map_err(|err| {
            tracing::error!(error = %err, cause = ?err, sensor, "notification not published");
            Fault::server(format!(
                "statistics of `{sensor}` stored, but the notification failed"
            ))
        })?;
    tracing::debug!(sensor, count = summary.count, "statistics computed");
    Ok(())
}

/// `PUT`s `stats` to the API; its refusal is a fault naming the status.
async fn put(service: &StatsService, sensor: &str, stats: &Stats) -> Result<(), Fault> {
    let api = service.api();
    let sensor_segment = utf8_percent_encode(sensor, PATH_SEGMENT);
    let path = format!("/api/sensors/{sensor_segment}/stats/");
    let body = serde_json::to_vec(stats).map_err(|_| Fault::server("internal error"))?;
    let reply = api
        .send(Method::PUT, &path, Some(body))
        .await
        .map_err(|err| Fault::server(format!("cannot reach the API at {}: {err}", api.url(""))))?;
    match reply.status {
        StatusCode::NO_CONTENT | StatusCode::OK => Ok(()),
        StatusCode::NOT_FOUND => Err(Fault::not_found(format!(
            "the API has no sensor `{sensor}`"
        ))),
        status => {
            let said = String::from_utf8_lossy(&reply.body);
            let said: String = said.chars().take(200).collect();
            let message =
                format!("the API refused the statistics of `{sensor}`: HTTP {status} {said}");
            if status.is_server_error() {
                Err(Fault::server(message))
            } else {
                Err(Fault::new("Client.Refused", message))
            }
        }
    }
}
