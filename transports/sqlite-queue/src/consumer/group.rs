//! Work-queue groups: members with one group name share the tasks, each task
//! to one member at a time, through leases in `group_leases`.
//!
//! A member claims the lowest task above the group's floor that has no lease
//! or whose lease ran out, in one IMMEDIATE transaction, so two members
//! never hold a task at once while its lease holds. When it finishes it
//! marks the lease done (with the failure, if any) and advances the floor
//! past every done task; leases below the floor are deleted. A member that
//! dies leaves its lease to expire; the next claim counts another delivery,
//! and after `max_deliveries` the task is recorded as failed and done.
//! Leases are renewed while a task runs only with
//! [`ConsumerOptions::lease_renewal`](crate::ConsumerOptions::lease_renewal);
//! otherwise the visibility timeout must exceed the longest task.

use std::ops::ControlFlow;
use std::pin::pin;
use std::sync::Arc;
use std::time::Instant;

use rusqlite::{OptionalExtension, Transaction, params};
use switchboard::{Fault, Server};

use super::poll::{Poller, Renewal, Waiter};
use super::task::{self, FailureRow, Outcome, TOO_MANY_DELIVERIES, Task};
use super::{QueueConsumer, Until};
use crate::db::{Conn, duration_ms, now_ms};
use crate::error::QueueError;
use crate::options::FailurePolicy;
use crate::telemetry::{Meters, SEEN_EVERY};

/// Who claims, for how long, how often.
#[derive(Debug, Clone)]
struct Member {
    group: String,
    worker_id: Arc<str>,
    lease_ms: i64,
    max_deliveries: u32,
}

impl Member {
    /// `consumer` as a member of `group`.
    fn of(consumer: &QueueConsumer, group: &str) -> Self {
        Self {
            group: group.to_owned(),
            worker_id: consumer.worker_id.clone(),
            lease_ms: duration_ms(consumer.options.visibility_timeout),
            max_deliveries: consumer.options.max_deliveries,
        }
    }
}

/// What a claim found.
#[derive(Debug)]
enum Claim {
    /// A task to run: `(task, deliveries before this one)`.
    Task(Task, u32),
    /// Nothing to claim now; tasks may be in flight at other members.
    Nothing,
    /// Nothing to claim and nothing in flight: every task is done.
    Idle,
}

/// The group loop, until shutdown, a halt, or (with [`Until::Idle`]) the
/// first claim that finds every task of the group done.
pub(super) fn serve(
    consumer: &QueueConsumer,
    server: &Server,
    waiter: &mut Waiter,
    group: &str,
    until: Until,
    meters: &Meters,
) -> Result<(), QueueError> {
    let (db, options) = (&consumer.db, &consumer.options);
    let member = Member::of(consumer, group);
    consumer.write_here(|conn| register(conn, group))?;
    let mut seen = Instant::now();
    tracing::info!(group, worker_id = %member.worker_id, "group member started");
    let mut poller = Poller::new(options.poll_min, options.poll_max);
    while !waiter.is_stopped() {
        let mut wake = pin!(db.local().wake().notified());
        wake.as_mut().enable();
        // The group's `seen_at` goes with a claim every `SEEN_EVERY`, busy
        // or idle: no transaction of its own.
        let seen_now = (seen.elapsed() >= SEEN_EVERY).then(now_ms);
        let claimed = consumer.write_here(|conn| claim(conn, &member, until, seen_now))?;
        if seen_now.is_some() {
            seen = Instant::now();
        }
        match claimed {
            Claim::Task(task, delivery) => {
                poller.busy();
                let next = work_on(consumer, server, waiter, &member, &task, delivery, meters)?;
                if next.is_break() {
                    break;
                }
            }
            Claim::Idle => {
                tracing::info!(group, worker_id = %member.worker_id, "backlog empty");
                break;
            }
            // Waiting on another member's task polls as when idle: its
            // lease may run out, and then the task is ours to claim.
            Claim::Nothing => poller.idle(wake, waiter),
        }
    }
    Ok(())
}

/// Runs a claimed task and records how it ended; breaks if shutdown
/// interrupted it.
fn work_on(
    consumer: &QueueConsumer,
    server: &Server,
    waiter: &mut Waiter,
    member: &Member,
    task: &Task,
    delivery: u32,
    meters: &Meters,
) -> Result<ControlFlow<()>, QueueError> {
    let task_id = task.id;
    match run(consumer, server, waiter, member, task, delivery, meters) {
        // The lease runs out and another member takes the task.
        Outcome::Interrupted => return Ok(ControlFlow::Break(())),
        Outcome::Done => {
            consumer.write_here(|conn| finish(conn, member, task_id, None, true))?;
        }
        Outcome::Failed { fault, attempts } => {
            let failure = failure_row(member, task, fault, attempts);
            record_failure(consumer, member, failure)?;
        }
    }
    Ok(ControlFlow::Continue(()))
}

