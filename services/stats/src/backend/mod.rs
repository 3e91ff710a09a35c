//! [`Backend`]: where the stats system's messages travel, picked at
//! startup: the embedded SQLite files ([`sqlite`]) or RabbitMQ ([`amqp`]).
//!
//! | message | SQLite | RabbitMQ |
//! |---|---|---|
//! | task `{"data", "sensor"}` | a row of the queue file, method `compute_stats` | the `stats` queue, default exchange, routing key `stats` |
//! | notification `{"task", "sensor"}` | a row of the events file, method `notifications` | the `notifications` fanout exchange |
//! | log `{"timestamp", "content"}` | a row of the events file, method `logs` | the `logs` fanout exchange |
//! | failed task | the queue's `failures` table | the `stats.failed` dead-letter queue |

pub mod amqp;
pub mod sqlite;

use std::time::Duration;

use switchboard::TransportError;
use switchboard_sqlite_queue::QueueError;

use crate::model::Notification;
use crate::settings::BackendSettings;

/// The queue tasks go to.
pub const STATS_QUEUE: &str = "stats";
/// The fanout exchange (or SQLite topic) of notifications.
pub const NOTIFICATIONS: &str = "notifications";
/// The fanout exchange (or SQLite topic) of logs.
pub const LOGS: &str = "logs";
/// The dead-letter exchange and queue of failed tasks on RabbitMQ.
pub const DEAD_LETTERS: &str = "stats.failed";
/// The method that runs a task: a queue's messages are its parameters.
pub const WORKER_METHOD: &str = "compute_stats";

/// Why a message could not be sent or received.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// The SQLite queue or events file failed.
    #[error("the SQLite queue failed")]
    Queue(#[from] QueueError),
    /// Reading the events file failed.
    #[error("reading the events file failed")]
    Events(#[from] rusqlite::Error),
    /// The broker failed or refused.
    #[error("the broker failed")]
    Amqp(#[from] switchboard_amqp::AmqpError),
    /// Publishing failed.
    #[error("publishing failed")]
    Transport(#[from] TransportError),
    /// The subscription ended (the broker closed the channel, the follower
    /// stopped).
    #[error("the notification subscription ended")]
    Closed,
}

/// Where tasks, notifications and logs go. Cheap to clone.
#[derive(Debug, Clone)]
pub enum Backend {
    /// The embedded SQLite files.
    Sqlite(sqlite::SqliteBackend),
    /// RabbitMQ.
    Amqp(amqp::AmqpBackend),
}

impl Backend {
    /// The backend `settings` name. SQLite files are opened (created) now;
    /// the broker is connected to on first use, so a host starts while the
    /// broker is down.
    ///
    /// # Errors
    /// [`BackendError::Queue`] if a SQLite file cannot be opened.
    pub fn open(settings: &BackendSettings) -> Result<Self, BackendError> {
        Ok(match settings {
            BackendSettings::Sqlite { queue, events } => {
                Self::Sqlite(sqlite::SqliteBackend::open(queue, events)?)
            }
            BackendSettings::Amqp(connection) => {
                Self::Amqp(amqp::AmqpBackend::new(connection.clone()))
            }
        })
    }

    /// Enqueues a task (its JSON body).
    ///
    /// # Errors
    /// [`BackendError`] if it could not be enqueued.
    pub async fn enqueue(&self, task: Vec<u8>) -> Result<(), BackendError> {
        match self {
            Self::Sqlite(backend) => backend.enqueue(task).await,
            Self::Amqp(backend) => backend.enqueue(&task).await,
        }
    }

    /// Publishes `body` on the fanout exchange (or topic) `exchange`:
    /// [`NOTIFICATIONS`] or [`LOGS`].
    ///
    /// # Errors
    /// [`BackendError`] if it could not be published.
    pub async fn publish(&self, exchange: &'static str, body: Vec<u8>) -> Result<(), BackendError> {
        match self {
            Self::Sqlite(backend) => backend.publish(exchange, body).await,
            Self::Amqp(backend) => backend.publish(exchange, &body).await,
        }
    }

    /// Subscribes to the notifications: every one published after this
    /// returns is received.
    ///
    /// # Errors
    /// [`BackendError`] if the subscription cannot be set up.
    pub async fn subscribe(&self) -> Result<Subscription, BackendError> {
        Ok(match self {
            Self::Sqlite(backend) => Subscription::Sqlite(backend.subscribe().await?),
            Self::Amqp(backend) => Subscription::Amqp(Box::new(backend.subscribe().await?)),
        })
    }

    /// The backend's name, for banners: `sqlite` or `amqp`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Amqp(_) => "amqp",
        }
    }
}

/// A live subscription to the notifications.
#[derive(Debug)]
pub enum Subscription {
    /// Following the SQLite events file.
    Sqlite(sqlite::Follower),
    /// An exclusive queue bound to the `notifications` exchange (boxed: a
    /// connection and a consumer are large).
    Amqp(Box<amqp::Listener>),
}

impl Subscription {
    /// The next notification; a message that is not one is skipped (and
    /// logged at `debug`).
    ///
    /// # Errors
    /// [`BackendError::Closed`] if the subscription ended.
    pub async fn next(&mut self) -> Result<Notification, BackendError> {
        loop {
            let body = match self {
                Self::Sqlite(follower) => follower.next().await?,
                Self::Amqp(listener) => listener.next().await?,
            };
            match serde_json::from_slice::<Notification>(&body) {
                Ok(notification) => return Ok(notification),
                Err(err) => tracing::debug!(error = %err, "not a notification; skipped"),
            }
        }
    }

    /// Waits up to `timeout` for the notification that statistics are
    /// ready for `sensor`; `Ok(false)` if none came in time.
    ///
    /// # Errors
    /// [`BackendError::Closed`] if the subscription ended.
    pub async fn wait_for(
        &mut self,
        sensor: &str,
        timeout: Duration,
    ) -> Result<bool, BackendError> {
        let wait = async {
            loop {
                let notification = self.next().await?;
                if notification.task == Notification::STATISTICS && notification.sensor == sensor {
                    return Ok::<_, BackendError>(());
                }
            }
        };
        match tokio::time::timeout(timeout, wait).await {
            Ok(result) => result.map(|()| true),
            Err(_) => Ok(false),
        }
    }
}
