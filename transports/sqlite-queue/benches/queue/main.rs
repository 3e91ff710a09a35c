//! The SQLite fan-out queue against raw rusqlite doing the same SQL, in the
//! same run, like with like: one task per transaction (NORMAL and FULL; one
//! caller, and 16 at once, where the queue shares commits between callers
//! and raw gives each thread its own connection), 1 000 per transaction, a consumer draining a backlog with a checkpoint
//! per task and per chunk of 100, and four fan-out consumers while a
//! producer inserts (deliveries/s and enqueue→processed latency): in the
//! producer's process (woken by the queue's in-process wake-up), and in
//! processes of their own (`procs`: polling only, as `switchboard consume`). Files are
//! fresh temp files in WAL mode; rounds alternate between the contenders
//! and the median of each figure is kept, because this machine is shared.
//!
//! The queue's consumer runs every task through the pipeline (a no-op
//! `benchq.mark` in the JSON document protocol); the raw consumer only
//! reads the row. Where a commit per task dominates that difference is
//! noise; with a commit per 100 tasks the pipeline (about 1 µs) is most of
//! the cost, so that case is reported without a goal. Two probes at the
//! end price what the queue adds per task: the pipeline alone, and one hop
//! to Tokio's blocking pool (which the queue avoids on its hot paths).
//!
//! Run with `cargo bench -p switchboard-sqlite-queue --bench queue`.
//! Options after `--`: `--tasks N` per case (default 5 000; FULL cases
//! use N/5, batches 10×N), `--rounds R` (default 3), `--rate T` tasks/s
//! of the paced fan-out producer (default 2 000), `--only TEXT` to run
//! the cases whose name contains TEXT (for profiling), `--consumers C`
//! fan-out consumers (default 4), `--contender sb|raw` to run one side,
//! `--metrics` to install a Prometheus recorder first, as the host does
//! (without one, every metric record is a no-op).

mod measure;
mod ours;
mod probe;
mod processes;
mod raw;

use std::path::Path;

use switchboard_sqlite_queue::Durability;
use tokio::runtime::Runtime;

pub(crate) use measure::{Measure, Pace, Stats};
use processes::Side;

pub(crate) type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The enqueue and consume goal: at least this share of raw's throughput.
const RATIO_GOAL: f64 = 0.8;
/// The pickup latency goals while tasks flow, ms.
const P50_GOAL_MS: f64 = 5.0;
const P99_GOAL_MS: f64 = 20.0;

type Contender<'a> = Box<dyn Fn(&Path) -> BenchResult<Measure> + 'a>;

/// One comparison.
struct Case<'a> {
    name: String,
    tasks: usize,
    /// Whether the throughput goal applies.
    goal: bool,
    /// Whether the pickup latency goal applies (a paced producer: tasks
    /// flow, but the consumers are not flooded).
    latency_goal: bool,
    ours: Contender<'a>,
    raw: Contender<'a>,
}

fn case<'a>(name: &str, tasks: usize, ours: Contender<'a>, raw: Contender<'a>) -> Case<'a> {
    Case {
        name: name.to_owned(),
        tasks,
        goal: true,
        latency_goal: false,
        ours,
        raw,
    }
}

/// A case reported without a throughput goal.
fn info<'a>(name: &str, tasks: usize, ours: Contender<'a>, raw: Contender<'a>) -> Case<'a> {
    Case {
        goal: false,
        ..case(name, tasks, ours, raw)
    }
}

/// A case's result.
struct Row {
    name: String,
    tasks: usize,
    goal: bool,
    latency_goal: bool,
    ours: Stats,
    raw: Stats,
}

fn main() -> BenchResult<()> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(child) = processes::child_main(&args) {
        return child;
    }
    let option = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|pos| args.get(pos + 1))
            .cloned()
    };
    let n: usize = option("--tasks")
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let rounds: usize = option("--rounds").and_then(|v| v.parse().ok()).unwrap_or(3);
    let rate: f64 = option("--rate")
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000.0);
    let consumers: usize = option("--consumers")
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let only = option("--only");
    if args.iter().any(|a| a == "--metrics") {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
            .set_buckets(switchboard::telemetry::DURATION_BUCKETS)?
            .build_recorder();
        metrics::set_global_recorder(recorder)?;
    }
    // `--contender sb|raw` runs one side only (for profiling).
    let side = option("--contender");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut rows = Vec::new();
    for case in cases(&rt, n, rate, consumers) {
        if only.as_deref().is_some_and(|o| !case.name.contains(o)) {
            continue;
        }
        eprintln!("running: {}", case.name);
        rows.push(run(&case, rounds.max(1), side.as_deref())?);
    }
    print_table(&rows);
    if only.is_none() {
        print_probes(&rt, n)?;
        print_group(&rt, n, rate, consumers)?;
    }
    Ok(())
}

