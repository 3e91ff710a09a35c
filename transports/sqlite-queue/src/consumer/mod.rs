//! [`QueueConsumer`]: a polling [`ServerTransport`] over the queue file, as
//! a fan-out consumer (every consumer sees every task) or as a member of a
//! work-queue group (each task to one member).
//!
//! A consumer runs on a thread of its own, which owns its connection and
//! runs each task's pipeline there (through the runtime's
//! [`Handle`](tokio::runtime::Handle)): a task costs its SQL and its
//! pipeline, with no hop between threads.
//!
//! Delivery is at least once per consumer (or per group): a consumer killed
//! between running a task and committing its checkpoint runs the task again
//! when restarted. Replies are logged at `debug`, not sent; faults are
//! recorded in the `failures` table.
//!
//! Each consumer keeps a readiness [`Probe`] from the statements it runs
//! anyway (ready after its first write, not ready with the error when one
//! fails, and once it stops) and records each task's pickup latency
//! ([`telemetry::PICKUP`](crate::telemetry::PICKUP)).

mod fanout;
pub(crate) mod group;
mod poll;
mod task;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use switchboard::catalog::{Probe, Readiness};
use switchboard::{Server, ServerTransport, TransportError};

use crate::db::{Conn, Db};
use crate::error::QueueError;
use crate::options::ConsumerOptions;
use crate::telemetry::{Kind, Meters};

pub use task::{EXPIRED, TOO_MANY_DELIVERIES};

/// A consumer of the queue file, identified by its worker id.
///
/// # Contract
///
/// - Tasks run one at a time, in id order (for a group: in claim order).
/// - A task with a fault ([`Response::any_fault`](switchboard::Response::any_fault):
///   garbage bytes, an unknown method, a fault from the function, even in
///   a notification), that expired, or whose content type the server does
///   not read, is handled by the [`FailurePolicy`](crate::FailurePolicy):
///   recorded in `failures` and passed, retried first, or recorded before
///   the consumer halts.
/// - Methods run on the consumer's own thread, inside the runtime's
///   [`Handle::block_on`](tokio::runtime::Handle::block_on): they may await
///   timers and I/O and spawn tasks, but not call `block_in_place`.
/// - The body is handed to the pipeline with the task's method named
///   ([`RequestInfo::with_method`](switchboard::RequestInfo::with_method))
///   when the in protocol has a bare-params form, and as a whole request
///   otherwise. Producer and consumer must use the same protocol.
/// - When `shutdown` completes, the current task finishes, the checkpoint
///   is committed and `serve` returns `Ok(())`. A task that fails after
///   the signal is not passed: the next run meets it again.
/// - [`run_until_idle`](Self::run_until_idle) also returns `Ok(())` the
///   first time the consumer finds nothing left to do: a fan-out consumer
///   when a read after its checkpoint finds no task, a group member when
///   no task is left to claim and none is in flight at another member.
#[derive(Debug, Clone)]
pub struct QueueConsumer {
    db: Db,
    // Shared with every task's facts, so a task allocates nothing for it.
    worker_id: Arc<str>,
    group: Option<String>,
    options: ConsumerOptions,
    /// Whether the file can take this consumer's writes; detached unless
    /// [`with_readiness`](Self::with_readiness).
    probe: Probe,
}

impl QueueConsumer {
    /// Opens (creating and migrating if needed) the queue file at `path`
    /// for the fan-out consumer `worker_id`. It registers (at task 0 if
    /// new) when it starts serving. Blocks briefly: call it at startup.
    ///
    /// From now on, as long as a handle on the file is open in this
    /// process, its metrics are exported at every scrape (see
    /// [`telemetry`](crate::telemetry)).
    ///
    /// # Errors
    /// [`QueueError`] if the file cannot be opened or migrated.
    pub fn open(
        path: impl AsRef<Path>,
        worker_id: impl Into<String>,
        options: ConsumerOptions,
    ) -> Result<Self, QueueError> {
        let db = Db::open(path.as_ref(), &options.queue)?;
        db.observe();
        let worker_id: Arc<str> = Arc::from(worker_id.into());
        let probe = Probe::detached(probe_name(&db, &worker_id));
        Ok(Self {
            db,
            worker_id,
            group: None,
            options,
            probe,
        })
    }