/// Runs a claimed task, renewing its lease meanwhile if the options say so.
fn run(
    consumer: &QueueConsumer,
    server: &Server,
    waiter: &mut Waiter,
    member: &Member,
    task: &Task,
    delivery: u32,
    meters: &Meters,
) -> Outcome {
    let options = &consumer.options;
    if options.lease_renewal {
        let lease = options.visibility_timeout;
        waiter.set_renewal(Some(renewal(consumer, member, task.id, lease)));
    }
    let policy = options.failure_policy;
    let outcome = task::run(
        server,
        task,
        &member.worker_id,
        delivery,
        policy,
        waiter,
        meters,
    );
    waiter.set_renewal(None);
    outcome
}

/// Records a failed task as done, so the group passes it; under
/// [`FailurePolicy::Halt`] records only the failure, leaves the task to be
/// claimed again, and halts the member.
fn record_failure(
    consumer: &QueueConsumer,
    member: &Member,
    failure: FailureRow,
) -> Result<(), QueueError> {
    let halt = consumer.options.failure_policy == FailurePolicy::Halt;
    let task_id = failure.task_id;
    consumer.write_here(|conn| finish(conn, member, task_id, Some(&failure), !halt))?;
    if halt {
        return Err(QueueError::Halted {
            task_id,
            code: failure.fault.code().to_owned(),
        });
    }
    Ok(())
}

/// Renews the lease on `task_id` every third of `lease`; the consumer's
/// probe follows how the renewals go.
fn renewal(
    consumer: &QueueConsumer,
    member: &Member,
    task_id: i64,
    lease: std::time::Duration,
) -> Renewal {
    let (consumer, member) = (consumer.clone(), member.clone());
    let renew = move || {
        let until = now_ms().saturating_add(member.lease_ms);
        let renewed = consumer.write_here(|conn| {
            conn.write(|tx| {
                tx.execute(
                    "UPDATE group_leases SET lease_until = ?4
                     WHERE group_name = ?1 AND task_id = ?2 AND worker_id = ?3 AND done = 0",
                    params![member.group, task_id, member.worker_id, until],
                )
            })
        });
        match renewed {
            Ok(1) => tracing::trace!(task_id, "lease renewed"),
            Ok(_) => tracing::warn!(
                task_id,
                "lease lost before renewal: another member may run the task too"
            ),
            Err(err) => tracing::warn!(task_id, error = %err, "lease renewal failed"),
        }
    };
    Renewal {
        every: (lease / 3).max(std::time::Duration::from_millis(1)),
        renew: Box::new(renew),
    }
}

fn failure_row(member: &Member, task: &Task, fault: Fault, attempts: u32) -> FailureRow {
    FailureRow {
        worker_id: member.worker_id.to_string(),
        group: Some(member.group.clone()),
        task_id: task.id,
        method: task.method.clone(),
        fault,
        attempts,
    }
}

/// Registers the group (at task 0 if new) and marks it seen.
fn register(conn: &mut Conn<'_>, group: &str) -> rusqlite::Result<()> {
    conn.write(|tx| {
        tx.execute(
            "INSERT OR IGNORE INTO group_status (group_name, task_id) VALUES (?1, 0)",
            [group],
        )?;
        mark_seen(tx, group, now_ms())
    })
}

/// Sets the group's `seen_at`.
fn mark_seen(tx: &Transaction<'_>, group: &str, now: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE group_status SET seen_at = ?2 WHERE group_name = ?1")?
        .execute(params![group, now])
        .map(drop)
}

/// Claims the next task, and marks the group seen at `seen` if given.
/// With [`Until::Idle`], a claim that finds nothing also says whether the
/// group is idle, in the same transaction, so that no task committed
/// before the claim is missed.
fn claim(
    conn: &mut Conn<'_>,
    member: &Member,
    until: Until,
    seen: Option<i64>,
) -> rusqlite::Result<Claim> {
    conn.write(|tx| {
        if let Some(now) = seen {
            mark_seen(tx, &member.group, now)?;
        }
        claim_tx(tx, member, until)
    })
}

fn claim_tx(tx: &Transaction<'_>, member: &Member, until: Until) -> rusqlite::Result<Claim> {
    match claim_in(tx, member)? {
        Some((task, delivery)) => Ok(Claim::Task(task, delivery)),
        None if until == Until::Idle && is_idle(tx, &member.group)? => Ok(Claim::Idle),
        None => Ok(Claim::Nothing),
    }
}

