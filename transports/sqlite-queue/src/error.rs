//! [`QueueError`]: why a queue operation failed.

use std::time::Duration;

use switchboard::TransportError;

/// Why a producer, consumer or admin operation on the queue file failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueueError {
    /// Another connection held the lock for longer than the busy budget
    /// ([`QueueOptions::busy_timeout`](crate::QueueOptions::busy_timeout)).
    #[error("database stayed locked for {waited:?}; giving up")]
    Busy {
        /// The busy budget that was spent waiting.
        waited: Duration,
    },
    /// SQLite reported an error.
    #[error("sqlite error")]
    Sqlite(#[source] rusqlite::Error),
    /// The file was written by a newer version of this crate (or its
    /// `user_version` was set negative by something else).
    #[error("queue schema version {found} is not one this build knows (0 to {supported})")]
    SchemaTooNew {
        /// The file's `user_version`.
        found: i64,
        /// The newest version this crate knows.
        supported: i64,
    },
    /// The blocking database task died (it panicked or the runtime shut down).
    #[error("database task failed")]
    Join(#[source] tokio::task::JoinError),
    /// A consumer with [`FailurePolicy::Halt`](crate::FailurePolicy::Halt)
    /// stopped at a failing task (recorded in the failures table).
    #[error("consumer halted at task {task_id} (fault `{code}`)")]
    Halted {
        /// The task that failed.
        task_id: i64,
        /// The fault code it failed with.
        code: String,
    },
    /// The consumer's thread could not be started.
    #[error("could not start the consumer thread")]
    Spawn(#[source] std::io::Error),
    /// The consumer's thread panicked (a bug: task panics are caught and
    /// recorded as `Server` faults).
    #[error("the consumer thread panicked")]
    ConsumerPanicked,
    /// The thread committing an enqueue died before it answered (a bug,
    /// or the runtime shutting down): the tasks may or may not be queued.
    #[error("the enqueue's commit was lost; its tasks may or may not be queued")]
    CommitLost,
    /// No task with this id is left in the queue.
    #[error("no task {0} in the queue")]
    NoSuchTask(i64),
    /// `skip` of a task that is not where the consumer stands: it passed
    /// the task already, or other tasks come before it.
    #[error(
        "task {task} is not the next task of consumer `{consumer}` (its checkpoint is {checkpoint})"
    )]
    NotNext {
        /// The task asked for.
        task: i64,
        /// The fan-out consumer.
        consumer: String,
        /// The last task the consumer passed.
        checkpoint: i64,
    },
    /// `skip` of a task that the group never claimed (only a claimed task,
    /// such as one a member halted on, can be skipped).
    #[error("group `{group}` holds no claim on task {task}")]
    NotClaimed {
        /// The task asked for.
        task: i64,
        /// The group.
        group: String,
    },
    /// No fan-out consumer or group of that name is registered.
    #[error("no consumer or group named `{0}` is registered")]
    NoSuchConsumer(String),
    /// `retry` of a task that has no recorded failure.
    #[error("task {0} has no recorded failure to retry")]
    NeverFailed(i64),
    /// `retry` of a task whose failures were all retried already.
    #[error("task {task}'s failures were already retried, as task {retried_as}")]
    AlreadyRetried {
        /// The task asked for.
        task: i64,
        /// The task its last retry enqueued.
        retried_as: i64,
    },
}

impl QueueError {
    /// Maps a rusqlite error, naming lock timeouts as [`QueueError::Busy`].
    pub(crate) fn from_sqlite(err: rusqlite::Error, budget: Duration) -> Self {
        match err.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                Self::Busy { waited: budget }
            }
            _ => Self::Sqlite(err),
        }
    }
}

impl From<QueueError> for TransportError {
    fn from(err: QueueError) -> Self {
        match err {
            QueueError::Busy { .. } => TransportError::Timeout,
            other => TransportError::Io(Box::new(other)),
        }
    }
}
