//! The `stats` service: sensors, their measurements, and statistics
//! computed by queue workers: the course's sensorhub statistics system
//! rebuilt on switchboard, wire-compatible with it, so that its API, worker
//! and client can each be swapped for these, part by part.
//!
//! ```text
//!  client ── GET /api/sensors/{s}/stats/ ──▶ API ── task {"data","sensor"} ──▶ queue `stats`
//!    ▲            (200 stats | 202)           ▲                                    │
//!    │                                        └─ PUT /api/sensors/{s}/stats/ ── worker(s)
//!    └──── {"task":"statistics","sensor"} ◀── fanout `notifications` ◀─────────────┤
//!                                             fanout `logs` ◀── {"timestamp","content"}
//! ```
//!
//! | method | route |
//! |---|---|
//! | `list_sensors(limit?, after?)` | `GET /api/sensors/` |
//! | `create_sensor(name, model)` | `POST /api/sensors/` (201, `Location`; 409 if taken) |
//! | `get_sensor(sensor)` | `GET /api/sensors/{sensor}/` |
//! | `add_measurement(sensor, value, time?)` | `POST /api/sensors/{sensor}/measurements/` (201) |
//! | `add_measurements(sensor, measurements)` | `POST /api/sensors/{sensor}/measurements/batch/` (201) |
//! | `list_measurements(sensor, limit?, after?)` | `GET /api/sensors/{sensor}/measurements/` |
//! | `get_stats(sensor)` | `GET /api/sensors/{sensor}/stats/` (200, or 202 after enqueuing) |
//! | `put_stats(sensor, mean, generated, ...)` | `PUT /api/sensors/{sensor}/stats/` (204) |
//! | `delete_stats(sensor)` | `DELETE /api/sensors/{sensor}/stats/` (204, 404) |
//! | `compute_stats(data, sensor)` | the worker: the `stats` queue's messages |
//!
//! # Example
//!
//! The whole system in one process on the embedded bus: the API over
//! HTTP, a worker consuming the SQLite queue, a client waiting for the
//! notification. Stats reaches its bus by address, through the transport
//! catalog: the binary links the transports (here, the SQLite queue).
//!
//! ```
//! use std::time::Duration;
//! use switchboard::{Application, Server};
//! use switchboard_http::{HttpServer, RestClient};
//! use switchboard_json::JsonDocument;
//! use switchboard_stats::{Settings, Worker};
//! use switchboard_sqlite_queue as _; // links the `sqlite:` transport and its bus
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let dir = tempfile::tempdir()?;
//! let builder = Application::builder().services([switchboard_stats::SERVICE]);
//! let settings = Settings::embedded(dir.path());
//! let app = switchboard_stats::setup_with(builder, &dir.path().join("state.db"), settings)?.build()?;
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let base = format!("http://{}", listener.local_addr()?);
//! switchboard_stats::service(&app)?.default_api_server(&base);
//! let http = HttpServer::builder(app.clone()).rest(JsonDocument).build()?;
//! tokio::spawn(http.serve(listener, std::future::pending()));
//! let worker = Worker::new(app.clone(), "worker-1");
//! tokio::spawn(worker.run(std::future::pending()));
//!
//! let api = RestClient::new(&base)?;
//! let client = switchboard_stats::StatsClient::new(api, switchboard_stats::service(&app)?.backend().clone());
//! client.measure("s1", &[1.0, 2.0, 6.0]).await?;
//! let stats = client.get("s1", Some(Duration::from_secs(10))).await?;
//! assert_eq!((stats.mean, stats.median, stats.count), (3.0, Some(2.0), Some(3)));
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//!
//! - [`setup`] / [`setup_with`]: what a host calls to serve stats.
//! - [`Settings`]: the bus's address and the API, from `SWITCHBOARD_*` or
//!   the course's variables.
//! - [`Backend`]: the message bus of any linked transport that offers one
//!   (the SQLite files, RabbitMQ with the course's declarations), on which
//!   stats names its queue and topics ([`backend`]).
//! - [`Worker`]: a worker consuming the tasks on that bus.
//! - [`StatsClient`]: measure, get and wait for statistics.
//! - [`compute`]: the statistics themselves.
//! - [`time`]: ISO 8601 as the course writes it.
//! - the methods, their call structs and types, re-exported here.

pub mod backend;
mod client;
pub mod compute;
mod logs;
mod model;
mod rpc;
mod service;
mod settings;
mod store;
pub mod time;
mod worker;

pub use backend::{Backend, BackendError, Subscription};
pub use client::{ClientError, StatsClient};
pub use logs::LogFailures;
pub use model::{
    Added, DEFAULT_PAGE, LogEntry, MAX_NAME_CHARS, Measurement, MeasurementPage, NewMeasurement,
    Notification, Sensor, SensorDetail, SensorList, Stats, Task,
};
// Each method comes with its call struct (`get_stats` and `GetStats`).
pub use rpc::measurements::*;
pub use rpc::sensors::*;
pub use rpc::stats::*;
pub use rpc::worker::*;
pub use service::StatsService;
pub use settings::{DEFAULT_API_SERVER, DEFAULT_PENDING_TIMEOUT, Settings};
pub use store::{SensorStore, StoreError};
pub use worker::{DEFAULT_POLL_MAX, DEFAULT_PREFETCH, GROUP, Worker, WorkerError};

use std::path::Path;

use switchboard::{Application, ApplicationBuilder, Fault, Limits, State};
// The bus finds the protocol tasks are encoded in (`json`) in the
// catalog: this links it, whatever else the binary links.
use switchboard_json as _;

/// The service name.
pub const SERVICE: &str = "stats";

/// The largest request the application takes: a task of a million values
/// (about 20 MB of JSON) fits; ten million do not.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

/// Why the stats service could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// The sensor database could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The environment names the bus wrongly.
    #[error("the stats bus's address is not valid")]
    Settings(#[from] switchboard::catalog::AddressError),
    /// The bus could not be opened.
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// The HTTP client could not be set up.
    #[error(transparent)]
    Http(#[from] switchboard_http::HttpClientError),
}

/// Prepares `builder` to serve stats with its data in the SQLite file `db`
/// and the bus the environment configures ([`Settings::from_env`]).
///
/// # Errors
/// [`SetupError`] if the environment names no valid address, or the
/// database or the bus cannot be opened.
pub fn setup(builder: ApplicationBuilder, db: &Path) -> Result<ApplicationBuilder, SetupError> {
    setup_with(builder, db, Settings::from_env(db)?)
}

/// Prepares `builder` to serve stats with its data in `db` and `settings`:
/// the state, the listener publishing failed tasks on `logs`, and a body
/// limit large enough for a task of a million values (raised to
/// [`MAX_REQUEST_BYTES`] if lower; the builder's other limits are kept).
///
/// # Errors
/// [`SetupError`] if the database or the bus cannot be opened.
pub fn setup_with(
    builder: ApplicationBuilder,
    db: &Path,
    settings: Settings,
) -> Result<ApplicationBuilder, SetupError> {
    let store = SensorStore::open(db)?;
    let backend = Backend::open(&settings.bus)?;
    let service = StatsService::new(store, backend.clone(), &settings)?;
    Ok(builder
        .state(service)
        .listener(LogFailures::new(backend))
        .map_limits(|limits| Limits {
            max_body_bytes: limits.max_body_bytes.max(MAX_REQUEST_BYTES),
            ..limits
        }))
}

/// The stats service's state in `app`.
///
/// # Errors
/// A `Server` fault if `app` does not serve stats.
pub fn service(app: &Application) -> Result<State<StatsService>, Fault> {
    app.state::<StatsService>()
}
