//! The queue's metrics, recorded through the [`metrics`] facade (a no-op
//! until the process installs a recorder, as the host does).
//!
//! Two kinds:
//!
//! - **Read at scrape time** from the file: the queue's depth, the age of
//!   its oldest task, the tasks ever enqueued, and each fan-out consumer's
//!   and group's lag, checkpoint, last-seen time and failures. Every
//!   process with a producer or a consumer open on the file exports them
//!   (one [`switchboard::telemetry::on_scrape`] hook per file, however
//!   many handles it has), so a consumer that was stopped or killed still
//!   has its lag exported by the others; series of one queue from several
//!   processes differ only in the scraper's `instance` label (aggregate
//!   with `max`). Each scrape is one read transaction with a few index
//!   lookups per consumer and group: its cost does not grow with the
//!   backlog. Task ids are never reused and only `gc` deletes tasks (up
//!   to its horizon, keeping those with failures to retry), so every id
//!   from the lowest stored task that never failed to the newest is
//!   stored: counts there are subtractions, and only the kept failed
//!   tasks below it are counted row by row. It does grow with the
//!   `failures` table, counted per consumer at each scrape through an
//!   index.
//! - **Recorded as it happens**: the pickup latency, one histogram record
//!   per task through a handle cached when the consumer starts.
//!
//! Every metric is labelled [`QUEUE`]: the queue file's canonical path
//! (absolute, symbolic links resolved), the same in every process on one
//! host however each was given the file. Per-consumer metrics add
//! [`CONSUMER`] and [`KIND`].
//!
//! | metric | type | labels | taken |
//! |---|---|---|---|
//! | [`QUEUE_DEPTH`] | gauge | [`QUEUE`] | at scrape |
//! | [`OLDEST_TASK_AGE`] | gauge (s) | [`QUEUE`] | at scrape |
//! | [`ENQUEUED`] | counter | [`QUEUE`] | at scrape |
//! | [`PICKUP`] | histogram (s) | [`QUEUE`], [`CONSUMER`], [`KIND`] | per task started |
//! | [`CONSUMER_LAG_TASKS`] | gauge | [`QUEUE`], [`CONSUMER`], [`KIND`] | at scrape |
//! | [`CONSUMER_LAG_SECONDS`] | gauge (s) | [`QUEUE`], [`CONSUMER`], [`KIND`] | at scrape |
//! | [`CONSUMER_CHECKPOINT`] | gauge | [`QUEUE`], [`CONSUMER`], [`KIND`] | at scrape |
//! | [`CONSUMER_LAST_SEEN`] | gauge (unix s) | [`QUEUE`], [`CONSUMER`], [`KIND`] | at scrape |
//! | [`CONSUMER_FAILURES`] | counter | [`QUEUE`], [`CONSUMER`], [`KIND`] | at scrape |
//!
//! A pickup costs about 90 ns (a wall-clock read and the exporter's
//! histogram record), against a task's 1.5 µs or more; nothing else is
//! recorded per task.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::time::Duration;

use metrics::{Histogram, Label, Unit};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use switchboard::telemetry::{ScrapeHook, on_scrape};

use crate::db::now_ms;

