//! The raw rusqlite contenders: the same SQL on a file with the same
//! `task_queue` and `worker_status` tables, the same pragmas (WAL, the
//! same `synchronous`) and the same short-sleep busy handler, run
//! synchronously on plain threads, with no pipeline.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use rusqlite::{Connection, TransactionBehavior, params};
use switchboard_sqlite_queue::Durability;
use tokio::runtime::Runtime;

use crate::probe::{self, JSON};
use crate::{BenchResult, Measure, Pace};

/// The two tables the contenders touch, as the queue's schema creates them.
const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS task_queue (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        data BLOB NOT NULL,
        method TEXT NOT NULL CHECK (length(method) > 0),
        content_type TEXT NOT NULL,
        enqueued_at INTEGER NOT NULL,
        expires_at INTEGER NULL
    );
    CREATE TABLE IF NOT EXISTS worker_status (
        worker_id TEXT PRIMARY KEY,
        task_id INTEGER NOT NULL
    );";

const INSERT: &str = "INSERT INTO task_queue (data, method, content_type, enqueued_at, expires_at)
     VALUES (?1, ?2, ?3, ?4, ?5)";
const SELECT: &str = "SELECT id, data, method, content_type, expires_at FROM task_queue
     WHERE id > ?1 ORDER BY id LIMIT ?2";
const CHECKPOINT: &str = "UPDATE worker_status SET task_id = ?2 WHERE worker_id = ?1";

/// A row as the consumer reads it.
type Row = (i64, Vec<u8>, String, String, Option<i64>);