    /// Reports to `readiness` (the process's, shared by its transports)
    /// whether this consumer can take work, under the probe named `sqlite
    /// PATH worker ID` (the file's canonical path): not ready until it has
    /// registered (its first write), then not ready with the error as soon
    /// as a statement it runs fails (a checkpoint, a claim, the idle
    /// last-seen write: a file turned read-only, a lock held past the busy
    /// budget), ready again after a write succeeds, and not ready once it
    /// stops. Probing costs no I/O: the state is kept from the statements
    /// the consumer runs anyway.
    #[must_use]
    pub fn with_readiness(mut self, readiness: &Readiness) -> Self {
        self.probe = readiness.probe(probe_name(&self.db, &self.worker_id));
        self
    }

    /// The readiness probe this consumer keeps up to date (detached from
    /// any [`Readiness`] unless [`with_readiness`](Self::with_readiness)).
    /// A clone kept by the caller keeps the probe, and its last state, in
    /// the report after the consumer is gone.
    pub fn probe(&self) -> &Probe {
        &self.probe
    }

    /// Makes this consumer a member of the work-queue group `name` instead
    /// of a fan-out consumer: the group as a whole sees every task, each
    /// member only those it claims.
    #[must_use]
    pub fn with_group(mut self, name: impl Into<String>) -> Self {
        self.group = Some(name.into());
        self
    }

    /// The worker id.
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// The group, if this consumer is a group member.
    pub fn group(&self) -> Option<&str> {
        self.group.as_deref()
    }

