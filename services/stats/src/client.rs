//! [`StatsClient`]: what `switchboard stats measure|get` does: post
//! measurements, and get a sensor's statistics, waiting for the
//! notification when they are being computed.
//!
//! Unlike the course's client, it subscribes to the notifications *before*
//! its first `GET`: a notification that arrives between the `202` and the
//! subscription is not missed.

use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use percent_encoding::utf8_percent_encode;
use switchboard::TransportError;
use switchboard_http::{PATH_SEGMENT, RestClient, RestReply};

use crate::backend::{Backend, BackendError};
use crate::model::{NewMeasurement, Stats};

/// Why a client operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The API could not be reached.
    #[error("cannot reach the API")]
    Api(#[from] TransportError),
    /// The notification subscription failed.
    #[error("cannot follow the notifications")]
    Backend(#[from] BackendError),
    /// The API answered with an error status.
    #[error("the API answered HTTP {status}: {body}")]
    Status {
        /// The status.
        status: StatusCode,
        /// The body, as text.
        body: String,
    },
    /// The statistics are being computed (`202`) and waiting was not asked.
    #[error("statistics of `{0}` are being computed; ask again later, or wait")]
    Pending(String),
    /// No notification came in time.
    #[error("no statistics for `{0}` before the timeout")]
    Timeout(String),
    /// The API's answer is not what it should be.
    #[error("the API's answer is not valid")]
    Decode(#[from] serde_json::Error),
}

/// Measures and gets statistics through the API, following the backend's
/// notifications.
#[derive(Debug, Clone)]
pub struct StatsClient {
    api: RestClient,
    backend: Backend,
}

impl StatsClient {
    /// A client of the API `api`, listening on `backend`.
    pub fn new(api: RestClient, backend: Backend) -> Self {
        Self { api, backend }
    }

    /// Adds `values` to `sensor` (created if needed) in one batch; returns
    /// how many were added.
    ///
    /// # Errors
    /// [`ClientError`] if the API cannot be reached or refuses.
    pub async fn measure(&self, sensor: &str, values: &[f64]) -> Result<u64, ClientError> {
        let measurements: Vec<NewMeasurement> = values
            .iter()
            .map(|&value| NewMeasurement { value, time: None })
            .collect();
        let body = serde_json::to_vec(&serde_json::json!({ "measurements": measurements }))?;
        let path = format!("{}measurements/batch/", sensor_path(sensor));
        let reply = self.api.send(Method::POST, &path, Some(body)).await?;
        let reply = expect(reply, StatusCode::CREATED)?;
        let added: crate::model::Added = serde_json::from_slice(&reply.body)?;
        Ok(added.added)
    }

    /// `sensor`'s statistics: at once if stored; otherwise, with `wait`,
    /// once the notification for `sensor` comes (at most `wait` later).
    ///
    /// # Errors
    /// [`ClientError::Pending`] without `wait`, [`ClientError::Timeout`]
    /// when `wait` ran out, or another [`ClientError`].
    pub async fn get(&self, sensor: &str, wait: Option<Duration>) -> Result<Stats, ClientError> {
        let Some(wait) = wait else {
            return self
                .get_once(sensor)
                .await?
                .ok_or_else(|| ClientError::Pending(sensor.to_owned()));
        };
        let deadline = Instant::now() + wait;
        // Subscribed first: the notification cannot slip past.
        let mut subscription = self.backend.subscribe().await?;
        loop {
            if let Some(stats) = self.get_once(sensor).await? {
                return Ok(stats);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if !subscription.wait_for(sensor, left).await? {
                return Err(ClientError::Timeout(sensor.to_owned()));
            }
        }
    }

    /// One `GET`: the statistics, or `None` on `202`.
    ///
    /// # Errors
    /// [`ClientError`] if the API cannot be reached or answers an error.
    pub async fn get_once(&self, sensor: &str) -> Result<Option<Stats>, ClientError> {
        let path = format!("{}stats/", sensor_path(sensor));
        let reply = self.api.send(Method::GET, &path, None).await?;
        if reply.status == StatusCode::ACCEPTED {
            return Ok(None);
        }
        let reply = expect(reply, StatusCode::OK)?;
        Ok(Some(serde_json::from_slice(&reply.body)?))
    }

    /// `DELETE`s `sensor`'s statistics.
    ///
    /// # Errors
    /// [`ClientError`] if the API cannot be reached or answers an error.
    pub async fn delete(&self, sensor: &str) -> Result<(), ClientError> {
        let path = format!("{}stats/", sensor_path(sensor));
        let reply = self.api.send(Method::DELETE, &path, None).await?;
        expect(reply, StatusCode::NO_CONTENT).map(|_| ())
    }
}

fn sensor_path(sensor: &str) -> String {
    format!(
        "/api/sensors/{}/",
        utf8_percent_encode(sensor, PATH_SEGMENT)
    )
}

fn expect(reply: RestReply, status: StatusCode) -> Result<RestReply, ClientError> {
    if reply.status == status {
        return Ok(reply);
    }
    Err(ClientError::Status {
        status: reply.status,
        body: String::from_utf8_lossy(&reply.body)
            .chars()
            .take(300)
            .collect(),
    })
}
