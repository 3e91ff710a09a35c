//! The fan-out case with every consumer in a process of its own, as
//! `switchboard consume` runs them: no in-process wake-up, so pickup rests
//! on polling (1 ms while tasks flow, for both contenders). The bench
//! binary runs itself again as each consumer:
//! `queue --child-consumer sb|raw FILE WORKER TASKS`, which prints the
//! latency of each delivery, in µs, one per line.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use switchboard_sqlite_queue::{ConsumerOptions, QueueConsumer, QueueOptions, QueueProducer};

use crate::probe::{self, JSON};
use crate::{BenchResult, Measure, Pace, raw};

/// The flag that makes the binary a consumer child.
pub(crate) const CHILD_FLAG: &str = "--child-consumer";

/// Which implementation a child or a producer uses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Side {
    /// The queue crate.
    Switchboard,
    /// Raw rusqlite.
    Raw,
}

impl Side {
    fn flag(self) -> &'static str {
        match self {
            Side::Switchboard => "sb",
            Side::Raw => "raw",
        }
    }
}

/// Runs as a consumer child if `args` hold [`CHILD_FLAG`].
pub(crate) fn child_main(args: &[String]) -> Option<BenchResult<()>> {
    let at = args.iter().position(|a| a == CHILD_FLAG)?;
    let rest = args.get(at + 1..at + 5)?;
    let [side, path, worker, n] = rest else {
        return None;
    };
    Some(child(side, Path::new(path), worker, n))
}

fn child(side: &str, path: &Path, worker: &str, n: &str) -> BenchResult<()> {
    let n: usize = n.parse()?;
    probe::reset(n);
    match side {
        "sb" => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()?;
            rt.block_on(async {
                let consumer = QueueConsumer::open(path, worker, ConsumerOptions::default())?;
                consumer.run(probe::server(), probe::reached()).await
            })?;
        }
        _ => raw::consume_as_child(path, worker, n)?,
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    for latency in probe::take_latencies() {
        writeln!(out, "{latency}")?;
    }
    out.flush()?;
    Ok(())
}

/// `consumers` child processes of `side` while this process enqueues `n`
/// tasks one per transaction with `side`'s producer.
pub(crate) fn fanout(
    rt: &tokio::runtime::Runtime,
    path: &Path,
    side: Side,
    n: usize,
    consumers: usize,
    pace: Pace,
) -> BenchResult<Measure> {
    // The producer first: it creates the file and its tables.
    let producer = match side {
        Side::Switchboard => {
            Producer::Switchboard(QueueProducer::open(path, QueueOptions::default())?)
        }
        Side::Raw => Producer::Raw(raw::producer(path)?),
    };
    let mut children = Vec::new();
    for i in 0..consumers {
        children.push(Kill(Some(
            Command::new(std::env::current_exe()?)
                .args([CHILD_FLAG, side.flag()])
                .arg(path)
                .args([format!("c{i}"), n.to_string()])
                .stdout(Stdio::piped())
                .spawn()?,
        )));
    }
    wait_for_consumers(path, consumers)?;
    let start = Instant::now();
    let mut producer = producer;
    for i in 0..n {
        if let Some(due) = pace.due(start, i) {
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        producer.enqueue_one(rt)?;
    }
    let mut latencies = Vec::new();
    for child in children {
        let output = child.wait()?;
        if !output.status.success() {
            return Err(format!("a consumer child failed: {}", output.status).into());
        }
        let text = String::from_utf8(output.stdout)?;
        for line in text.lines() {
            latencies.push(line.parse::<u64>()?);
        }
    }
    let elapsed = start.elapsed();
    Ok(Measure::new(latencies.len(), elapsed).with_latencies(latencies))
}

/// Waits until every child has registered (10 s at most), so the clock
/// does not count process start-up.
fn wait_for_consumers(path: &Path, consumers: usize) -> BenchResult<()> {
    let conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let registered: i64 =
            conn.query_row("SELECT COUNT(*) FROM worker_status", [], |row| row.get(0))?;
        if usize::try_from(registered)? >= consumers {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err("the consumer children did not start in 10 s".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

enum Producer {
    Switchboard(QueueProducer),
    Raw(rusqlite::Connection),
}

impl Producer {
    fn enqueue_one(&mut self, rt: &tokio::runtime::Runtime) -> BenchResult<()> {
        match self {
            Producer::Switchboard(producer) => {
                rt.block_on(producer.enqueue("mark", JSON, probe::body(), None))?;
            }
            Producer::Raw(conn) => raw::insert(conn, 1)?,
        }
        Ok(())
    }
}

/// A child, killed if the bench fails before waiting for it.
struct Kill(Option<Child>);

impl Kill {
    fn wait(mut self) -> std::io::Result<std::process::Output> {
        match self.0.take() {
            Some(child) => child.wait_with_output(),
            None => Err(std::io::Error::other("the child was already waited for")),
        }
    }
}

impl Drop for Kill {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
