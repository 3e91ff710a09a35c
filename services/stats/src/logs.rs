//! [`LogFailures`]: every failed `compute_stats` task, whether the task
//! could not be read (not JSON, no `sensor`, a value that is not a number,
//! too large) or the computation failed (no data, an unknown sensor, the
//! API refusing the `PUT`), is published on `logs` as the course's worker
//! does: `{"timestamp": ISO 8601, "content": "what went wrong"}`.
//!
//! A listener rather than code in the method, because a task that cannot
//! be decoded never reaches the method: the pipeline fails it first, and
//! listeners see that failure too.

use switchboard::{Event, EventListener, Events, MethodContext, async_trait};

use crate::backend::{Backend, LOGS, WORKER_METHOD};
use crate::model::LogEntry;
use crate::time;

/// Publishes failed `compute_stats` calls on `logs`.
#[derive(Debug, Clone)]
pub struct LogFailures {
    backend: Backend,
}

impl LogFailures {
    /// Publishes on `backend`'s `logs`.
    pub fn new(backend: Backend) -> Self {
        Self { backend }
    }
}

#[async_trait]
impl EventListener for LogFailures {
    /// Failures only: successful calls of every service keep the
    /// pipeline's fastest path.
    fn events(&self) -> Events {
        Events::only(Event::MethodException)
    }

    async fn on_event(&self, event: Event, ctx: &MethodContext) {
        if event != Event::MethodException {
            return;
        }
        let method = ctx
            .method()
            .map(|m| m.name)
            .or(ctx.request().method.as_deref());
        if method != Some(WORKER_METHOD) {
            return;
        }
        let Some(fault) = ctx.in_error().or(ctx.out_error()) else {
            return;
        };
        let entry = LogEntry {
            timestamp: time::now(),
            content: format!(
                "statistics task failed: {} ({})",
                fault.message(),
                fault.code()
            ),
        };
        let Ok(body) = serde_json::to_vec(&entry) else {
            return;
        };
        if let Err(err) = self.backend.publish(LOGS, body).await {
            tracing::error!(error = %err, cause = ?err, content = %entry.content, "log entry not published");
        }
    }
}