    /// Runs tasks through `server` until `shutdown` completes, like
    /// [`ServerTransport::serve`] but with the queue's own error. The work
    /// happens on a new thread; dropping the returned future stops it after
    /// its current task, as `shutdown` does.
    ///
    /// # Errors
    /// [`QueueError::Halted`] under [`FailurePolicy::Halt`](crate::FailurePolicy::Halt),
    /// [`QueueError::Busy`] if the file stayed locked past the busy budget,
    /// or another [`QueueError`].
    ///
    /// # Panics
    /// When not polled inside a Tokio runtime.
    pub async fn run<F>(self, server: Server, shutdown: F) -> Result<(), QueueError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.start(server, shutdown, Until::Shutdown).await
    }

    /// Runs tasks through `server` until the backlog is empty, then
    /// returns: once this consumer (or, for a group member, its group) has
    /// passed every task enqueued so far and no task is in flight. Every
    /// task committed before the call is run (or passed as failed) before
    /// it returns; tasks enqueued meanwhile may be run too.
    ///
    /// The consumer itself notices it is idle: a fan-out consumer when a
    /// read after its checkpoint finds no task (its checkpoint is committed
    /// then), a group member when its claim finds nothing to take and no
    /// other member holds a task. A member that waits on another's task
    /// polls as when idle, and takes the task over if that member's lease
    /// runs out. `shutdown` still stops it early, as for [`run`](Self::run).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use switchboard::{Application, Server};
    /// use switchboard_json::JsonDocument;
    /// use switchboard_sqlite_queue::{ConsumerOptions, QueueConsumer, QueueOptions, QueueProducer};
    /// use switchboard_demo as _; // links the `demo` service
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("queue.db");
    /// let producer = QueueProducer::open(&path, QueueOptions::default())?;
    /// for s in ["a", "b", "c"] {
    ///     let body = format!(r#"{{"s":"{s}"}}"#);
    ///     producer.enqueue("echo", "application/json", body, None).await?;
    /// }
    ///
    /// let app = Application::builder().services(["demo"]).build()?;
    /// let server = Server::new(app, JsonDocument);
    /// let consumer = QueueConsumer::open(&path, "worker-1", ConsumerOptions::default())?;
    /// // Returns once the three tasks are passed; Ctrl-C would stop it sooner.
    /// consumer.run_until_idle(server, std::future::pending()).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As for [`run`](Self::run).
    ///
    /// # Panics
    /// When not polled inside a Tokio runtime.
    pub async fn run_until_idle<F>(self, server: Server, shutdown: F) -> Result<(), QueueError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.start(server, shutdown, Until::Idle).await
    }

    /// Starts the consumer thread and waits for it.
    async fn start<F>(self, server: Server, shutdown: F, until: Until) -> Result<(), QueueError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let (stop, mut waiter) = poll::stop_signal(shutdown);
        let (done, finished) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            // A NUL byte would make `spawn` panic; the name is only a label.
            .name(format!("queue {}", self.worker_id.replace('\0', "")))
            .spawn(move || {
                let result = self.serve_here(&server, &mut waiter, until);
                // Gone before the caller hears of it: its connection, and
                // its readiness probe unless the caller kept a clone.
                drop(self);
                drop(server);
                let _ = done.send(result);
            })
            .map_err(QueueError::Spawn)?;
        // The sender is dropped without a send only if the thread panicked.
        let result = finished.await.unwrap_or(Err(QueueError::ConsumerPanicked));
        drop(stop);
        result
    }

    /// The consumer loop, on its own thread.
    fn serve_here(
        &self,
        server: &Server,
        waiter: &mut poll::Waiter,
        until: Until,
    ) -> Result<(), QueueError> {
        // Taken here, not at `open`: a recorder installed in between is
        // then the one recorded to.
        let queue = self.db.label();
        let result = match &self.group {
            Some(group) => {
                let meters = Meters::new(queue, group, Kind::Group);
                group::serve(self, server, waiter, group, until, &meters)
            }
            None => {
                let meters = Meters::new(queue, &self.worker_id, Kind::Fanout);
                fanout::serve(self, server, waiter, until, &meters)
            }
        };
        match &result {
            Ok(()) => {
                self.probe.set_not_ready("stopped");
                tracing::info!(worker_id = %self.worker_id, "consumer stopped");
            }
            Err(err) => {
                let reason = error_chain(err);
                tracing::error!(worker_id = %self.worker_id, error = %reason, "consumer failed");
                self.probe.set_not_ready(format!("stopped: {reason}"));
            }
        }
        result
    }

    /// Runs a write (`work` commits through [`Conn::write`]) on this
    /// thread: the probe is ready after it succeeds, not ready with the
    /// error if it fails.
    fn write_here<T>(
        &self,
        work: impl FnOnce(&mut Conn<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, QueueError> {
        let result = self.db.run_here(work);
        report(&self.probe, &result, true);
        result
    }

    /// Runs a read on this thread: the probe is not ready with the error
    /// if it fails (a successful read says nothing of writes).
    fn read_here<T>(
        &self,
        work: impl FnOnce(&mut Conn<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, QueueError> {
        let result = self.db.run_here(work);
        report(&self.probe, &result, false);
        result
    }
}

/// The name of a consumer's readiness probe.
fn probe_name(db: &Db, worker_id: &str) -> String {
    format!("sqlite {} worker {worker_id}", db.label())
}

/// Sets `probe` from a statement's `result`: not ready with the error on
/// a failure, ready on a success if it was a write.
fn report<T>(probe: &Probe, result: &Result<T, QueueError>, write: bool) {
    match result {
        Ok(_) if write && !probe.is_ready() => probe.set_ready(),
        Ok(_) => {}
        Err(err) => probe.set_not_ready(error_chain(err)),
    }
}

/// `err` and its sources, `: `-separated (`sqlite error: attempt to write
/// a readonly database`).
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// When a consumer loop returns, besides on shutdown or a halt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    /// Only then: idle, it waits for more tasks.
    Shutdown,
    /// Also the first time it finds nothing left to do.
    Idle,
}

impl ServerTransport for QueueConsumer {
    async fn serve<F>(self, server: Server, shutdown: F) -> Result<(), TransportError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        Ok(self.run(server, shutdown).await?)
    }
}
