//! The `consume --drain` progress display on standard error: one line
//! rewritten in place on a terminal, plain lines (at most one a second)
//! otherwise, and a final line either way.
//!
//! Progress is read from the queue's status, not counted in the pipeline:
//! done = tasks enqueued since the drain started + the backlog then − the
//! backlog now. It is only shown: when to stop is the consumer's own
//! decision ([`QueueConsumer::run_until_idle`](switchboard_sqlite_queue::QueueConsumer::run_until_idle)).

use std::convert::Infallible;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use switchboard_sqlite_queue::{QueueAdmin, QueueStatus};

/// How often the progress display reads the queue's status.
const POLL: Duration = Duration::from_millis(50);
/// The least time between two plain (non-terminal) progress lines.
const PLAIN_EVERY: Duration = Duration::from_secs(1);

/// Whose backlog a drain watches.
#[derive(Debug, Clone)]
pub(super) enum Watched {
    /// A fan-out consumer, by worker id.
    Consumer(String),
    /// A work-queue group, by name.
    Group(String),
}

impl Watched {
    /// The backlog in `status`, or `None` before the consumer registered.
    fn backlog(&self, status: &QueueStatus) -> Option<i64> {
        match self {
            Self::Consumer(id) => status
                .consumers
                .iter()
                .find(|c| &c.worker_id == id)
                .map(|c| c.lag),
            Self::Group(name) => status
                .groups
                .iter()
                .find(|g| &g.name == name)
                .map(|g| g.lag),
        }
    }
}

/// The progress seen so far.
#[derive(Debug)]
pub(super) struct Meter {
    watched: Watched,
    terminal: bool,
    /// `(backlog, last task id)` when the drain began.
    start: Option<(i64, i64)>,
    shown: Option<(i64, i64)>,
    shown_at: Option<Instant>,
}

impl Meter {
    /// A meter for `watched`, writing in place if standard error is a terminal.
    pub(super) fn new(watched: Watched) -> Self {
        Self {
            watched,
            terminal: std::io::stderr().is_terminal(),
            start: None,
            shown: None,
            shown_at: None,
        }
    }

    /// Takes the baseline from `status`, read before the consumer starts:
    /// an unregistered consumer or group will start at task 0, so its
    /// backlog is every stored task.
    pub(super) fn begin(&mut self, status: &QueueStatus) {
        let backlog = self.watched.backlog(status).unwrap_or(status.tasks);
        self.start = Some((backlog, status.last_task_id));
    }

    /// `(done, backlog)` per `status`, once the consumer is registered.
    fn measure(&mut self, status: &QueueStatus) -> Option<(i64, i64)> {
        let backlog = self.watched.backlog(status)?;
        let (backlog0, last0) = *self.start.get_or_insert((backlog, status.last_task_id));
        let done = (status.last_task_id - last0 + backlog0 - backlog).max(0);
        Some((done, backlog))
    }

    /// Shows progress if it changed.
    fn observe(&mut self, status: &QueueStatus) {
        let Some(now) = self.measure(status) else {
            return;
        };
        let due = self.terminal || self.shown_at.is_none_or(|at| at.elapsed() >= PLAIN_EVERY);
        if self.shown != Some(now) && due {
            self.show(now, false);
        }
    }

    /// Shows the last state and ends the line.
    pub(super) fn finish(&mut self, status: Option<&QueueStatus>) {
        let now = status.and_then(|s| self.measure(s)).or(self.shown);
        if let Some(now) = now {
            self.show(now, true);
        }
    }

    fn show(&mut self, (done, backlog): (i64, i64), last: bool) {
        let total = done + backlog;
        let line = format!("drain: {done}/{total} tasks done, backlog {backlog}");
        let mut err = std::io::stderr().lock();
        // Progress is best effort: a closed stderr must not stop the consumer.
        let _ = match (self.terminal, last) {
            (true, false) => write!(err, "\r\x1b[2K{line}"),
            (true, true) => writeln!(err, "\r\x1b[2K{line}"),
            (false, _) if last && self.shown == Some((done, backlog)) => Ok(()),
            (false, _) => writeln!(err, "{line}"),
        };
        let _ = err.flush();
        self.shown = Some((done, backlog));
        self.shown_at = Some(Instant::now());
    }
}

/// Updates `meter` from the queue's status until dropped: the caller
/// drops it once the consumer returns. A failed status read is logged and
/// retried at the next poll.
pub(super) async fn watch(admin: &QueueAdmin, meter: &mut Meter) -> Infallible {
    loop {
        match admin.status().await {
            Ok(status) => meter.observe(&status),
            Err(err) => tracing::warn!(error = %err, "cannot read the queue status; retrying"),
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use switchboard_sqlite_queue::ConsumerStatus;

    use super::*;

    fn status(last_task_id: i64, lag: Option<i64>) -> QueueStatus {
        QueueStatus {
            tasks: last_task_id,
            last_task_id,
            consumers: lag
                .map(|lag| ConsumerStatus {
                    worker_id: "w".to_owned(),
                    checkpoint: last_task_id - lag,
                    lag,
                })
                .into_iter()
                .collect(),
            groups: Vec::new(),
            failures: 0,
        }
    }

    #[test]
    fn done_counts_from_the_baseline_and_tasks_enqueued_during_the_drain() {
        let mut meter = Meter::new(Watched::Consumer("w".to_owned()));
        meter.begin(&status(6, None));
        assert_eq!(meter.measure(&status(6, None)), None);
        assert_eq!(meter.measure(&status(6, Some(4))), Some((2, 4)));
        assert_eq!(meter.measure(&status(6, Some(1))), Some((5, 1)));
        assert_eq!(meter.measure(&status(8, Some(2))), Some((6, 2)));
        assert_eq!(meter.measure(&status(8, Some(0))), Some((8, 0)));
    }
}
