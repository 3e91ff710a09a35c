//! [`QueueAdmin`]: operations on a queue file, all safe while producers and
//! consumers run: status, failures, retry and garbage collection.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::db::{Db, now_ms};
use crate::error::QueueError;
use crate::options::QueueOptions;

/// A snapshot of the queue (serializes as the JSON of `switchboard queue
/// status --json`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QueueStatus {
    /// Tasks stored (not yet collected by [`QueueAdmin::gc`]).
    pub tasks: i64,
    /// The highest task id ever assigned (0 if none).
    pub last_task_id: i64,
    /// Every registered fan-out consumer.
    pub consumers: Vec<ConsumerStatus>,
    /// Every registered work-queue group.
    pub groups: Vec<GroupStatus>,
    /// Rows in the failures table.
    pub failures: i64,
}

/// Where one fan-out consumer stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConsumerStatus {
    /// The worker id.
    pub worker_id: String,
    /// The last task id it has passed.
    pub checkpoint: i64,
    /// Stored tasks after the checkpoint (its backlog).
    pub lag: i64,
}

/// Where one work-queue group stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GroupStatus {
    /// The group name.
    pub name: String,
    /// Every task up to this id is done.
    pub floor: i64,
    /// Stored tasks above the floor that are not done (its backlog).
    pub lag: i64,
    /// Tasks claimed under a lease that still holds.
    pub leased: i64,
}

/// One recorded failure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FailureRecord {
    /// The row id.
    pub id: i64,
    /// The consumer or group member that failed it.
    pub worker_id: String,
    /// The group, for group members.
    pub group: Option<String>,
    /// The failed task.
    pub task_id: i64,
    /// The fault code.
    pub faultcode: String,
    /// The fault message.
    pub faultstring: String,
    /// When, in unix milliseconds.
    pub failed_at: i64,
    /// How many times it ran.
    pub attempts: u32,
    /// The task it was re-enqueued as by [`QueueAdmin::retry`], if it was.
    pub retried_as: Option<i64>,
}

/// Administers a queue file.
#[derive(Debug, Clone)]
pub struct QueueAdmin {
    db: Db,
}

impl QueueAdmin {
    /// Opens (creating and migrating if needed) the queue file at `path`.
    ///
    /// # Errors
    /// [`QueueError`] if the file cannot be opened or migrated.
    pub fn open(path: impl AsRef<Path>, options: QueueOptions) -> Result<Self, QueueError> {
        Ok(Self {
            db: Db::open(path.as_ref(), &options)?,
        })
    }

    /// Backlog and lag per consumer and per group, and the failure count.
    ///
    /// # Errors
    /// [`QueueError`] if the file cannot be read.
    pub async fn status(&self) -> Result<QueueStatus, QueueError> {
        self.db.run(|conn| read_status(conn)).await
    }

    /// Every recorded failure, oldest first.
    ///
    /// # Errors
    /// [`QueueError`] if the file cannot be read.
    pub async fn failures(&self) -> Result<Vec<FailureRecord>, QueueError> {
        self.db
            .run(|conn| {
                let mut query = conn.prepare(
                    "SELECT id, worker_id, group_name, task_id, faultcode, faultstring,
                            failed_at, attempts, retried_as
                     FROM failures ORDER BY id",
                )?;
                let rows = query.query_map([], failure_from_row)?;
                rows.collect()
            })
            .await
    }

    /// Re-enqueues the data of the failed task `task_id` as a new task and
    /// returns its id; the task's failures are marked `retried_as` it.
    ///
    /// Only a task with a recorded failure not yet retried is re-enqueued,
    /// so a repeated command does not run the task twice; [`retry_forced`]
    /// re-enqueues any stored task.
    ///
    /// The new task goes to every consumer and group, like any task: a
    /// fan-out consumer that had run the old one without a fault runs it
    /// again. (Resetting one consumer's checkpoint instead would re-run
    /// every task after it.)
    ///
    /// # Errors
    /// [`QueueError::NeverFailed`] or [`QueueError::AlreadyRetried`] for a
    /// task with nothing to retry; [`QueueError::NoSuchTask`] if the task
    /// was collected (`gc` keeps tasks with failures that were not
    /// retried); or another [`QueueError`].
    ///
    /// [`retry_forced`]: Self::retry_forced
    pub async fn retry(&self, task_id: i64) -> Result<i64, QueueError> {
        self.requeue(task_id, false).await
    }

