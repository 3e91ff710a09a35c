//! [`Worker`]: a process's worker for the `stats` queue, on whichever
//! backend the application's stats service uses: a member of the SQLite
//! queue's `stats` work-queue group, or a consumer of the RabbitMQ queue
//! `stats`. Any number of them may run, in one process or many; each task
//! goes to one of them.

use std::future::Future;
use std::time::Duration;

use futures_util::future::join_all;
use switchboard::{Application, Fault, Server, ServerTransport, TransportError};
use switchboard_amqp::AmqpServer;
use switchboard_json::JsonDocument;
use switchboard_sqlite_queue::{ConsumerOptions, QueueConsumer, QueueError};
use tokio::sync::watch;

use crate::backend::{Backend, amqp};

/// The SQLite work-queue group of stats workers.
pub const GROUP: &str = "stats";
/// How long an idle SQLite worker waits between polls at most: the most a
/// task from another process waits (one from the same process wakes it at
/// once).
pub const DEFAULT_POLL_MAX: Duration = Duration::from_millis(10);
/// Tasks a worker runs at once: its RabbitMQ prefetch, or its SQLite group
/// members (a thread each). Tasks wait mostly on the API's answer to
/// their `PUT`, so a few at once keep two cores busy.
pub const DEFAULT_PREFETCH: u16 = 4;

/// Why a worker stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkerError {
    /// The application does not serve stats.
    #[error("the application does not serve stats: {}", .0.message())]
    NoService(Fault),
    /// The SQLite queue failed.
    #[error("the stats queue failed")]
    Queue(#[from] QueueError),
    /// The broker failed for good.
    #[error("the stats queue consumer failed")]
    Transport(#[from] TransportError),
}

/// A worker running `app`'s `compute_stats` on the tasks of its stats
/// backend.
#[derive(Debug, Clone)]
pub struct Worker {
    app: Application,
    id: String,
    poll_max: Duration,
    prefetch: u16,
}

impl Worker {
    /// A worker named `id` (its consumer id on SQLite) for `app`, which
    /// must serve stats.
    pub fn new(app: Application, id: impl Into<String>) -> Self {
        Self {
            app,
            id: id.into(),
            poll_max: DEFAULT_POLL_MAX,
            prefetch: DEFAULT_PREFETCH,
        }
    }

    /// Polls the SQLite queue at most `poll_max` apart when idle.
    #[must_use]
    pub fn with_poll_max(mut self, poll_max: Duration) -> Self {
        self.poll_max = poll_max;
        self
    }

    /// Runs at most `prefetch` tasks at once (at least 1): the RabbitMQ
    /// prefetch, or as many members of the SQLite group (`{id}.1`,
    /// `{id}.2`, ...; just `{id}` for one).
    #[must_use]
    pub fn with_prefetch(mut self, prefetch: u16) -> Self {
        self.prefetch = prefetch.max(1);
        self
    }

    /// What the worker consumes, for banners.
    ///
    /// # Errors
    /// [`WorkerError::NoService`] if the application does not serve stats.
    pub fn describe(&self) -> Result<String, WorkerError> {
        let service = crate::service(&self.app).map_err(WorkerError::NoService)?;
        Ok(match service.backend() {
            Backend::Sqlite(sqlite) => format!(
                "stats worker {} on {} (group {GROUP}, {} at once)",
                self.id,
                sqlite.queue_path().display(),
                self.prefetch
            ),
            Backend::Amqp(amqp) => format!(
                "stats worker {} on {} queue stats ({} at once)",
                self.id,
                amqp.settings().endpoint(),
                self.prefetch
            ),
        })
    }

    /// Serves tasks until `shutdown` completes, then finishes the current
    /// ones.
    ///
    /// # Errors
    /// [`WorkerError`] if the queue fails for good.
    pub async fn run<F>(self, shutdown: F) -> Result<(), WorkerError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let service = crate::service(&self.app).map_err(WorkerError::NoService)?;
        let backend = service.backend().clone();
        let server = Server::new(self.app, JsonDocument);
        match backend {
            Backend::Sqlite(sqlite) => {
                let options = ConsumerOptions::default().with_poll_max(self.poll_max);
                let members = usize::from(self.prefetch.max(1));
                let (stop, stopped) = watch::channel(false);
                tokio::spawn(async move {
                    shutdown.await;
                    stop.send_replace(true);
                });
                let mut running = Vec::with_capacity(members);
                for member in 1..=members {
                    let id = if members == 1 {
                        self.id.clone()
                    } else {
                        format!("{}.{member}", self.id)
                    };
                    let consumer = QueueConsumer::open(sqlite.queue_path(), id, options.clone())?
                        .with_group(GROUP);
                    let mut stopped = stopped.clone();
                    running.push(consumer.run(server.clone(), async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    }));
                }
                // Every member stops at the signal; the first error, if any.
                join_all(running)
                    .await
                    .into_iter()
                    .collect::<Result<(), _>>()?;
                Ok(())
            }
            Backend::Amqp(backend) => {
                let settings = backend
                    .settings()
                    .clone()
                    .with_connection_name(format!("switchboard stats worker {}", self.id));
                let transport = AmqpServer::new(settings, amqp::worker_options(self.prefetch));
                Ok(transport.serve(server, shutdown).await?)
            }
        }
    }
}
