//! Real processes for the crash-safety and soak tests.
//!
//! There is no separate binary: the test binary re-executes itself
//! ([`Proc::spawn`]) with `SBQ_CHILD` set and the arguments
//! `child_entry --exact --nocapture --test-threads=1`, so the harness runs
//! only the `child_entry` test, which calls [`child_entry`]. In the parent
//! `SBQ_CHILD` is unset and `child_entry` returns at once.
//!
//! Child modes (`SBQ_CHILD`):
//!
//! | mode | what it does | env |
//! |---|---|---|
//! | `consumer` | runs a [`QueueConsumer`] with the `crashtest` service until SIGTERM (graceful) or, with `SBQ_DRAIN_TO`, until its backlog is empty and that task id exists | `SBQ_QUEUE`, `SBQ_RESULTS`, `SBQ_WORKER`, `SBQ_GROUP`, `SBQ_VISIBILITY_MS`, `SBQ_DRAIN_TO` |
//! | `producer-batch` | builds `SBQ_BATCH` tasks, prints `SBQ_READY`, enqueues them in one `enqueue_batch`, prints `SBQ_DONE` | `SBQ_QUEUE`, `SBQ_BATCH` |
//! | `producer-stream` | enqueues through the typed client, single enqueues and small batches until SIGTERM, then prints `SBQ_ENQUEUED n` | `SBQ_QUEUE`, `SBQ_SEED` |
//!
//! Every child prints `SBQ_READY` once its signal handler is installed and
//! its queue handles are open. A child whose call returns an error prints
//! it to stderr and exits with [`CHILD_FAILED`].
//!
//! The `crashtest.record(task)` method records each execution in a
//! separate results file (its own WAL connection per process, busy
//! timeout): worker id, queue task id, delivery attempt, argument, pid, a
//! lower bound of the claim time (`floor_ns`), start and end (unix ns).

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};
use switchboard::{Application, Client, MethodContext, Server, State, rpc};
use switchboard_json::JsonDocument;
use switchboard_sqlite_queue::QueueFacts;
use switchboard_sqlite_queue::{
    ConsumerOptions, NewTask, QueueAdmin, QueueConsumer, QueueOptions, QueueProducer, QueueStatus,
};
use tokio::signal::unix::{SignalKind, signal};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;
type ChildResult = Result<(), Box<dyn std::error::Error>>;

/// The JSON document protocol's content type.
pub const JSON: &str = "application/json";
/// The exit code of a child whose call returned an error.
pub const CHILD_FAILED: i32 = 17;
/// The exit code of a child that could not record an execution.
pub const RECORD_FAILED: i32 = 18;
/// The line a child prints once it is ready.
pub const READY: &str = "SBQ_READY";

// ---------------------------------------------------------------------------
// The recorded service (runs in the children)
// ---------------------------------------------------------------------------

/// The results file of one child process.
struct Recording {
    conn: Mutex<Connection>,
    /// The end of this process's previous execution (its start time before
    /// the first): a lower bound of the time the next task was claimed.
    floor_ns: Mutex<i64>,
}

/// Records one execution of `task` in the results file.
#[rpc(service = "crashtest", one_way)]
async fn record(recording: State<Recording>, ctx: &MethodContext, task: i64) {
    let start_ns = now_ns();
    let Some(facts) = ctx.facts::<QueueFacts>() else {
        eprintln!("record: not called by a queue consumer");
        std::process::exit(RECORD_FAILED);
    };
    let mut floor = recording
        .floor_ns
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let conn = recording
        .conn
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let end_ns = now_ns();
    let inserted = conn.execute(
        "INSERT INTO executions
            (worker, task, attempt, arg, pid, floor_ns, start_ns, end_ns)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            facts.worker_id,
            facts.task_id,
            facts.attempt,
            task,
            std::process::id(),
            *floor,
            start_ns,
            end_ns
        ],
    );
    if let Err(err) = inserted {
        eprintln!("record: cannot write the results file: {err}");
        std::process::exit(RECORD_FAILED);
    }
    *floor = now_ns();
}

/// Unix time in nanoseconds (the queue's leases use the same clock, in ms).
pub fn now_ns() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_nanos()).unwrap_or(i64::MAX)
}

