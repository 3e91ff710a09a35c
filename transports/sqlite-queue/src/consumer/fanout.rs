//! The fan-out consumer (rpclib's semantics): every consumer reads every
//! task after its own checkpoint, in id order, and commits the checkpoint
//! together with the failures it passed.

use std::pin::pin;
use std::time::Instant;

use rusqlite::{OptionalExtension, params};
use switchboard::Server;

use super::poll::{Poller, Waiter};
use super::task::{self, FailureRow, Outcome, Task};
use super::{QueueConsumer, Until};
use crate::db::{Conn, now_ms};
use crate::error::QueueError;
use crate::options::FailurePolicy;
use crate::telemetry::{Meters, SEEN_EVERY};

/// What was passed since the last commit.
#[derive(Debug)]
struct Pending {
    worker_id: String,
    passed: i64,
    committed: i64,
    failures: Vec<FailureRow>,
    since_commit: usize,
    /// When `seen_at` was last written.
    seen: Instant,
}

impl Pending {
    fn pass(&mut self, task_id: i64, failure: Option<FailureRow>) {
        self.passed = task_id;
        self.failures.extend(failure);
        self.since_commit += 1;
    }

    /// Commits the checkpoint (with `seen_at`) and the failures in one
    /// transaction.
    fn flush(&mut self, consumer: &QueueConsumer) -> Result<(), QueueError> {
        if self.passed == self.committed && self.failures.is_empty() {
            return Ok(());
        }
        let (worker_id, passed) = (&self.worker_id, self.passed);
        let failures = &self.failures;
        consumer.write_here(|conn| {
            conn.write(|tx| {
                for failure in failures {
                    failure.insert(tx)?;
                }
                tx.prepare_cached(
                    "UPDATE worker_status SET task_id = ?2, seen_at = ?3 WHERE worker_id = ?1",
                )?
                .execute(params![worker_id, passed, now_ms()])?;
                Ok(())
            })
        })?;
        self.failures.clear();
        tracing::debug!(task_id = passed, "checkpoint advanced");
        self.committed = passed;
        self.since_commit = 0;
        self.seen = Instant::now();
        Ok(())
    }

    /// Writes `seen_at` if [`SEEN_EVERY`] has passed since it was last
    /// written. A failure is not the consumer's end (the next checkpoint
    /// would be): it only makes the consumer not ready, and is tried again
    /// [`SEEN_EVERY`] later.
    fn heartbeat(&mut self, consumer: &QueueConsumer) {
        if self.seen.elapsed() < SEEN_EVERY {
            return;
        }
        self.seen = Instant::now();
        let was_ready = consumer.probe.is_ready();
        let worker_id = &self.worker_id;
        let written = consumer.write_here(|conn| {
            conn.write(|tx| {
                tx.prepare_cached("UPDATE worker_status SET seen_at = ?2 WHERE worker_id = ?1")?
                    .execute(params![worker_id, now_ms()])
            })
        });
        match written {
            Ok(_) => {
                if !was_ready {
                    tracing::info!(worker_id = %worker_id, "the queue file takes writes again");
                }
            }
            Err(err) if was_ready => tracing::warn!(
                worker_id = %worker_id,
                error = %super::error_chain(&err),
                "cannot write to the queue file; not ready"
            ),
            Err(err) => tracing::debug!(error = %err, "the queue file still takes no writes"),
        }
    }
}

/// Registers `worker_id` (at task 0 if new), marks it seen, and returns its
/// checkpoint.
fn register(consumer: &QueueConsumer) -> Result<i64, QueueError> {
    let worker_id = &*consumer.worker_id;
    consumer.write_here(|conn| {
        conn.write(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO worker_status (worker_id, task_id) VALUES (?1, 0)",
                [worker_id],
            )?;
            tx.execute(
                "UPDATE worker_status SET seen_at = ?2 WHERE worker_id = ?1",
                params![worker_id, now_ms()],
            )?;
            let checkpoint: Option<i64> = tx
                .query_row(
                    "SELECT task_id FROM worker_status WHERE worker_id = ?1",
                    [worker_id],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(checkpoint.unwrap_or(0))
        })
    })
}

/// Up to `limit` tasks after `after`, in id order.
fn fetch(conn: &Conn<'_>, after: i64, limit: usize) -> rusqlite::Result<Vec<Task>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut query = conn.prepare_cached(
        "SELECT id, data, method, content_type, expires_at, caller, enqueued_at, headers
         FROM task_queue
         WHERE id > ?1 ORDER BY id LIMIT ?2",
    )?;
    let rows = query.query_map(params![after, limit], Task::from_row)?;
    rows.collect()
}

/// The fan-out loop, until shutdown, a halt, or (with [`Until::Idle`]) the
/// first read that finds no task after the checkpoint.
pub(super) fn serve(
    consumer: &QueueConsumer,
    server: &Server,
    waiter: &mut Waiter,
    until: Until,
    meters: &Meters,
) -> Result<(), QueueError> {
    let options = &consumer.options;
    let db = &consumer.db;
    let checkpoint = register(consumer)?;
    tracing::info!(worker_id = %consumer.worker_id, checkpoint, "fan-out consumer started");
    let mut pending = Pending {
        worker_id: consumer.worker_id.to_string(),
        passed: checkpoint,
        committed: checkpoint,
        failures: Vec::new(),
        since_commit: 0,
        seen: Instant::now(),
    };
    let mut poller = Poller::new(options.poll_min, options.poll_max);
    while !waiter.is_stopped() {
        let mut wake = pin!(db.local().wake().notified());
        wake.as_mut().enable();
        let after = pending.passed;
        let tasks = consumer.read_here(|conn| fetch(conn, after, options.chunk_size))?;
        if tasks.is_empty() {
            pending.flush(consumer)?;
            if until == Until::Idle {
                tracing::info!(worker_id = %consumer.worker_id, checkpoint = pending.passed, "backlog empty");
                return Ok(());
            }
            pending.heartbeat(consumer);
            poller.idle(wake, waiter);
            continue;
        }
        poller.busy();
        let result = run_chunk(consumer, server, waiter, &mut pending, tasks, meters);
        if result.is_err() {
            pending.flush(consumer)?;
            return result;
        }
    }
    pending.flush(consumer)
}

fn run_chunk(
    consumer: &QueueConsumer,
    server: &Server,
    waiter: &mut Waiter,
    pending: &mut Pending,
    tasks: Vec<Task>,
    meters: &Meters,
) -> Result<(), QueueError> {
    let policy = consumer.options.failure_policy;
    for task in tasks {
        if waiter.is_stopped() {
            break;
        }
        let (fault, attempts) = match task::run(
            server,
            &task,
            &consumer.worker_id,
            0,
            policy,
            waiter,
            meters,
        ) {
            Outcome::Done => {
                pending.pass(task.id, None);
                (None, 0)
            }
            Outcome::Interrupted => break,
            Outcome::Failed { fault, attempts } => (Some(fault), attempts),
        };
        if let Some(fault) = fault {
            let code = fault.code().to_owned();
            let failure = FailureRow {
                worker_id: consumer.worker_id.to_string(),
                group: None,
                task_id: task.id,
                method: task.method.clone(),
                fault,
                attempts,
            };
            if policy == FailurePolicy::Halt {
                // Recorded, but not passed: a restarted consumer meets it again.
                pending.failures.push(failure);
                return Err(QueueError::Halted {
                    task_id: task.id,
                    code,
                });
            }
            pending.pass(task.id, Some(failure));
        }
        if pending.since_commit >= consumer.options.checkpoint_every {
            pending.flush(consumer)?;
        }
    }
    Ok(())
}
