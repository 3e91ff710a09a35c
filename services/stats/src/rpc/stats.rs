//! The statistics resource: `GET` (the stats, or `202 Accepted` after
//! enqueuing their computation), `PUT` (what a worker sends back),
//! `DELETE`.

use switchboard::{Fault, MethodContext, State, rpc};
use switchboard_http::HttpFacts;

use crate::model::{Stats, Task};
use crate::service::StatsService;
use crate::store::stats::{self, Lookup};
use crate::time;

/// `sensor`'s statistics. When none are stored, their computation is
/// enqueued on the `stats` queue (`{"data": [values], "sensor": name}`)
/// and the answer is `null`, over REST `202 Accepted` with no body; while
/// that computation is pending, later calls answer the same without
/// enqueuing it again (unless it has been pending for longer than the
/// pending timeout, a minute by default). A sensor without measurements
/// is a conflict: there is nothing to compute.
#[rpc(
    service = "stats",
    http = "GET /api/sensors/{sensor}/stats/",
    throws = ["Client.NotFound", "Client.Conflict", "Server"]
)]
pub async fn get_stats(
    ctx: &MethodContext,
    service: State<StatsService>,
    sensor: String,
) -> Result<Option<Stats>, Fault> {
    let now_ms = time::now_micros() / 1000;
    let timeout_ms = i64::try_from(service.pending_timeout.as_millis()).unwrap_or(i64::MAX);
    let stale_before = now_ms.saturating_sub(timeout_ms);
    let name = sensor.clone();
    let lookup = service
        .store
        .write(move |tx| stats::lookup(tx, &name, now_ms, stale_before))
        .await?;
    match lookup {
        Lookup::Ready(stats) => return Ok(Some(stats)),
        Lookup::NoData => {
            return Err(Fault::conflict(format!(
                "sensor `{sensor}` has no measurements to compute statistics from"
            )));
        }
        Lookup::Pending => tracing::debug!(sensor, "statistics pending"),
        Lookup::Enqueue(data) => enqueue(&service, Task { data, sensor }).await?,
    }
    if let Some(http) = ctx.facts::<HttpFacts>() {
        http.answer_with(http::StatusCode::ACCEPTED);
    }
    Ok(None)
}

/// Enqueues `task`; on failure, clears the sensor's pending mark so the
/// next `GET` tries again.
async fn enqueue(service: &StatsService, task: Task) -> Result<(), Fault> {
    let body = serde_json::to_vec(&task).map_err(|err| {
        tracing::error!(error = %err, "task not encodable");
        Fault::server("internal error")
    })?;
    let values = task.data.len();
    match service.backend.enqueue(body).await {
        Ok(()) => {
            tracing::debug!(sensor = %task.sensor, values, "statistics task enqueued");
            Ok(())
        }
        Err(err) => {
            tracing::error!(error = %err, cause = ?err, sensor = %task.sensor, "statistics task not enqueued");
            let sensor = task.sensor;
            service
                .store
                .write(move |tx| stats::release(tx, &sensor))
                .await?;
            Err(Fault::server("the statistics task could not be enqueued"))
        }
    }
}

/// Stores `sensor`'s statistics, replacing any: what a worker sends back.
/// `mean` and `generated` (ISO 8601, with or without a UTC offset) are
/// required; the other statistics are optional; any other field is
/// refused.
#[rpc(
    service = "stats",
    http = "PUT /api/sensors/{sensor}/stats/",
    throws = ["Client.Validation", "Client.NotFound", "Server"]
)]
#[allow(clippy::too_many_arguments)]
pub async fn put_stats(
    service: State<StatsService>,
    sensor: String,
    mean: f64,
    generated: String,
    count: Option<u64>,
    min: Option<f64>,
    max: Option<f64>,
    median: Option<f64>,
    stdev: Option<f64>,
    p95: Option<f64>,
) -> Result<(), Fault> {
    time::parse(&generated).map_err(|err| Fault::validation(format!("generated: {err}")))?;
    let stats = Stats {
        mean,
        generated,
        count,
        min,
        max,
        median,
        stdev,
        p95,
    };
    Ok(service
        .store
        .write(move |tx| stats::put(tx, &sensor, &stats))
        .await?)
}

/// Deletes `sensor`'s statistics, so that the next `GET` computes them
/// again.
#[rpc(
    service = "stats",
    http = "DELETE /api/sensors/{sensor}/stats/",
    throws = ["Client.NotFound", "Server"]
)]
pub async fn delete_stats(service: State<StatsService>, sensor: String) -> Result<(), Fault> {
    Ok(service
        .store
        .write(move |tx| stats::delete(tx, &sensor))
        .await?)
}