    /// Re-enqueues task `task_id` whether or not it failed (or was retried
    /// before), marking its unretried failures, if any, `retried_as` it.
    ///
    /// # Errors
    /// [`QueueError::NoSuchTask`] if the task was collected, or another
    /// [`QueueError`].
    pub async fn retry_forced(&self, task_id: i64) -> Result<i64, QueueError> {
        self.requeue(task_id, true).await
    }

    async fn requeue(&self, task_id: i64, force: bool) -> Result<i64, QueueError> {
        let outcome = self
            .db
            .run(move |conn| conn.write(|tx| requeue(tx, task_id, force)))
            .await?;
        let new_id = match outcome {
            Requeued::As(new_id) => new_id,
            Requeued::NoTask => return Err(QueueError::NoSuchTask(task_id)),
            Requeued::NeverFailed => return Err(QueueError::NeverFailed(task_id)),
            Requeued::AlreadyRetried(new_id) => {
                return Err(QueueError::AlreadyRetried {
                    task: task_id,
                    retried_as: new_id,
                });
            }
        };
        self.db.local().notify();
        tracing::info!(task_id, new_id, force, "task re-enqueued");
        Ok(new_id)
    }

    /// Passes task `task_id` for the fan-out consumer `worker_id` without
    /// running it: the way past a task a consumer halted on
    /// ([`FailurePolicy::Halt`](crate::FailurePolicy::Halt)). Its failure
    /// stays recorded (and can be retried later).
    ///
    /// # Errors
    /// [`QueueError::NoSuchConsumer`], or [`QueueError::NotNext`] unless
    /// the task is the next stored task after the consumer's checkpoint.
    pub async fn skip(&self, worker_id: &str, task_id: i64) -> Result<(), QueueError> {
        let worker = worker_id.to_owned();
        let outcome = self
            .db
            .run(move |conn| conn.write(|tx| skip_for_consumer(tx, &worker, task_id)))
            .await?;
        match outcome {
            Skipped::Done => {
                tracing::info!(worker_id, task_id, "task skipped");
                Ok(())
            }
            Skipped::NoConsumer => Err(QueueError::NoSuchConsumer(worker_id.to_owned())),
            Skipped::NotNext(checkpoint) => Err(QueueError::NotNext {
                task: task_id,
                consumer: worker_id.to_owned(),
                checkpoint,
            }),
        }
    }

    /// Marks task `task_id` done for the work-queue group `group` without
    /// running it again: the way past a task a member halted on. Its
    /// failure stays recorded.
    ///
    /// # Errors
    /// [`QueueError::NotClaimed`] unless the group claimed the task.
    pub async fn skip_in_group(&self, group: &str, task_id: i64) -> Result<(), QueueError> {
        let name = group.to_owned();
        let marked = self
            .db
            .run(move |conn| conn.write(|tx| crate::consumer::group::complete(tx, &name, task_id)))
            .await?;
        if marked == 0 {
            return Err(QueueError::NotClaimed {
                task: task_id,
                group: group.to_owned(),
            });
        }
        tracing::info!(group, task_id, "task skipped");
        Ok(())
    }

    /// Deletes the tasks every registered consumer and group has passed,
    /// except failed ones not yet retried. Returns how many were deleted.
    /// With no consumer or group registered, nothing is deleted.
    ///
    /// # Errors
    /// [`QueueError`] if the file cannot be written.
    pub async fn gc(&self) -> Result<usize, QueueError> {
        let deleted = self.db.run(|conn| conn.write(collect)).await?;
        tracing::info!(deleted, "queue collected");
        Ok(deleted)
    }
}