/// Whether every stored task above the group's floor is done: none left
/// to claim, none in flight at a member.
fn is_idle(tx: &Transaction<'_>, group: &str) -> rusqlite::Result<bool> {
    tx.prepare_cached(
        "SELECT NOT EXISTS (SELECT 1 FROM task_queue t
            WHERE t.id > (SELECT task_id FROM group_status WHERE group_name = ?1)
              AND NOT EXISTS (SELECT 1 FROM group_leases l
                  WHERE l.group_name = ?1 AND l.task_id = t.id AND l.done = 1))",
    )?
    .query_row([group], |row| row.get(0))
}

fn claim_in(tx: &Transaction<'_>, member: &Member) -> rusqlite::Result<Option<(Task, u32)>> {
    let now = now_ms();
    loop {
        let Some((task, deliveries)) = next_claimable(tx, &member.group, now)? else {
            return Ok(None);
        };
        if deliveries >= member.max_deliveries {
            let fault = Fault::new(TOO_MANY_DELIVERIES, "no member finished the task");
            let failure = failure_row(member, &task, fault, deliveries);
            mark_done(tx, member, task.id, Some(&failure))?;
            continue;
        }
        tx.execute(
            "INSERT INTO group_leases
                (group_name, task_id, worker_id, lease_until, attempts, done)
             VALUES (?1, ?2, ?3, ?4, 1, 0)
             ON CONFLICT (group_name, task_id) DO UPDATE SET
                worker_id = excluded.worker_id,
                lease_until = excluded.lease_until,
                attempts = attempts + 1",
            params![
                member.group,
                task.id,
                member.worker_id,
                now.saturating_add(member.lease_ms)
            ],
        )?;
        tracing::debug!(task_id = task.id, deliveries, "task claimed");
        return Ok(Some((task, deliveries)));
    }
}

/// The lowest task above the floor without a live lease, with its
/// delivery count so far.
fn next_claimable(
    tx: &Transaction<'_>,
    group: &str,
    now: i64,
) -> rusqlite::Result<Option<(Task, u32)>> {
    tx.prepare_cached(
        "SELECT t.id, t.data, t.method, t.content_type, t.expires_at, t.caller,
                t.enqueued_at, t.headers, COALESCE(l.attempts, 0)
         FROM task_queue t
         LEFT JOIN group_leases l ON l.group_name = ?1 AND l.task_id = t.id
         WHERE t.id > (SELECT task_id FROM group_status WHERE group_name = ?1)
           AND (l.task_id IS NULL OR (l.done = 0 AND l.lease_until <= ?2))
         ORDER BY t.id LIMIT 1",
    )?
    .query_row(params![group, now], |row| {
        Ok((Task::from_row(row)?, row.get(8)?))
    })
    .optional()
}

/// Records the end of a task: done (or, for a halt, only the failure).
fn finish(
    conn: &mut Conn<'_>,
    member: &Member,
    task_id: i64,
    failure: Option<&FailureRow>,
    done: bool,
) -> rusqlite::Result<()> {
    conn.write(|tx| {
        if done {
            mark_done(tx, member, task_id, failure)
        } else if let Some(failure) = failure {
            failure.insert(tx)
        } else {
            Ok(())
        }
    })
}

/// Marks the lease done, records the failure, advances the floor.
fn mark_done(
    tx: &Transaction<'_>,
    member: &Member,
    task_id: i64,
    failure: Option<&FailureRow>,
) -> rusqlite::Result<()> {
    if let Some(failure) = failure {
        failure.insert(tx)?;
    }
    complete(tx, &member.group, task_id)?;
    Ok(())
}

/// Marks the group's lease on `task_id` done and advances the floor;
/// returns how many leases were marked (0: the group never claimed it).
pub(crate) fn complete(tx: &Transaction<'_>, group: &str, task_id: i64) -> rusqlite::Result<usize> {
    let marked = tx.execute(
        "UPDATE group_leases SET done = 1 WHERE group_name = ?1 AND task_id = ?2",
        params![group, task_id],
    )?;
    // Claims take the lowest free id, so every task below the lowest
    // unfinished lease is done; with none unfinished, all leased ones are.
    tx.execute(
        "UPDATE group_status SET task_id = MAX(task_id, COALESCE(
            (SELECT MIN(task_id) - 1 FROM group_leases WHERE group_name = ?1 AND done = 0),
            (SELECT MAX(task_id) FROM group_leases WHERE group_name = ?1 AND done = 1),
            task_id))
         WHERE group_name = ?1",
        [group],
    )?;
    tx.execute(
        "DELETE FROM group_leases WHERE group_name = ?1 AND done = 1
            AND task_id <= (SELECT task_id FROM group_status WHERE group_name = ?1)",
        [group],
    )?;
    Ok(marked)
}
