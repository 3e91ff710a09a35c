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

mod fanout;
mod group;
mod poll;
mod task;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use switchboard::{Server, ServerTransport, TransportError};

use crate::db::Db;
use crate::error::QueueError;
use crate::options::ConsumerOptions;

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
#[derive(Debug, Clone)]
pub struct QueueConsumer {
    db: Db,
    // Shared with every task's facts, so a task allocates nothing for it.
    worker_id: Arc<str>,
    group: Option<String>,
    options: ConsumerOptions,
}

impl QueueConsumer {
    /// Opens (creating and migrating if needed) the queue file at `path`
    /// for the fan-out consumer `worker_id`. It registers (at task 0 if
    /// new) when it starts serving. Blocks briefly: call it at startup.
    ///
    /// # Errors
    /// [`QueueError`] if the file cannot be opened or migrated.
    pub fn open(
        path: impl AsRef<Path>,
        worker_id: impl Into<String>,
        options: ConsumerOptions,
    ) -> Result<Self, QueueError> {
        let db = Db::open(path.as_ref(), &options.queue)?;
        Ok(Self {
            db,
            worker_id: Arc::from(worker_id.into()),
            group: None,
            options,
        })
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
        let (stop, mut waiter) = poll::stop_signal(shutdown);
        let (done, finished) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            // A NUL byte would make `spawn` panic; the name is only a label.
            .name(format!("queue {}", self.worker_id.replace('\0', "")))
            .spawn(move || {
                let result = self.serve_here(&server, &mut waiter);
                let _ = done.send(result);
            })
            .map_err(QueueError::Spawn)?;
        // The sender is dropped without a send only if the thread panicked.
        let result = finished.await.unwrap_or(Err(QueueError::ConsumerPanicked));
        drop(stop);
        result
    }

    /// The consumer loop, on its own thread.
    fn serve_here(&self, server: &Server, waiter: &mut poll::Waiter) -> Result<(), QueueError> {
        let result = match &self.group {
            Some(group) => group::serve(self, server, waiter, group),
            None => fanout::serve(self, server, waiter),
        };
        match &result {
            Ok(()) => tracing::info!(worker_id = %self.worker_id, "consumer stopped"),
            Err(err) => {
                tracing::error!(worker_id = %self.worker_id, error = %err, "consumer failed")
            }
        }
        result
    }
}

impl ServerTransport for QueueConsumer {
    async fn serve<F>(self, server: Server, shutdown: F) -> Result<(), TransportError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        Ok(self.run(server, shutdown).await?)
    }
}