pub(crate) fn open(path: &Path, durability: Durability) -> rusqlite::Result<Connection> {
    let mut conn = Connection::open(path)?;
    conn.busy_handler(Some(|_| {
        thread::sleep(Duration::from_millis(1));
        true
    }))?;
    let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
    let sync = match durability {
        Durability::Full => "FULL",
        _ => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", sync)?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

/// Inserts `n` tasks in one IMMEDIATE transaction, as the producer does.
pub(crate) fn insert(conn: &mut Connection, n: usize) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let now_ms = probe::now_us() / 1000;
    {
        let mut insert = tx.prepare_cached(INSERT)?;
        for _ in 0..n {
            insert.execute(params![probe::body(), "mark", JSON, now_ms, None::<i64>])?;
            std::hint::black_box(tx.last_insert_rowid());
        }
    }
    tx.commit()
}

/// `n` tasks, one transaction each.
pub(crate) fn enqueue_single(
    path: &Path,
    durability: Durability,
    n: usize,
) -> BenchResult<Measure> {
    let mut conn = open(path, durability)?;
    let start = Instant::now();
    for _ in 0..n {
        insert(&mut conn, 1)?;
    }
    Ok(Measure::new(n, start.elapsed()))
}

/// `n` tasks, one transaction each, from `threads` threads at once, each
/// with its own connection.
pub(crate) fn enqueue_concurrent(
    path: &Path,
    durability: Durability,
    n: usize,
    threads: usize,
) -> BenchResult<Measure> {
    drop(open(path, durability)?);
    let start = Instant::now();
    let running: Vec<_> = (0..threads)
        .map(|thread| {
            let path = path.to_path_buf();
            let share = n / threads + usize::from(thread < n % threads);
            thread::spawn(move || {
                let mut conn = open(&path, durability)?;
                for _ in 0..share {
                    insert(&mut conn, 1)?;
                }
                Ok::<_, rusqlite::Error>(())
            })
        })
        .collect();
    for thread in running {
        thread.join().map_err(|_| "a raw producer panicked")??;
    }
    Ok(Measure::new(n, start.elapsed()))
}

/// `n` tasks, `batch` per transaction.
pub(crate) fn enqueue_batch(
    path: &Path,
    durability: Durability,
    n: usize,
    batch: usize,
) -> BenchResult<Measure> {
    let mut conn = open(path, durability)?;
    let start = Instant::now();
    fill(&mut conn, n, batch)?;
    Ok(Measure::new(n, start.elapsed()))
}

fn fill(conn: &mut Connection, n: usize, batch: usize) -> rusqlite::Result<()> {
    let mut left = n;
    while left > 0 {
        let take = left.min(batch);
        insert(conn, take)?;
        left -= take;
    }
    Ok(())
}

/// A fan-out consumer's loop over its own connection.
struct Consumer {
    conn: Connection,
    worker_id: String,
    passed: i64,
    committed: i64,
}

impl Consumer {
    fn new(conn: Connection, worker_id: String) -> rusqlite::Result<Self> {
        conn.execute(
            "INSERT OR IGNORE INTO worker_status (worker_id, task_id) VALUES (?1, 0)",
            [&worker_id],
        )?;
        Ok(Self {
            conn,
            worker_id,
            passed: 0,
            committed: 0,
        })
    }

    fn fetch(&self, chunk: usize) -> rusqlite::Result<Vec<Row>> {
        let mut query = self.conn.prepare_cached(SELECT)?;
        let limit = i64::try_from(chunk).unwrap_or(i64::MAX);
        let rows = query.query_map(params![self.passed, limit], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })?;
        rows.collect()
    }

    fn flush(&mut self) -> rusqlite::Result<()> {
        if self.passed == self.committed {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(CHECKPOINT, params![self.worker_id, self.passed])?;
        tx.commit()?;
        self.committed = self.passed;
        Ok(())
    }

    /// Passes `n` tasks, calling `handle` on each and committing every
    /// `every`; sleeps `poll` when it finds none.
    fn drain(
        &mut self,
        n: usize,
        chunk: usize,
        every: usize,
        poll: Duration,
        handle: impl Fn(&Row),
    ) -> rusqlite::Result<usize> {
        let (mut done, mut since) = (0, 0);
        while done < n {
            let rows = self.fetch(chunk)?;
            if rows.is_empty() {
                self.flush()?;
                thread::sleep(poll);
                continue;
            }
            for row in &rows {
                handle(row);
                self.passed = row.0;
                (done, since) = (done + 1, since + 1);
                if since >= every {
                    self.flush()?;
                    since = 0;
                }
            }
        }
        self.flush()?;
        Ok(done)
    }
}

/// One consumer passes `n` prefilled tasks, reading `chunk` per query and
/// committing its checkpoint every `every` tasks.
pub(crate) fn consume(
    path: &Path,
    durability: Durability,
    n: usize,
    chunk: usize,
    every: usize,
) -> BenchResult<Measure> {
    let mut conn = open(path, durability)?;
    fill(&mut conn, n, 1000)?;
    let mut consumer = Consumer::new(conn, "c0".to_owned())?;
    probe::reset(n);
    let start = Instant::now();
    // The same work per task as ours does in `mark`: read the enqueue
    // time from the body and record the delivery (it did nothing before,
    // so the ratio priced the pipeline and the method against no work).
    let done = consumer.drain(n, chunk, every, Duration::ZERO, |row| {
        probe::record(probe::enqueued_at(&row.1));
    })?;
    Ok(Measure::new(done, start.elapsed()))
}

/// As [`consume`] with a checkpoint per task, but each statement runs on
/// Tokio's blocking pool over a shared connection, as the queue's do:
/// prices the hop apart from the pipeline.
pub(crate) fn consume_hopped(rt: &Runtime, path: &Path, n: usize) -> BenchResult<Measure> {
    let mut conn = open(path, Durability::Normal)?;
    fill(&mut conn, n, 1000)?;
    let consumer = Arc::new(Mutex::new(Consumer::new(conn, "c0".to_owned())?));
    rt.block_on(async {
        let start = Instant::now();
        let mut done = 0;
        while done < n {
            let shared = Arc::clone(&consumer);
            let rows = tokio::task::spawn_blocking(move || lock(&shared).fetch(256)).await??;
            for row in rows {
                let shared = Arc::clone(&consumer);
                tokio::task::spawn_blocking(move || {
                    let mut consumer = lock(&shared);
                    consumer.passed = row.0;
                    consumer.flush()
                })
                .await??;
                done += 1;
            }
        }
        Ok(Measure::new(done, start.elapsed()))
    })
}

fn lock(consumer: &Mutex<Consumer>) -> std::sync::MutexGuard<'_, Consumer> {
    consumer
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `consumers` consumer threads (checkpoint per task, 1 ms poll when empty,
/// 256 per query as the queue's default) while a producer thread inserts
/// `n` tasks one per transaction, paced or flat out.
pub(crate) fn fanout(path: &Path, n: usize, consumers: usize, pace: Pace) -> BenchResult<Measure> {
    let mut producer = open(path, Durability::Normal)?;
    probe::reset(n * consumers);
    let mut running = Vec::new();
    for i in 0..consumers {
        let mut consumer = Consumer::new(open(path, Durability::Normal)?, format!("c{i}"))?;
        running.push(thread::spawn(move || {
            consumer.drain(n, 256, 1, Duration::from_millis(1), |row| {
                probe::record(probe::enqueued_at(&row.1));
            })
        }));
    }
    let start = Instant::now();
    for i in 0..n {
        if let Some(due) = pace.due(start, i) {
            thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        insert(&mut producer, 1)?;
    }
    for consumer in running {
        consumer.join().map_err(|_| "a raw consumer panicked")??;
    }
    let elapsed = start.elapsed();
    Ok(Measure::new(probe::delivered(), elapsed).with_latencies(probe::take_latencies()))
}

/// The producer's connection of the processes case.
pub(crate) fn producer(path: &Path) -> rusqlite::Result<Connection> {
    open(path, Durability::Normal)
}

/// One fan-out consumer of `n` tasks, as a child process of the processes
/// case: the same loop as [`fanout`]'s threads.
pub(crate) fn consume_as_child(path: &Path, worker: &str, n: usize) -> BenchResult<()> {
    let mut consumer = Consumer::new(open(path, Durability::Normal)?, worker.to_owned())?;
    consumer.drain(n, 256, 1, Duration::from_millis(1), |row| {
        probe::record(probe::enqueued_at(&row.1));
    })?;
    Ok(())
}
