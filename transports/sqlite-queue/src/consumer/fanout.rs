//! The fan-out consumer (rpclib's semantics): every consumer reads every
//! task after its own checkpoint, in id order, and commits the checkpoint
//! together with the failures it passed.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use switchboard::Server;

use super::QueueConsumer;
use super::poll::{Poller, Stop};
use super::task::{self, FailureRow, Outcome, Task};
use crate::db::Db;
use crate::error::QueueError;
use crate::options::FailurePolicy;

/// What was passed since the last commit.
#[derive(Debug)]
struct Pending {
    worker_id: String,
    passed: i64,
    committed: i64,
    failures: Vec<FailureRow>,
    since_commit: usize,
}

impl Pending {
    fn pass(&mut self, task_id: i64, failure: Option<FailureRow>) {
        self.passed = task_id;
        self.failures.extend(failure);
        self.since_commit += 1;
    }

    /// Commits the checkpoint and the failures in one transaction.
    async fn flush(&mut self, db: &Db) -> Result<(), QueueError> {
        if self.passed == self.committed && self.failures.is_empty() {
            return Ok(());
        }
        let (worker_id, passed) = (self.worker_id.clone(), self.passed);
        let failures = std::mem::take(&mut self.failures);
        db.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for failure in &failures {
                failure.insert(&tx)?;
            }
            tx.execute(
                "UPDATE worker_status SET task_id = ?2 WHERE worker_id = ?1",
                params![worker_id, passed],
            )?;
            tx.commit()
        })
        .await?;
        tracing::debug!(task_id = passed, "checkpoint advanced");
        self.committed = passed;
        self.since_commit = 0;
        Ok(())
    }
}

/// Registers `worker_id` (at task 0 if new) and returns its checkpoint.
async fn register(db: &Db, worker_id: &str) -> Result<i64, QueueError> {
    let worker_id = worker_id.to_owned();
    db.run(move |conn| {
        conn.execute(
            "INSERT OR IGNORE INTO worker_status (worker_id, task_id) VALUES (?1, 0)",
            [&worker_id],
        )?;
        let checkpoint: Option<i64> = conn
            .query_row(
                "SELECT task_id FROM worker_status WHERE worker_id = ?1",
                [&worker_id],
                |row| row.get(0),
            )
            .optional()?;
        Ok(checkpoint.unwrap_or(0))
    })
    .await
}

/// Up to `limit` tasks after `after`, in id order.
async fn fetch(db: &Db, after: i64, limit: usize) -> Result<Vec<Task>, QueueError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    db.run(move |conn| {
        let mut query = conn.prepare_cached(
            "SELECT id, data, method, content_type, expires_at FROM task_queue
             WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = query.query_map(params![after, limit], Task::from_row)?;
        rows.collect()
    })
    .await
}

/// The fan-out loop, until shutdown or a halt.
pub(super) async fn serve(
    consumer: &QueueConsumer,
    server: &Server,
    stop: &mut Stop,
) -> Result<(), QueueError> {
    let options = &consumer.options;
    let checkpoint = register(&consumer.db, &consumer.worker_id).await?;
    tracing::info!(worker_id = %consumer.worker_id, checkpoint, "fan-out consumer started");
    let mut pending = Pending {
        worker_id: consumer.worker_id.clone(),
        passed: checkpoint,
        committed: checkpoint,
        failures: Vec::new(),
        since_commit: 0,
    };
    let mut poller = Poller::new(options.poll_min, options.poll_max);
    while !stop.is_stopped() {
        let wake = consumer.wake.notified();
        tokio::pin!(wake);
        wake.as_mut().enable();
        let tasks = fetch(&consumer.db, pending.passed, options.chunk_size).await?;
        if tasks.is_empty() {
            pending.flush(&consumer.db).await?;
            poller.idle(wake, stop).await;
            continue;
        }
        poller.busy();
        let result = run_chunk(consumer, server, stop, &mut pending, tasks).await;
        if result.is_err() {
            pending.flush(&consumer.db).await?;
            return result;
        }
    }
    pending.flush(&consumer.db).await
}

async fn run_chunk(
    consumer: &QueueConsumer,
    server: &Server,
    stop: &mut Stop,
    pending: &mut Pending,
    tasks: Vec<Task>,
) -> Result<(), QueueError> {
    let policy = consumer.options.failure_policy;
    for task in tasks {
        if stop.is_stopped() {
            break;
        }
        let (fault, attempts) =
            match task::run(server, &task, &consumer.worker_id, 0, policy, stop).await {
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
                worker_id: consumer.worker_id.clone(),
                group: None,
                task_id: task.id,
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
            pending.flush(&consumer.db).await?;
        }
    }
    Ok(())
}