/// A work-queue group (no raw contender: raw rusqlite has no leases).
fn print_group(rt: &Runtime, n: usize, rate: f64, members: usize) -> BenchResult<()> {
    let runs = (0..3)
        .map(|_| {
            let dir = tempfile::tempdir()?;
            ours::group(
                rt,
                &dir.path().join("queue.db"),
                n,
                members,
                Pace::PerSecond(rate),
            )
        })
        .collect::<BenchResult<Vec<_>>>()?;
    let stats = Stats::of(&runs);
    println!(
        "group of {members} members, producer {rate:.0}/s: {:.0} tasks/s, latency p50 {:.2} ms, p99 {:.2} ms",
        stats.per_second,
        stats.p50_ms.unwrap_or(0.0),
        stats.p99_ms.unwrap_or(0.0)
    );
    Ok(())
}

fn cases(rt: &Runtime, n: usize, rate: f64, consumers: usize) -> Vec<Case<'_>> {
    use Durability::{Full, Normal};
    let full_n = (n / 5).max(1);
    let paced = format!("fan-out {consumers}, producer {rate:.0}/s");
    vec![
        case(
            "enqueue 1/tx NORMAL",
            n,
            Box::new(move |p| ours::enqueue_single(rt, p, Normal, n)),
            Box::new(move |p| raw::enqueue_single(p, Normal, n)),
        ),
        case(
            "enqueue 1/tx FULL",
            full_n,
            Box::new(move |p| ours::enqueue_single(rt, p, Full, full_n)),
            Box::new(move |p| raw::enqueue_single(p, Full, full_n)),
        ),
        info(
            "enqueue 1/tx FULL, 16 callers",
            full_n,
            Box::new(move |p| ours::enqueue_concurrent(rt, p, Full, full_n, 16)),
            Box::new(move |p| raw::enqueue_concurrent(p, Full, full_n, 16)),
        ),
        info(
            "enqueue 1/tx NORMAL, 16 callers",
            n,
            Box::new(move |p| ours::enqueue_concurrent(rt, p, Normal, n, 16)),
            Box::new(move |p| raw::enqueue_concurrent(p, Normal, n, 16)),
        ),
        case(
            "enqueue 1000/tx NORMAL",
            10 * n,
            Box::new(move |p| ours::enqueue_batch(rt, p, Normal, 10 * n, 1000)),
            Box::new(move |p| raw::enqueue_batch(p, Normal, 10 * n, 1000)),
        ),
        case(
            "enqueue 1000/tx FULL",
            10 * n,
            Box::new(move |p| ours::enqueue_batch(rt, p, Full, 10 * n, 1000)),
            Box::new(move |p| raw::enqueue_batch(p, Full, 10 * n, 1000)),
        ),
        case(
            "consume ckpt/task NORMAL",
            n,
            Box::new(move |p| ours::consume(rt, p, Normal, n, 256, 1)),
            Box::new(move |p| raw::consume(p, Normal, n, 256, 1)),
        ),
        case(
            "consume ckpt/task FULL",
            full_n,
            Box::new(move |p| ours::consume(rt, p, Full, full_n, 256, 1)),
            Box::new(move |p| raw::consume(p, Full, full_n, 256, 1)),
        ),
        info(
            "consume ckpt/100 NORMAL",
            n,
            Box::new(move |p| ours::consume(rt, p, Normal, n, 100, 100)),
            Box::new(move |p| raw::consume(p, Normal, n, 100, 100)),
        ),
        Case {
            latency_goal: true,
            ..info(
                &paced,
                n,
                Box::new(move |p| ours::fanout(rt, p, n, consumers, Pace::PerSecond(rate))),
                Box::new(move |p| raw::fanout(p, n, consumers, Pace::PerSecond(rate))),
            )
        },
        Case {
            latency_goal: true,
            ..info(
                &format!("fan-out {consumers} procs, producer {rate:.0}/s"),
                n,
                Box::new(move |p| {
                    processes::fanout(
                        rt,
                        p,
                        Side::Switchboard,
                        n,
                        consumers,
                        Pace::PerSecond(rate),
                    )
                }),
                Box::new(move |p| {
                    processes::fanout(rt, p, Side::Raw, n, consumers, Pace::PerSecond(rate))
                }),
            )
        },
        info(
            &format!("fan-out {consumers}, producer flat out"),
            n,
            Box::new(move |p| ours::fanout(rt, p, n, consumers, Pace::FlatOut)),
            Box::new(move |p| raw::fanout(p, n, consumers, Pace::FlatOut)),
        ),
    ]
}