fn read_status(conn: &Connection) -> rusqlite::Result<QueueStatus> {
    let count = |sql: &str| conn.query_row(sql, [], |row| row.get::<_, i64>(0));
    let tasks = count("SELECT COUNT(*) FROM task_queue")?;
    let failures = count("SELECT COUNT(*) FROM failures")?;
    let last_task_id =
        count("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'task_queue'")?;
    let consumers = conn
        .prepare(
            "SELECT w.worker_id, w.task_id,
                    (SELECT COUNT(*) FROM task_queue t WHERE t.id > w.task_id)
             FROM worker_status w ORDER BY w.worker_id",
        )?
        .query_map([], |row| {
            Ok(ConsumerStatus {
                worker_id: row.get(0)?,
                checkpoint: row.get(1)?,
                lag: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let groups = conn
        .prepare(
            "SELECT g.group_name, g.task_id,
                (SELECT COUNT(*) FROM task_queue t WHERE t.id > g.task_id AND NOT EXISTS
                    (SELECT 1 FROM group_leases l
                     WHERE l.group_name = g.group_name AND l.task_id = t.id AND l.done = 1)),
                (SELECT COUNT(*) FROM group_leases l
                 WHERE l.group_name = g.group_name AND l.done = 0 AND l.lease_until > ?1)
             FROM group_status g ORDER BY g.group_name",
        )?
        .query_map([now_ms()], |row| {
            Ok(GroupStatus {
                name: row.get(0)?,
                floor: row.get(1)?,
                lag: row.get(2)?,
                leased: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(QueueStatus {
        tasks,
        last_task_id,
        consumers,
        groups,
        failures,
    })
}

fn failure_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<FailureRecord> {
    Ok(FailureRecord {
        id: row.get(0)?,
        worker_id: row.get(1)?,
        group: row.get(2)?,
        task_id: row.get(3)?,
        faultcode: row.get(4)?,
        faultstring: row.get(5)?,
        failed_at: row.get(6)?,
        attempts: row.get(7)?,
        retried_as: row.get(8)?,
    })
}

/// What [`requeue`] did.
enum Requeued {
    /// Re-enqueued as this new task.
    As(i64),
    /// No such task is stored.
    NoTask,
    /// The task has no recorded failure (and the retry was not forced).
    NeverFailed,
    /// Every failure of the task was retried already, last as this task.
    AlreadyRetried(i64),
}

fn requeue(tx: &Transaction<'_>, task_id: i64, force: bool) -> rusqlite::Result<Requeued> {
    let stored = tx
        .query_row("SELECT 1 FROM task_queue WHERE id = ?1", [task_id], |_| {
            Ok(())
        })
        .optional()?;
    if stored.is_none() {
        return Ok(Requeued::NoTask);
    }
    if !force {
        let (pending, last_retry): (i64, Option<i64>) = tx.query_row(
            "SELECT COUNT(*) FILTER (WHERE retried_as IS NULL), MAX(retried_as)
             FROM failures WHERE task_id = ?1",
            [task_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        if pending == 0 {
            return Ok(match last_retry {
                Some(new_id) => Requeued::AlreadyRetried(new_id),
                None => Requeued::NeverFailed,
            });
        }
    }
    let copied = tx.execute(
        "INSERT INTO task_queue
             (data, method, content_type, enqueued_at, expires_at, caller, headers)
         SELECT data, method, content_type, ?2, NULL, caller, headers FROM task_queue
         WHERE id = ?1",
        params![task_id, now_ms()],
    )?;
    if copied == 0 {
        return Ok(Requeued::NoTask);
    }
    let new_id = tx.last_insert_rowid();
    tx.execute(
        "UPDATE failures SET retried_as = ?2 WHERE task_id = ?1 AND retried_as IS NULL",
        params![task_id, new_id],
    )?;
    Ok(Requeued::As(new_id))
}

/// What [`skip_for_consumer`] did.
enum Skipped {
    Done,
    NoConsumer,
    /// Not the next task; the consumer's checkpoint.
    NotNext(i64),
}

fn skip_for_consumer(
    tx: &Transaction<'_>,
    worker_id: &str,
    task_id: i64,
) -> rusqlite::Result<Skipped> {
    let checkpoint: Option<i64> = tx
        .query_row(
            "SELECT task_id FROM worker_status WHERE worker_id = ?1",
            [worker_id],
            |row| row.get(0),
        )
        .optional()?;
    let Some(checkpoint) = checkpoint else {
        return Ok(Skipped::NoConsumer);
    };
    let next: Option<i64> = tx.query_row(
        "SELECT MIN(id) FROM task_queue WHERE id > ?1",
        [checkpoint],
        |row| row.get(0),
    )?;
    if next != Some(task_id) {
        return Ok(Skipped::NotNext(checkpoint));
    }
    tx.execute(
        "UPDATE worker_status SET task_id = ?2 WHERE worker_id = ?1",
        params![worker_id, task_id],
    )?;
    Ok(Skipped::Done)
}

fn collect(tx: &Transaction<'_>) -> rusqlite::Result<usize> {
    // MIN over no rows is NULL, and `id <= NULL` matches nothing.
    let horizon: Option<i64> = tx
        .query_row(
            "SELECT MIN(task_id) FROM
                (SELECT task_id FROM worker_status UNION ALL SELECT task_id FROM group_status)",
            [],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    let deleted = tx.execute(
        "DELETE FROM task_queue WHERE id <= ?1
            AND id NOT IN (SELECT task_id FROM failures WHERE retried_as IS NULL)",
        [horizon],
    )?;
    Ok(deleted)
}
