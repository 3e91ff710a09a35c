//! [`Worker`]: a process's worker for the `stats` queue, on whichever bus
//! the application's stats service uses: members of the SQLite queue's
//! `stats` work-queue group, a consumer of the RabbitMQ queue `stats`, or
//! any other bus's worker. Any number of them may run, in one process or
//! many; each task goes to one of them.

use std::future::Future;
use std::time::Duration;

use switchboard::catalog::bus::WorkQueue;
use switchboard::catalog::{BindError, ServeSettings};
use switchboard::{Application, Fault, TransportError};

use crate::backend::{CLIENT_NAME, DEAD_LETTERS, STATS_QUEUE, WORKER_METHOD};

/// The SQLite work-queue group of stats workers: the queue's name.
pub const GROUP: &str = STATS_QUEUE;
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
    /// The stats queue cannot be consumed on this bus.
    #[error("cannot consume the stats queue on {address}")]
    Bind {
        /// The bus, password masked.
        address: String,
        /// Why.
        #[source]
        source: BindError,
    },
    /// The queue failed for good.
    #[error("the stats queue consumer failed")]
    Transport(#[from] TransportError),
}

/// A worker running `app`'s `compute_stats` on the tasks of its stats
/// bus.
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
        Ok(format!(
            "stats worker {} on {} queue {STATS_QUEUE} ({} at once)",
            self.id,
            service.backend().address(),
            self.prefetch
        ))
    }

    /// What the worker consumes: the `stats` queue's `compute_stats`
    /// tasks, failed ones to `stats.failed`.
    fn work_queue(&self) -> WorkQueue {
        WorkQueue::new(STATS_QUEUE, WORKER_METHOD, self.id.clone())
            .with_concurrency(self.prefetch)
            .with_dead_letter(DEAD_LETTERS)
            .with_poll_max(self.poll_max)
    }

    /// Serves tasks until `shutdown` completes, then finishes the current
    /// ones.
    ///
    /// # Errors
    /// [`WorkerError`] if the queue cannot be consumed, or fails for good.
    pub async fn run<F>(self, shutdown: F) -> Result<(), WorkerError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let service = crate::service(&self.app).map_err(WorkerError::NoService)?;
        let backend = service.backend().clone();
        let bind_error = |source| WorkerError::Bind {
            address: backend.address().to_string(),
            source,
        };
        // No default protocol: the worker reads tasks as the bus writes them.
        let settings = ServeSettings::new(self.app.clone(), Vec::new()).with_host_name(CLIENT_NAME);
        let work = self.work_queue();
        let bound = backend.work(work, settings).await.map_err(bind_error)?;
        Ok(bound.serve(shutdown).await?)
    }
}