/// Tasks not yet passed by every registered consumer and group: the
/// stored tasks after the lowest fan-out checkpoint or group floor (every
/// stored task when none is registered). Tasks a group finished out of
/// order above its floor still count. Labelled [`QUEUE`].
pub const QUEUE_DEPTH: &str = "switchboard_queue_depth";
/// Age of the oldest task counted in [`QUEUE_DEPTH`], in seconds (0 when
/// the depth is 0). Labelled [`QUEUE`].
pub const OLDEST_TASK_AGE: &str = "switchboard_queue_oldest_task_age_seconds";
/// Tasks ever enqueued in the file: the highest task id assigned, so the
/// same in every process, and retries count as new tasks. Labelled
/// [`QUEUE`].
pub const ENQUEUED: &str = "switchboard_queue_enqueued_total";
/// From a task's enqueue to the moment a consumer starts it (once per
/// delivery, retries in place not counted again), in seconds, to the
/// millisecond (enqueue times are kept in milliseconds). Labelled
/// [`QUEUE`], [`CONSUMER`] and [`KIND`]; recorded by the consumer that
/// starts the task.
pub const PICKUP: &str = "switchboard_queue_pickup_seconds";
/// Stored tasks the consumer has not passed: after its checkpoint for a
/// fan-out consumer, above its floor and not done for a group (the task
/// running now included). Labelled [`QUEUE`], [`CONSUMER`], [`KIND`].
pub const CONSUMER_LAG_TASKS: &str = "switchboard_queue_consumer_lag_tasks";
/// Age of the oldest task counted in [`CONSUMER_LAG_TASKS`], in seconds; 0
/// when caught up. Labelled [`QUEUE`], [`CONSUMER`], [`KIND`].
pub const CONSUMER_LAG_SECONDS: &str = "switchboard_queue_consumer_lag_seconds";
/// A fan-out consumer's checkpoint (the last task id it passed), or a
/// group's floor (every task up to it is done). Labelled [`QUEUE`],
/// [`CONSUMER`], [`KIND`].
pub const CONSUMER_CHECKPOINT: &str = "switchboard_queue_consumer_checkpoint";
/// When the consumer (for a group: any member) last wrote to the file, in
/// unix seconds: each checkpoint commit or claim, and every
/// [`SEEN_EVERY`] while idle. A task running longer than that leaves it
/// older. Absent for a consumer not seen since the file was migrated to
/// schema 3. Labelled [`QUEUE`], [`CONSUMER`], [`KIND`].
pub const CONSUMER_LAST_SEEN: &str = "switchboard_queue_consumer_last_seen_timestamp_seconds";
/// Failures recorded in the `failures` table for the consumer (for a
/// group: by all its members). Labelled [`QUEUE`], [`CONSUMER`], [`KIND`].
pub const CONSUMER_FAILURES: &str = "switchboard_queue_consumer_failures_total";

/// The queue file: its canonical path.
pub const QUEUE: &str = "queue";
/// A fan-out consumer's worker id, or a group's name.
pub const CONSUMER: &str = "consumer";
/// [`FANOUT`] or [`GROUP`]: which of the two [`CONSUMER`] names (fan-out
/// consumers and groups are named apart, and may share a name).
pub const KIND: &str = "kind";
/// The [`KIND`] of a fan-out consumer.
pub const FANOUT: &str = "fanout";
/// The [`KIND`] of a work-queue group.
pub const GROUP: &str = "group";

/// How often an idle consumer writes its `seen_at` (a consumer that works
/// writes it with its checkpoints and claims).
pub const SEEN_EVERY: Duration = Duration::from_secs(5);

/// How long a scrape waits for a lock (a read waits only while another
/// connection recovers the file).
const SCRAPE_BUSY_TIMEOUT: Duration = Duration::from_millis(250);

/// Gives the installed recorder the help text and unit of every metric
/// here, once per process.
pub fn describe() {
    static DESCRIBED: Once = Once::new();
    DESCRIBED.call_once(|| {
        metrics::describe_gauge!(
            QUEUE_DEPTH,
            "Tasks not yet passed by every consumer and group of the queue (after the lowest checkpoint or floor)."
        );
        metrics::describe_gauge!(
            OLDEST_TASK_AGE,
            Unit::Seconds,
            "Age of the oldest task not yet passed by every consumer and group; 0 when there is none."
        );
        metrics::describe_counter!(
            ENQUEUED,
            "Tasks ever enqueued in the queue file (its highest task id)."
        );
        metrics::describe_histogram!(
            PICKUP,
            Unit::Seconds,
            "From a task's enqueue to the start of its handler, per delivery."
        );
        metrics::describe_gauge!(
            CONSUMER_LAG_TASKS,
            "Stored tasks the consumer or group has not passed."
        );
        metrics::describe_gauge!(
            CONSUMER_LAG_SECONDS,
            Unit::Seconds,
            "Age of the oldest task the consumer or group has not passed; 0 when caught up."
        );
        metrics::describe_gauge!(
            CONSUMER_CHECKPOINT,
            "The last task id a fan-out consumer passed, or a group's floor."
        );
        metrics::describe_gauge!(
            CONSUMER_LAST_SEEN,
            Unit::Seconds,
            "When the consumer (or a member of the group) last wrote to the queue file, in unix seconds."
        );
        metrics::describe_counter!(
            CONSUMER_FAILURES,
            "Failures recorded for the consumer or group."
        );
    });
}

