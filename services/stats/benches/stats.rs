//! The stats system's speed on each backend, against a baseline in the
//! same run:
//!
//! - **worker throughput**: tasks of 1 000 values through the workers
//!   (`compute_stats`: decode, compute, `PUT` to the API over HTTP, publish
//!   the notification; the queue's ack or checkpoint), from a backlog,
//!   timed until the last notification arrives. Baseline: the same
//!   computations and `PUT`s done by hand in a loop with the same
//!   concurrency (no queue, no pipeline, no notification).
//! - **202 → stats**: on an idle system, from the start of
//!   `StatsClient::get(sensor, wait)` (subscription, `GET` answered 202,
//!   the worker's task, the notification, the second `GET`) to the stats
//!   in hand, for a sensor of 1 000 values. Baseline: a `GET` answered 200.
//!
//! Goals: 2 000 tasks/s on SQLite and 1 000 on RabbitMQ; 202 → stats under
//! 20 ms on SQLite and 50 ms on RabbitMQ (medians).
//!
//! Run with `cargo bench -p switchboard-stats --bench stats` (RabbitMQ on
//! 127.0.0.1:5672; a private vhost is created and deleted). Options after
//! `--`: `--tasks N` (default 4 000), `--workers W` (default 1, each running
//! `DEFAULT_PREFETCH` tasks at once),
//! `--rounds R` latency rounds (default 30), `--only sqlite|amqp`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{System, Vhost, values};
use futures_util::future::join_all;
use http::Method;
use switchboard_sqlite_queue::{NewTask, QueueOptions, QueueProducer, task_content_type};
use switchboard_stats::{Settings, Stats, Task};

type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const SENSORS: usize = 100;

struct Options {
    tasks: usize,
    workers: usize,
    rounds: usize,
    only: Option<String>,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let number =
        |flag: &str, default: usize| value(flag).and_then(|v| v.parse().ok()).unwrap_or(default);
    Options {
        tasks: number("--tasks", 4000),
        workers: number("--workers", 1),
        rounds: number("--rounds", 30),
        only: value("--only"),
    }
}

fn main() -> BenchResult<()> {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let wanted = |name: &str| options.only.as_deref().is_none_or(|only| only == name);
        if wanted("sqlite") {
            run("sqlite", &options, 2000.0, 20.0, |_| None).await?;
        }
        if wanted("amqp") {
            let vhost = Vhost::create("bench");
            run("amqp", &options, 1000.0, 50.0, |_| Some(vhost.settings())).await?;
        }
        Ok(())
    })
}

async fn run(
    name: &str,
    options: &Options,
    tasks_goal: f64,
    latency_goal_ms: f64,
    broker: impl Fn(()) -> Option<switchboard_amqp::ConnectionSettings>,
) -> BenchResult<()> {
    let settings = move |dir: &std::path::Path| match broker(()) {
        Some(amqp) => Settings::amqp(amqp),
        None => Settings::embedded(dir),
    };
    let system = System::start(settings).await?;
    for i in 0..SENSORS {
        system.client.measure(&format!("s{i}"), &[1.0]).await?;
    }
    let workers: Vec<_> = (0..options.workers)
        .map(|i| system.worker(&format!("bench-{i}")))
        .collect();
    let ours = throughput(&system, options.tasks).await?;
    let at_once = options.workers * usize::from(switchboard_stats::DEFAULT_PREFETCH);
    let baseline = by_hand(&system, options.tasks, at_once).await?;
    println!(
        "{name}: worker throughput {ours:.0} tasks/s ({} worker(s), {at_once} at once), by hand {baseline:.0} tasks/s, ratio {:.2}; goal {tasks_goal:.0}: {}",
        options.workers,
        ours / baseline,
        verdict(ours >= tasks_goal)
    );
    let (wait, stored) = latency(&system, options.rounds).await?;
    println!(
        "{name}: 202 -> stats median {:.2} ms (p90 {:.2}), a stored GET {:.2} ms, ratio {:.1}; goal {latency_goal_ms} ms: {}",
        wait.0,
        wait.1,
        stored.0,
        wait.0 / stored.0,
        verdict(wait.0 < latency_goal_ms)
    );
    for worker in workers {
        worker.abort();
    }
    Ok(())
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT MET" }
}

fn task(i: usize) -> BenchResult<Vec<u8>> {
    let task = Task {
        data: values(1000, i),
        sensor: format!("s{}", i % SENSORS),
    };
    Ok(serde_json::to_vec(&task)?)
}

/// Tasks/s from a backlog of `tasks` to the last notification.
async fn throughput(system: &System, tasks: usize) -> BenchResult<f64> {
    let service = switchboard_stats::service(&system.app)?;
    let backend = service.backend().clone();
    let mut subscription = backend.subscribe().await?;
    let bodies = (0..tasks).map(task).collect::<BenchResult<Vec<_>>>()?;
    let started = Instant::now();
    // On SQLite the backlog goes in as one batch, as a producer filling the
    // queue file would; on any other bus, task by task.
    match backend.address().scheme() {
        "sqlite" => {
            let queue = system.dir.path().join("switchboard-queue.db");
            let producer = QueueProducer::open(queue, QueueOptions::default())?;
            let content_type = task_content_type("application/json", "json");
            let batch = bodies.into_iter().map(|data| NewTask {
                method: "compute_stats".into(),
                content_type: content_type.clone().into(),
                data,
                expires_at: None,
            });
            producer.enqueue_batch(batch).await?;
        }
        _ => {
            for body in bodies {
                backend.enqueue(body).await?;
            }
        }
    }
    for _ in 0..tasks {
        tokio::time::timeout(Duration::from_secs(120), subscription.next()).await??;
    }
    Ok(tasks as f64 / started.elapsed().as_secs_f64())
}

/// The computation and the `PUT` of `tasks` tasks, `concurrency` at once.
async fn by_hand(system: &System, tasks: usize, concurrency: usize) -> BenchResult<f64> {
    let bodies = (0..tasks).map(task).collect::<BenchResult<Vec<_>>>()?;
    let started = Instant::now();
    let mut chunks = bodies
        .chunks(tasks.div_ceil(concurrency).max(1))
        .map(<[_]>::to_vec);
    let lanes = (0..concurrency).filter_map(|_| chunks.next()).map(|chunk| {
        let api = system.api.clone();
        async move {
            for body in chunk {
                let task: Task = serde_json::from_slice(&body)?;
                let mut data = task.data;
                let summary = switchboard_stats::compute::summarize(&mut data).ok_or("no data")?;
                let stats = Stats::from_summary(&summary, switchboard_stats::time::now());
                let path = format!("/api/sensors/{}/stats/", task.sensor);
                let reply = api
                    .send(Method::PUT, &path, Some(serde_json::to_vec(&stats)?))
                    .await?;
                assert_eq!(reply.status, 204);
            }
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        }
    });
    for lane in join_all(lanes).await {
        lane?;
    }
    Ok(tasks as f64 / started.elapsed().as_secs_f64())
}

/// Median and p90 of 202 → stats, and the median of a stored GET, in ms.
async fn latency(system: &System, rounds: usize) -> BenchResult<((f64, f64), (f64, f64))> {
    system.client.measure("lat", &values(1000, 7)).await?;
    let mut waits = Vec::with_capacity(rounds);
    let mut stored = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let _ = system.client.delete("lat").await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        let started = Instant::now();
        system
            .client
            .get("lat", Some(Duration::from_secs(10)))
            .await?;
        waits.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        system.client.get_once("lat").await?.ok_or("not stored")?;
        stored.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok((percentiles(waits), percentiles(stored)))
}

fn percentiles(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.9))
}
