//! Group commit: enqueues that cannot commit on the caller's thread queue
//! up in a [`Lane`], and one blocking-pool thread commits everything queued
//! so far in one transaction. Under concurrency many callers share one
//! commit (one `fsync` under `synchronous=FULL`), while each caller still
//! gets all of its batch or none of it, and its own error.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;

use super::{Row, insert_all};
use crate::db::Db;
use crate::error::QueueError;

/// What a caller gets back: the ids of its tasks, in order.
type Outcome = Result<Vec<i64>, QueueError>;

/// One caller's batch, waiting for the next commit.
#[derive(Debug)]
struct Job {
    tasks: Vec<Row>,
    done: oneshot::Sender<Outcome>,
}

#[derive(Debug, Default)]
struct State {
    jobs: Vec<Job>,
    /// Whether a pool thread is committing; it takes every job queued
    /// before it finds the queue empty.
    flushing: bool,
}

/// The queue of batches waiting for a commit; one per producer connection.
#[derive(Debug, Default)]
pub(super) struct Lane {
    state: Mutex<State>,
}

impl Lane {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `tasks` for the next commit and waits for it. Dropping the
    /// future does not withdraw them.
    pub(super) async fn submit(self: &Arc<Self>, db: &Db, tasks: Vec<Row>) -> Outcome {
        let (done, outcome) = oneshot::channel();
        let start = {
            let mut state = self.state();
            state.jobs.push(Job { tasks, done });
            !std::mem::replace(&mut state.flushing, true)
        };
        if start {
            let flushing = Flushing {
                lane: Arc::clone(self),
                armed: true,
            };
            let db = db.clone();
            // Detached: it answers through the channels.
            drop(tokio::task::spawn_blocking(move || flushing.run(&db)));
        }
        // A sender is dropped unanswered only if the flush died.
        outcome.await.unwrap_or(Err(QueueError::CommitLost))
    }

    /// Commits queued jobs until none is left.
    fn flush(&self, db: &Db) {
        loop {
            let jobs = {
                let mut state = self.state();
                if state.jobs.is_empty() {
                    state.flushing = false;
                    return;
                }
                std::mem::take(&mut state.jobs)
            };
            commit(db, jobs);
            db.local().notify();
        }
    }
}

/// The right to flush a lane. If it is dropped without finishing (the
/// flush panicked, or the runtime dropped it unrun), the lane is reset so
/// that the next caller starts a new flush, and the jobs it held are
/// answered with [`QueueError::CommitLost`].
struct Flushing {
    lane: Arc<Lane>,
    armed: bool,
}

impl Flushing {
    fn run(mut self, db: &Db) {
        self.lane.flush(db);
        self.armed = false;
    }
}

impl Drop for Flushing {
    fn drop(&mut self) {
        if self.armed {
            let mut state = self.lane.state();
            state.flushing = false;
            state.jobs.clear();
        }
    }
}

/// Commits `jobs` in one transaction. If any insert fails, that
/// transaction is rolled back and each job is tried alone, so that every
/// caller gets its own outcome. (Savepoints per job would say the same in
/// one transaction, but make SQLite copy every page it touches into a
/// statement journal: a third slower on the common path, to speed up a
/// rare one.)
fn commit(db: &Db, jobs: Vec<Job>) {
    let together = db.run_here(|conn| {
        conn.write(|tx| {
            jobs.iter()
                .map(|job| insert_all(tx, &job.tasks))
                .collect::<rusqlite::Result<Vec<_>>>()
        })
    });
    let mut jobs = jobs;
    match together {
        Ok(outcomes) => {
            for (job, ids) in jobs.into_iter().zip(outcomes) {
                let _ = job.done.send(Ok(ids));
            }
        }
        // Waiting longer would only fail again: everyone gets the timeout.
        Err(QueueError::Busy { waited }) => {
            for job in jobs {
                let _ = job.done.send(Err(QueueError::Busy { waited }));
            }
        }
        Err(err) if jobs.len() == 1 => {
            if let Some(job) = jobs.pop() {
                let _ = job.done.send(Err(err));
            }
        }
        Err(_) => {
            for job in jobs {
                let outcome = db.run_here(|conn| conn.write(|tx| insert_all(tx, &job.tasks)));
                let _ = job.done.send(outcome);
            }
        }
    }
}