/// Whether a position is a fan-out consumer's or a group's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A fan-out consumer: its checkpoint.
    Fanout,
    /// A work-queue group: its floor.
    Group,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Self::Fanout => FANOUT,
            Self::Group => GROUP,
        }
    }
}

/// The labels of one consumer's metrics.
fn consumer_labels(queue: &str, consumer: &str, kind: Kind) -> [Label; 3] {
    [
        Label::new(QUEUE, queue.to_owned()),
        Label::new(CONSUMER, consumer.to_owned()),
        Label::new(KIND, kind.label()),
    ]
}

/// What a consumer records per task: the pickup latency, through a handle
/// taken once.
#[derive(Debug, Clone)]
pub(crate) struct Meters {
    pickup: Histogram,
}

impl Meters {
    /// The meters of `consumer` (a worker id, or a group name) on `queue`.
    /// Take them when the consumer starts, after the recorder is installed:
    /// a handle taken before is a no-op for good.
    pub(crate) fn new(queue: &str, consumer: &str, kind: Kind) -> Self {
        describe();
        Self {
            pickup: metrics::histogram!(PICKUP, consumer_labels(queue, consumer, kind).to_vec()),
        }
    }

    /// Records the start of a task enqueued at `enqueued_at` (unix ms).
    pub(crate) fn picked_up(&self, enqueued_at: i64) {
        let waited_ms = now_ms().saturating_sub(enqueued_at).max(0);
        self.pickup.record(waited_ms as f64 / 1000.0);
    }
}

/// Registers the hook exporting the file at `path`'s metrics under the
/// label `queue` at every scrape, through a connection of its own (opened
/// at the first scrape, reopened after an error), so that a scrape never
/// waits for a consumer's or a producer's connection.
pub(crate) fn watch(path: PathBuf, queue: Arc<str>) -> ScrapeHook {
    describe();
    let conn: Mutex<Option<Connection>> = Mutex::new(None);
    let failing = AtomicBool::new(false);
    on_scrape(move || {
        let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
        let read = match conn.as_mut() {
            Some(conn) => Snapshot::read(conn),
            None => open(&path).and_then(|opened| Snapshot::read(conn.insert(opened))),
        };
        match read {
            Ok(snapshot) => {
                failing.store(false, Ordering::Relaxed);
                snapshot.export(&queue);
            }
            Err(err) => {
                *conn = None;
                // Once per run of failures, not once per scrape.
                if !failing.swap(true, Ordering::Relaxed) {
                    tracing::warn!(queue = %queue, error = %err, "cannot read the queue's metrics");
                }
            }
        }
    })
}

/// The scrape's connection: read-only in effect, and never creating the
/// file (one removed since is an error, not a new empty queue).
fn open(path: &std::path::Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(SCRAPE_BUSY_TIMEOUT)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// Where one fan-out consumer or group stands.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Position {
    /// The worker id or group name.
    pub(crate) name: String,
    pub(crate) kind: Kind,
    /// The checkpoint or floor.
    pub(crate) checkpoint: i64,
    /// Tasks not passed.
    pub(crate) lag: i64,
    /// When the oldest task not passed was enqueued (unix ms).
    pub(crate) oldest_at: Option<i64>,
    /// When it was last seen (unix ms).
    pub(crate) seen_at: Option<i64>,
    /// Failures recorded.
    pub(crate) failures: i64,
}