/// Runs both contenders `rounds` times, alternating which goes first, each
/// on a fresh file.
fn run(case: &Case<'_>, rounds: usize, side: Option<&str>) -> BenchResult<Row> {
    let (mut ours, mut raw) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        for first in [round % 2 == 0, round % 2 != 0] {
            if side.is_some_and(|s| s != if first { "sb" } else { "raw" }) {
                continue;
            }
            let dir = tempfile::tempdir()?;
            let path = dir.path().join("queue.db");
            let cpu = measure::process_cpu();
            let (contender, runs) = if first {
                (&case.ours, &mut ours)
            } else {
                (&case.raw, &mut raw)
            };
            let measure = contender(&path)?;
            runs.push(measure.with_cpu(measure::process_cpu().saturating_sub(cpu)));
        }
    }
    Ok(Row {
        name: case.name.clone(),
        tasks: case.tasks,
        goal: case.goal,
        latency_goal: case.latency_goal,
        ours: Stats::of(&ours),
        raw: Stats::of(&raw),
    })
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<34} {:>6} {:>14} {:>10} {:>6} {:>6} {:>16}",
        "case", "tasks", "switchboard/s", "raw/s", "ratio", "goal", "cpu µs/op sb|raw"
    );
    for row in rows {
        let ratio = row.ours.per_second / row.raw.per_second.max(1e-9);
        let goal = if !row.goal {
            "-"
        } else if ratio >= RATIO_GOAL {
            "ok"
        } else {
            "MISS"
        };
        let cpu = format!("{:.1}|{:.1}", row.ours.cpu_us_per_op, row.raw.cpu_us_per_op);
        println!(
            "{:<34} {:>6} {:>14.0} {:>10.0} {:>6.2} {:>6} {:>16}",
            row.name, row.tasks, row.ours.per_second, row.raw.per_second, ratio, goal, cpu
        );
    }
    let fanouts: Vec<&Row> = rows.iter().filter(|r| r.ours.p50_ms.is_some()).collect();
    if fanouts.is_empty() {
        return;
    }
    println!();
    println!(
        "{:<34} {:<12} {:>9} {:>9} {:>9} {:>6}",
        "enqueue→processed latency", "contender", "p50 ms", "p99 ms", "max ms", "goal"
    );
    for row in fanouts {
        for (who, stats) in [("switchboard", &row.ours), ("raw", &row.raw)] {
            let (p50, p99) = (stats.p50_ms.unwrap_or(0.0), stats.p99_ms.unwrap_or(0.0));
            let goal = if !row.latency_goal {
                "-"
            } else if p50 <= P50_GOAL_MS && p99 <= P99_GOAL_MS {
                "ok"
            } else {
                "MISS"
            };
            println!(
                "{:<34} {:<12} {:>9.2} {:>9.2} {:>9.2} {:>6}",
                row.name,
                who,
                p50,
                p99,
                stats.max_ms.unwrap_or(0.0),
                goal
            );
        }
    }
}

/// What the queue adds per task besides SQL, in µs.
fn print_probes(rt: &Runtime, n: usize) -> BenchResult<()> {
    let per_op_us = |m: Vec<Measure>| 1e6 / Stats::of(&m).per_second.max(1e-9);
    let pipeline = (0..3)
        .map(|_| ours::pipeline(rt, n))
        .collect::<BenchResult<Vec<_>>>()?;
    let hop = (0..3)
        .map(|_| ours::blocking_hop(rt, n))
        .collect::<BenchResult<Vec<_>>>()?;
    let hopped = (0..3)
        .map(|_| {
            let dir = tempfile::tempdir()?;
            raw::consume_hopped(rt, &dir.path().join("queue.db"), n)
        })
        .collect::<BenchResult<Vec<_>>>()?;
    println!();
    println!(
        "per-task overhead: pipeline (Server::process of mark) {:.1} µs, blocking-pool hop {:.1} µs",
        per_op_us(pipeline),
        per_op_us(hop)
    );
    println!(
        "raw consume ckpt/task NORMAL with each commit sent through spawn_blocking: {:.0}/s",
        Stats::of(&hopped).per_second
    );
    Ok(())
}
