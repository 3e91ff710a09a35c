//! [`QueueFacts`]: what a queue consumer knows about the task it runs, read
//! by methods with `ctx.facts::<QueueFacts>()`.

use std::sync::Arc;

use switchboard::Facts;

/// What a queue consumer knows about a task.
///
/// ```
/// use switchboard::{MethodContext, rpc};
/// use switchboard_sqlite_queue::QueueFacts;
///
/// /// Logs which task this is, when run from the queue.
/// #[rpc(service = "audit", one_way)]
/// fn note(ctx: &MethodContext, text: String) {
///     if let Some(task) = ctx.facts::<QueueFacts>() {
///         println!("task {} (attempt {}) on {}: {text}", task.task_id, task.attempt, task.worker_id);
///     }
/// }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct QueueFacts {
    /// The consumer's worker id.
    pub worker_id: Arc<str>,
    /// The task's id in the queue table.
    pub task_id: i64,
    /// How many times this task was delivered before (0 on first delivery).
    pub attempt: u32,
}

impl QueueFacts {
    /// The facts of task `task_id` run by `worker_id`, delivered `attempt`
    /// times before.
    pub fn new(worker_id: Arc<str>, task_id: i64, attempt: u32) -> Self {
        Self {
            worker_id,
            task_id,
            attempt,
        }
    }
}

impl Facts for QueueFacts {
    fn transport(&self) -> &'static str {
        "sqlite"
    }
}