/// The queue's state, read in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Snapshot {
    /// When it was read (unix ms).
    pub(crate) now: i64,
    /// The highest task id assigned.
    pub(crate) enqueued: i64,
    /// Tasks after the lowest checkpoint or floor.
    pub(crate) depth: i64,
    /// When the oldest of those was enqueued (unix ms).
    pub(crate) oldest_at: Option<i64>,
    /// Every fan-out consumer, then every group, by name.
    pub(crate) positions: Vec<Position>,
}

/// What bounds the task ids, for counting without reading the backlog.
#[derive(Debug, Clone, Copy)]
struct Ids {
    /// The highest stored task id.
    top: Option<i64>,
    /// The lowest stored task with no recorded failure: every id from it
    /// to `top` is stored (see [`count_after`]).
    dense_from: Option<i64>,
}

impl Snapshot {
    /// Reads the queue's state in one read transaction.
    pub(crate) fn read(conn: &mut Connection) -> rusqlite::Result<Self> {
        let tx = conn.transaction()?;
        let now = now_ms();
        let enqueued: i64 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'task_queue'",
            [],
            |row| row.get(0),
        )?;
        let ids = Ids {
            top: tx.query_row("SELECT MAX(id) FROM task_queue", [], |row| row.get(0))?,
            dense_from: tx
                .query_row(
                    "SELECT id FROM task_queue t
                     WHERE NOT EXISTS (SELECT 1 FROM failures f WHERE f.task_id = t.id)
                     ORDER BY id LIMIT 1",
                    [],
                    |row| row.get(0),
                )
                .optional()?,
        };
        let failures = failure_counts(&tx)?;
        let failed = |kind: Kind, name: &str| {
            failures
                .iter()
                .filter(|(group, worker, _)| match kind {
                    Kind::Fanout => group.is_none() && worker == name,
                    Kind::Group => group.as_deref() == Some(name),
                })
                .map(|(_, _, count)| count)
                .sum()
        };
        let mut positions = Vec::new();
        for (name, checkpoint, seen_at) in registered(&tx, "worker_status", "worker_id")? {
            positions.push(Position {
                lag: count_after(&tx, ids, checkpoint)?,
                oldest_at: first_after(&tx, checkpoint)?,
                failures: failed(Kind::Fanout, &name),
                kind: Kind::Fanout,
                name,
                checkpoint,
                seen_at,
            });
        }
        for (name, floor, seen_at) in registered(&tx, "group_status", "group_name")? {
            let done: i64 = tx
                .prepare_cached(
                    "SELECT COUNT(*) FROM group_leases
                     WHERE group_name = ?1 AND task_id > ?2 AND done = 1",
                )?
                .query_row(params![name, floor], |row| row.get(0))?;
            positions.push(Position {
                lag: count_after(&tx, ids, floor)?.saturating_sub(done).max(0),
                oldest_at: first_undone_after(&tx, &name, floor)?,
                failures: failed(Kind::Group, &name),
                kind: Kind::Group,
                name,
                checkpoint: floor,
                seen_at,
            });
        }
        let lowest = positions.iter().map(|p| p.checkpoint).min().unwrap_or(0);
        let depth = count_after(&tx, ids, lowest)?;
        let oldest_at = first_after(&tx, lowest)?;
        tx.finish()?;
        Ok(Self {
            now,
            enqueued,
            depth,
            oldest_at,
            positions,
        })
    }

    /// Sets every metric of the snapshot for `queue`.
    fn export(&self, queue: &str) {
        let age = |at: Option<i64>| {
            at.map_or(0.0, |at| self.now.saturating_sub(at).max(0) as f64 / 1000.0)
        };
        let file = || [Label::new(QUEUE, queue.to_owned())].to_vec();
        metrics::gauge!(QUEUE_DEPTH, file()).set(self.depth as f64);
        metrics::gauge!(OLDEST_TASK_AGE, file()).set(age(self.oldest_at));
        metrics::counter!(ENQUEUED, file()).absolute(non_negative(self.enqueued));
        for position in &self.positions {
            let labels = consumer_labels(queue, &position.name, position.kind).to_vec();
            metrics::gauge!(CONSUMER_LAG_TASKS, labels.clone()).set(position.lag as f64);
            metrics::gauge!(CONSUMER_LAG_SECONDS, labels.clone()).set(age(position.oldest_at));
            metrics::gauge!(CONSUMER_CHECKPOINT, labels.clone()).set(position.checkpoint as f64);
            if let Some(seen_at) = position.seen_at {
                metrics::gauge!(CONSUMER_LAST_SEEN, labels.clone()).set(seen_at as f64 / 1000.0);
            }
            metrics::counter!(CONSUMER_FAILURES, labels).absolute(non_negative(position.failures));
        }
    }
}