/// Creates the results file (WAL) and its table; the parent calls it before
/// it spawns children.
pub fn results_db(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(30))?;
    let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS executions (
            id INTEGER PRIMARY KEY,
            worker TEXT NOT NULL,
            task INTEGER NOT NULL,
            attempt INTEGER NOT NULL,
            arg INTEGER NOT NULL,
            pid INTEGER NOT NULL,
            floor_ns INTEGER NOT NULL,
            start_ns INTEGER NOT NULL,
            end_ns INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS executions_pid ON executions (pid);",
    )?;
    Ok(conn)
}

/// One recorded execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    pub worker: String,
    pub task: i64,
    pub attempt: i64,
    pub arg: i64,
    pub pid: u32,
    pub floor_ns: i64,
    pub start_ns: i64,
    pub end_ns: i64,
}

/// Every execution, in the order they were recorded.
pub fn executions(conn: &Connection) -> rusqlite::Result<Vec<Execution>> {
    let mut query = conn.prepare(
        "SELECT worker, task, attempt, arg, pid, floor_ns, start_ns, end_ns
         FROM executions ORDER BY id",
    )?;
    let rows = query.query_map([], |row| {
        Ok(Execution {
            worker: row.get(0)?,
            task: row.get(1)?,
            attempt: row.get(2)?,
            arg: row.get(3)?,
            pid: row.get(4)?,
            floor_ns: row.get(5)?,
            start_ns: row.get(6)?,
            end_ns: row.get(7)?,
        })
    })?;
    rows.collect()
}

/// How many executions process `pid` recorded.
pub fn executions_of(conn: &Connection, pid: u32) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COUNT(*) FROM executions WHERE pid = ?1",
        [pid],
        |row| row.get(0),
    )
}

/// How many executions were recorded in all.
pub fn execution_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT COUNT(*) FROM executions", [], |row| row.get(0))
}

// ---------------------------------------------------------------------------
// Child modes
// ---------------------------------------------------------------------------

/// The body of each test binary's `child_entry` test: runs the child mode
/// named by `SBQ_CHILD`, or returns at once when it is unset.
pub fn child_entry() {
    let Ok(mode) = std::env::var("SBQ_CHILD") else {
        return;
    };
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Into::into)
        .and_then(|runtime| {
            runtime.block_on(async {
                match mode.as_str() {
                    "consumer" => consumer_child().await,
                    "producer-batch" => producer_batch_child().await,
                    "producer-stream" => producer_stream_child().await,
                    other => Err(format!("unknown child mode `{other}`").into()),
                }
            })
        });
    if let Err(err) = result {
        fail_child(&mode, &*err);
    }
}

