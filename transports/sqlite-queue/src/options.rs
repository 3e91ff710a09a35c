//! Settings: [`QueueOptions`] for every connection to the file,
//! [`ConsumerOptions`] for consumers, and the [`FailurePolicy`].

use std::time::Duration;

/// How long a connection waits for a lock before giving up.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the busy handler sleeps between lock attempts.
pub const BUSY_SLEEP: Duration = Duration::from_millis(1);
/// The first poll interval after a task, and the interval while tasks flow.
pub const DEFAULT_POLL_MIN: Duration = Duration::from_millis(1);
/// The longest idle poll interval: the most a task enqueued by another
/// process waits to be picked up by an idle consumer. An idle consumer
/// polling at this interval uses no measurable CPU.
pub const DEFAULT_POLL_MAX: Duration = Duration::from_millis(100);
/// How many tasks a fan-out consumer reads per query.
pub const DEFAULT_CHUNK_SIZE: usize = 256;
/// How long a group member owns a claimed task before others may take it.
pub const DEFAULT_VISIBILITY_TIMEOUT: Duration = Duration::from_secs(30);
/// How many deliveries a group task gets before it is recorded as failed.
pub const DEFAULT_MAX_DELIVERIES: u32 = 5;

/// What `PRAGMA synchronous` the connections use (the file is always in WAL
/// mode).
///
/// - [`Durability::Full`]: every commit is synced to disk; an enqueued task
///   and an advanced checkpoint survive a power loss. Each commit costs an
///   `fsync`.
/// - [`Durability::Normal`] (default): the WAL is synced only at
///   checkpoints; a commit survives a crash of the process, but the last
///   commits before a power loss or OS crash may be lost (the file is never
///   corrupted). Several times faster for small transactions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: survives power loss.
    Full,
    /// `synchronous=NORMAL`: survives a process crash.
    #[default]
    Normal,
}

/// Settings shared by producers, consumers and the admin handle.
#[derive(Debug, Clone)]
pub struct QueueOptions {
    /// `synchronous` mode.
    pub durability: Durability,
    /// The most a statement waits for another connection's lock, in short
    /// constant sleeps of [`BUSY_SLEEP`], before failing with
    /// [`QueueError::Busy`](crate::QueueError::Busy).
    pub busy_timeout: Duration,
}

impl Default for QueueOptions {
    fn default() -> Self {
        Self {
            durability: Durability::Normal,
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
        }
    }
}

impl QueueOptions {
    /// Sets the durability.
    #[must_use]
    pub fn with_durability(mut self, durability: Durability) -> Self {
        self.durability = durability;
        self
    }

    /// Sets the busy budget.
    #[must_use]
    pub fn with_busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }
}

/// What a consumer does with a task whose [`Response`](switchboard::Response)
/// carries a fault.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FailurePolicy {
    /// Record the failure and go on with the next task (default).
    #[default]
    Record,
    /// Run the task again up to `max_attempts` times in all, sleeping
    /// `backoff` times the attempt number in between, then record it.
    Retry {
        /// Attempts in all, the first included (at least 1).
        max_attempts: u32,
        /// The sleep before the second attempt; it grows linearly.
        backoff: Duration,
    },
    /// Record the failure and stop the consumer with
    /// [`QueueError::Halted`](crate::QueueError::Halted); its checkpoint
    /// stays before the task, so a restarted consumer meets it again.
    Halt,
}

/// Settings of one consumer.
#[derive(Debug, Clone)]
pub struct ConsumerOptions {
    /// Connection settings.
    pub queue: QueueOptions,
    /// Tasks read per query.
    pub chunk_size: usize,
    /// Commit the checkpoint after this many tasks (1: after every task, so
    /// a killed consumer redoes at most one task; N: at most N). The
    /// checkpoint is also committed whenever the consumer runs out of tasks
    /// or stops.
    pub checkpoint_every: usize,
    /// The poll interval while tasks flow.
    pub poll_min: Duration,
    /// The longest poll interval when idle (the interval doubles up to it).
    pub poll_max: Duration,
    /// What to do with failing tasks.
    pub failure_policy: FailurePolicy,
    /// Group members: how long a claim lasts.
    pub visibility_timeout: Duration,
    /// Group members: deliveries of one task (claims) before it is recorded
    /// as failed, for tasks whose member died each time.
    pub max_deliveries: u32,
    /// Group members: renew the lease every third of the visibility timeout
    /// while a task runs, so that a task may outlast the timeout while the
    /// timeout still bounds how long a dead member's task waits. A member
    /// that hangs inside a task then keeps the task for as long as it
    /// hangs. Off by default: the lease must outlast the longest task.
    pub lease_renewal: bool,
}

impl Default for ConsumerOptions {
    fn default() -> Self {
        Self {
            queue: QueueOptions::default(),
            chunk_size: DEFAULT_CHUNK_SIZE,
            checkpoint_every: 1,
            poll_min: DEFAULT_POLL_MIN,
            poll_max: DEFAULT_POLL_MAX,
            failure_policy: FailurePolicy::Record,
            visibility_timeout: DEFAULT_VISIBILITY_TIMEOUT,
            max_deliveries: DEFAULT_MAX_DELIVERIES,
            lease_renewal: false,
        }
    }
}

impl ConsumerOptions {
    /// Sets the connection settings.
    #[must_use]
    pub fn with_queue(mut self, queue: QueueOptions) -> Self {
        self.queue = queue;
        self
    }

    /// Sets the checkpoint interval (at least 1).
    #[must_use]
    pub fn with_checkpoint_every(mut self, tasks: usize) -> Self {
        self.checkpoint_every = tasks.max(1);
        self
    }

    /// Sets the chunk size (at least 1).
    #[must_use]
    pub fn with_chunk_size(mut self, tasks: usize) -> Self {
        self.chunk_size = tasks.max(1);
        self
    }

    /// Sets the longest idle poll interval.
    #[must_use]
    pub fn with_poll_max(mut self, poll_max: Duration) -> Self {
        self.poll_max = poll_max;
        self
    }

    /// Sets the failure policy.
    #[must_use]
    pub fn with_failure_policy(mut self, policy: FailurePolicy) -> Self {
        self.failure_policy = policy;
        self
    }

    /// Sets the group visibility timeout.
    #[must_use]
    pub fn with_visibility_timeout(mut self, timeout: Duration) -> Self {
        self.visibility_timeout = timeout;
        self
    }

    /// Sets whether group members renew their lease while a task runs.
    #[must_use]
    pub fn with_lease_renewal(mut self, renew: bool) -> Self {
        self.lease_renewal = renew;
        self
    }

    /// Sets the group delivery limit (at least 1).
    #[must_use]
    pub fn with_max_deliveries(mut self, deliveries: u32) -> Self {
        self.max_deliveries = deliveries.max(1);
        self
    }
}