fn non_negative(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// `(name, checkpoint, seen_at)` of every row of `table` (`worker_status`
/// or `group_status`, whose name column is `name_column`), by name.
fn registered(
    tx: &rusqlite::Transaction<'_>,
    table: &str,
    name_column: &str,
) -> rusqlite::Result<Vec<(String, i64, Option<i64>)>> {
    tx.prepare(&format!(
        "SELECT {name_column}, task_id, seen_at FROM {table} ORDER BY {name_column}"
    ))?
    .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
    .collect()
}

/// `(group, worker, failures)` for every consumer and member with any.
fn failure_counts(
    tx: &rusqlite::Transaction<'_>,
) -> rusqlite::Result<Vec<(Option<String>, String, i64)>> {
    tx.prepare(
        "SELECT group_name, worker_id, COUNT(*) FROM failures GROUP BY group_name, worker_id",
    )?
    .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
    .collect()
}

/// How many stored tasks come after `after`, without reading them.
///
/// Task ids are never reused (`AUTOINCREMENT`), a rolled-back insert
/// takes no id, and only `gc` deletes tasks: those up to its horizon
/// (the lowest checkpoint or floor then) that have no failure left to
/// retry. So a stored task that never failed lies above every id ever
/// collected, and from the lowest such task (`dense_from`) to the newest
/// every id is stored: that stretch is counted by subtraction. Below it
/// are only tasks with failures (kept by `gc`), counted one by one: as
/// many as the failures not yet retried and collected, usually none.
fn count_after(tx: &rusqlite::Transaction<'_>, ids: Ids, after: i64) -> rusqlite::Result<i64> {
    let Some(top) = ids.top else {
        return Ok(0);
    };
    if after >= top {
        return Ok(0);
    }
    let (sparse_below, dense) = match ids.dense_from {
        Some(from) if after >= from - 1 => return Ok(top - after),
        Some(from) => (from, top - from + 1),
        None => (top.saturating_add(1), 0),
    };
    let sparse: i64 = tx
        .prepare_cached("SELECT COUNT(*) FROM task_queue WHERE id > ?1 AND id < ?2")?
        .query_row(params![after, sparse_below], |row| row.get(0))?;
    // Never more than the ids there are, whatever else deleted rows.
    Ok((sparse + dense).min(top - after))
}

/// When the first stored task after `after` was enqueued (unix ms).
fn first_after(tx: &rusqlite::Transaction<'_>, after: i64) -> rusqlite::Result<Option<i64>> {
    tx.prepare_cached("SELECT enqueued_at FROM task_queue WHERE id > ?1 ORDER BY id LIMIT 1")?
        .query_row([after], |row| row.get(0))
        .optional()
}

/// When the first stored task above `floor` that `group` has not done was
/// enqueued (unix ms). Done tasks above the floor are the few finished
/// out of order.
fn first_undone_after(
    tx: &rusqlite::Transaction<'_>,
    group: &str,
    floor: i64,
) -> rusqlite::Result<Option<i64>> {
    tx.prepare_cached(
        "SELECT t.enqueued_at FROM task_queue t
         WHERE t.id > ?2 AND NOT EXISTS (SELECT 1 FROM group_leases l
             WHERE l.group_name = ?1 AND l.task_id = t.id AND l.done = 1)
         ORDER BY t.id LIMIT 1",
    )?
    .query_row(params![group, floor], |row| row.get(0))
    .optional()
}