fn fail_child(mode: &str, err: &dyn std::error::Error) -> ! {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    eprintln!(
        "child {mode} (pid {}) failed: {message}",
        std::process::id()
    );
    std::process::exit(CHILD_FAILED);
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

fn env_opt<T: std::str::FromStr>(name: &str) -> Result<Option<T>, String> {
    match std::env::var(name) {
        Err(_) => Ok(None),
        Ok(text) => text
            .parse()
            .map(Some)
            .map_err(|_| format!("{name}={text} does not parse")),
    }
}

fn ready() {
    use std::io::Write;
    println!("{READY}");
    let _ = std::io::stdout().flush();
}

async fn consumer_child() -> ChildResult {
    let started_ns = now_ns();
    let queue = PathBuf::from(env("SBQ_QUEUE")?);
    let results = PathBuf::from(env("SBQ_RESULTS")?);
    let worker = env("SBQ_WORKER")?;
    let group: Option<String> = env_opt("SBQ_GROUP")?;
    let drain_to: Option<i64> = env_opt("SBQ_DRAIN_TO")?;
    let visibility: Option<u64> = env_opt("SBQ_VISIBILITY_MS")?;
    // Before anything else: a SIGTERM from now on is a graceful stop.
    let mut terminate = signal(SignalKind::terminate())?;

    let conn = Connection::open(&results)?;
    conn.busy_timeout(Duration::from_secs(30))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let recording = Recording {
        conn: Mutex::new(conn),
        floor_ns: Mutex::new(started_ns),
    };
    let app = Application::builder()
        .services(["crashtest"])
        .state(recording)
        .build()?;
    let server = Server::new(app, JsonDocument);

    let mut options = ConsumerOptions::default().with_poll_max(Duration::from_millis(50));
    if let Some(ms) = visibility {
        // More deliveries than any test kills members: a task is never
        // given up as `TooManyDeliveries`, so each must be executed.
        options = options
            .with_visibility_timeout(Duration::from_millis(ms))
            .with_max_deliveries(1_000);
    }
    let mut consumer = QueueConsumer::open(&queue, worker.clone(), options)?;
    if let Some(group) = &group {
        consumer = consumer.with_group(group.clone());
    }
    let admin = QueueAdmin::open(&queue, QueueOptions::default())?;
    let drained = async move {
        let Some(last) = drain_to else {
            return std::future::pending().await;
        };
        loop {
            match admin.status().await {
                Ok(status) if is_drained(&status, &worker, group.as_deref(), last) => return,
                Ok(_) => {}
                Err(err) => fail_child("consumer (drain watch)", &err),
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    let shutdown = async move {
        tokio::select! {
            _ = terminate.recv() => {}
            () = drained => {}
        }
    };
    ready();
    consumer.run(server, shutdown).await?;
    Ok(())
}

/// Whether consumer `worker` (or its group) has passed every task up to
/// `last`, and task `last` exists.
pub fn is_drained(status: &QueueStatus, worker: &str, group: Option<&str>, last: i64) -> bool {
    if status.last_task_id < last {
        return false;
    }
    match group {
        Some(group) => status
            .groups
            .iter()
            .any(|g| g.name == group && g.lag == 0 && g.floor >= last),
        None => status
            .consumers
            .iter()
            .any(|c| c.worker_id == worker && c.lag == 0 && c.checkpoint >= last),
    }
}

async fn producer_batch_child() -> ChildResult {
    let queue = PathBuf::from(env("SBQ_QUEUE")?);
    let size: i64 = env_opt("SBQ_BATCH")?.ok_or("SBQ_BATCH is not set")?;
    let producer = QueueProducer::open(&queue, QueueOptions::default())?;
    let tasks: Vec<NewTask> = (0..size).map(record_task).collect();
    ready();
    producer.enqueue_batch(tasks).await?;
    println!("SBQ_DONE");
    Ok(())
}

async fn producer_stream_child() -> ChildResult {
    let queue = PathBuf::from(env("SBQ_QUEUE")?);
    let mut rng = Rng::new(env_opt("SBQ_SEED")?.unwrap_or(1));
    let mut terminate = signal(SignalKind::terminate())?;
    let producer = QueueProducer::open(&queue, QueueOptions::default())?;
    let client = Client::new(Arc::new(producer.clone()), Arc::new(JsonDocument));
    // The argument of task n (ids from 1 in a fresh file) is n - 1.
    let mut next: i64 = 0;
    ready();
    loop {
        match rng.below(3) {
            0 => {
                client.call(Record { task: next }).await?;
                next += 1;
            }
            1 => {
                let task = record_task(next);
                producer
                    .enqueue(&task.method, &task.content_type, task.data, None)
                    .await?;
                next += 1;
            }
            _ => {
                let size = rng.range(2, 10);
                producer
                    .enqueue_batch((next..next + size).map(record_task))
                    .await?;
                next += size;
            }
        }
        let pause = Duration::from_millis(rng.below(20));
        tokio::select! {
            _ = terminate.recv() => break,
            () = tokio::time::sleep(pause) => {}
        }
    }
    println!("SBQ_ENQUEUED {next}");
    Ok(())
}

/// A `record(task)` call for the JSON document protocol (bare params).
pub fn record_task(task: i64) -> NewTask {
    NewTask {
        method: "record".into(),
        content_type: JSON.into(),
        data: format!(r#"{{"task":{task}}}"#).into_bytes(),
        expires_at: None,
    }
}

/// Enqueues `record(i)` for every `i` in `args`, `batch` per transaction.
pub async fn enqueue_records(
    producer: &QueueProducer,
    args: std::ops::Range<i64>,
    batch: i64,
) -> Result<(), switchboard_sqlite_queue::QueueError> {
    let mut start = args.start;
    while start < args.end {
        let end = (start + batch).min(args.end);
        producer
            .enqueue_batch((start..end).map(record_task))
            .await?;
        start = end;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Parent side
// ---------------------------------------------------------------------------

/// A child process of the test binary; killed (SIGKILL) when dropped while
/// it still runs, so a failing test leaves nothing behind.
#[derive(Debug)]
pub struct Proc {
    pub name: String,
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Proc {
    /// Starts the test binary in child mode `mode` with `envs`, and waits
    /// (30 s at most) until it prints [`READY`].
    pub fn spawn(name: &str, mode: &str, envs: &[(&str, String)]) -> std::io::Result<Self> {
        let mut command = Command::new(std::env::current_exe()?);
        command
            .args(["child_entry", "--exact", "--nocapture", "--test-threads=1"])
            .env("SBQ_CHILD", mode)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (key, value) in envs {
            command.env(key, value);
        }
        let mut child = command.spawn()?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            // Reads to the end even when nobody listens any more, so the
            // child never blocks on a full pipe.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let proc = Self {
            name: name.to_owned(),
            child,
            lines,
        };
        proc.wait_line(READY, Duration::from_secs(30))?;
        Ok(proc)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for a stdout line containing `prefix` and returns it from
    /// `prefix` on.
    pub fn wait_line(&self, prefix: &str, timeout: Duration) -> std::io::Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    // The harness may have begun the line (`test child_entry ... `).
                    if let Some(at) = line.find(prefix) {
                        return Ok(line[at..].to_owned());
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(std::io::Error::other(format!(
                        "{}: no `{prefix}` line within {timeout:?}",
                        self.name
                    )));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(std::io::Error::other(format!(
                        "{}: exited before printing `{prefix}`",
                        self.name
                    )));
                }
            }
        }
    }

    /// Whether the process has exited (and how).
    pub fn try_wait(&mut self) -> std::io::Result<Option<ExitStatus>> {
        self.child.try_wait()
    }

    /// SIGKILL, then reaps the process.
    pub fn kill(&mut self) -> std::io::Result<ExitStatus> {
        self.child.kill()?;
        self.child.wait()
    }

    /// SIGTERM (a graceful stop).
    pub fn terminate(&self) -> std::io::Result<()> {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()?;
        if status.success() {
            Ok(())
        } else {
            Err(std::io::Error::other(format!(
                "kill -TERM {} failed",
                self.pid()
            )))
        }
    }

    /// Waits for the process to exit, `timeout` at most.
    pub fn wait_timeout(&mut self, timeout: Duration) -> std::io::Result<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            if Instant::now() >= deadline {
                return Err(std::io::Error::other(format!(
                    "{}: still running after {timeout:?}",
                    self.name
                )));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits (`timeout` at most) and requires a clean exit.
    pub fn expect_success(&mut self, timeout: Duration) -> std::io::Result<()> {
        let status = self.wait_timeout(timeout)?;
        if status.success() {
            Ok(())
        } else {
            Err(std::io::Error::other(format!(
                "{} (pid {}) exited with {status}",
                self.name,
                self.pid()
            )))
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Polls `done` every millisecond until it holds, `timeout` at most.
pub fn wait_until(
    what: &str,
    timeout: Duration,
    mut done: impl FnMut() -> Result<bool, Box<dyn std::error::Error>>,
) -> TestResult {
    let deadline = Instant::now() + timeout;
    while !done()? {
        if Instant::now() >= deadline {
            return Err(format!("timed out after {timeout:?} waiting for {what}").into());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(())
}

/// A runtime for the parent's producer and admin calls.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Tests of one binary run one at a time: they load a 2-core machine, and
/// their kill moments are only random if they are not starved.
pub fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A small xorshift64* generator; the seed is printed (and read from
/// `SBQ_SEED`) so a failing schedule can be replayed approximately.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// Seeded from `SBQ_SEED` or the clock; prints the seed.
    pub fn seeded(test: &str) -> Self {
        let seed = std::env::var("SBQ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| now_ns().unsigned_abs() ^ u64::from(std::process::id()));
        eprintln!("{test}: SBQ_SEED={seed}");
        Self::new(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (0 for `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = hi.saturating_sub(lo).saturating_add(1).max(1);
        lo + i64::try_from(self.below(span.unsigned_abs())).unwrap_or(0)
    }
}
