//! The switchboard contenders: [`QueueProducer`] and [`QueueConsumer`]
//! through the pipeline, plus two probes of the per-task overhead (the
//! pipeline alone, and one blocking-pool hop).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use switchboard::RequestInfo;
use switchboard_sqlite_queue::QueueFacts;
use switchboard_sqlite_queue::{
    ConsumerOptions, Durability, NewTask, QueueConsumer, QueueOptions, QueueProducer,
};
use tokio::runtime::Runtime;

use crate::probe::{self, JSON};
use crate::{BenchResult, Measure, Pace};

fn options(durability: Durability) -> QueueOptions {
    QueueOptions::default().with_durability(durability)
}

fn task() -> NewTask {
    NewTask {
        method: "mark".into(),
        content_type: JSON.into(),
        data: probe::body(),
        expires_at: None,
    }
}

/// `n` tasks, one `enqueue` (one transaction) each.
pub(crate) fn enqueue_single(
    rt: &Runtime,
    path: &Path,
    durability: Durability,
    n: usize,
) -> BenchResult<Measure> {
    rt.block_on(async {
        let producer = QueueProducer::open(path, options(durability))?;
        let start = Instant::now();
        for _ in 0..n {
            producer.enqueue("mark", JSON, probe::body(), None).await?;
        }
        Ok(Measure::new(n, start.elapsed()))
    })
}

/// `n` tasks, one `enqueue` each, from `callers` tasks at once.
pub(crate) fn enqueue_concurrent(
    rt: &Runtime,
    path: &Path,
    durability: Durability,
    n: usize,
    callers: usize,
) -> BenchResult<Measure> {
    rt.block_on(async {
        let producer = QueueProducer::open(path, options(durability))?;
        let start = Instant::now();
        let running: Vec<_> = (0..callers)
            .map(|caller| {
                let producer = producer.clone();
                let share = n / callers + usize::from(caller < n % callers);
                tokio::spawn(async move {
                    for _ in 0..share {
                        producer.enqueue("mark", JSON, probe::body(), None).await?;
                    }
                    Ok::<_, switchboard_sqlite_queue::QueueError>(())
                })
            })
            .collect();
        for caller in running {
            caller.await??;
        }
        Ok(Measure::new(n, start.elapsed()))
    })
}

/// `n` tasks, `batch` per `enqueue_batch`.
pub(crate) fn enqueue_batch(
    rt: &Runtime,
    path: &Path,
    durability: Durability,
    n: usize,
    batch: usize,
) -> BenchResult<Measure> {
    rt.block_on(async {
        let producer = QueueProducer::open(path, options(durability))?;
        let start = Instant::now();
        fill(&producer, n, batch).await?;
        Ok(Measure::new(n, start.elapsed()))
    })
}

async fn fill(producer: &QueueProducer, n: usize, batch: usize) -> BenchResult<()> {
    let mut left = n;
    while left > 0 {
        let take = left.min(batch);
        producer
            .enqueue_batch(std::iter::repeat_with(task).take(take))
            .await?;
        left -= take;
    }
    Ok(())
}

/// One consumer drains `n` prefilled tasks through the pipeline, reading
/// `chunk` per query and committing its checkpoint every `every` tasks.
pub(crate) fn consume(
    rt: &Runtime,
    path: &Path,
    durability: Durability,
    n: usize,
    chunk: usize,
    every: usize,
) -> BenchResult<Measure> {
    rt.block_on(async {
        let producer = QueueProducer::open(path, options(durability))?;
        fill(&producer, n, 1000).await?;
        let consumer_options = ConsumerOptions::default()
            .with_queue(options(durability))
            .with_chunk_size(chunk)
            .with_checkpoint_every(every);
        let consumer = QueueConsumer::open(path, "c0", consumer_options)?;
        probe::reset(n);
        let start = Instant::now();
        consumer.run(probe::server(), probe::reached()).await?;
        Ok(Measure::new(probe::delivered(), start.elapsed()))
    })
}

/// `consumers` fan-out consumers (checkpoint per task) on tasks of this
/// runtime while a producer enqueues `n` tasks one per transaction, paced
/// or flat out. Counts deliveries (`consumers × n`) and their latency.
pub(crate) fn fanout(
    rt: &Runtime,
    path: &Path,
    n: usize,
    consumers: usize,
    pace: Pace,
) -> BenchResult<Measure> {
    let consumers = (0..consumers)
        .map(|i| QueueConsumer::open(path, format!("c{i}"), ConsumerOptions::default()))
        .collect::<Result<Vec<_>, _>>()?;
    rt.block_on(produce_and_consume(
        path,
        n * consumers.len(),
        n,
        consumers,
        pace,
    ))
}

/// A work-queue group of `members` (in this process) while a producer
/// enqueues `n` tasks one per transaction, paced: each task to one member.
pub(crate) fn group(
    rt: &Runtime,
    path: &Path,
    n: usize,
    members: usize,
    pace: Pace,
) -> BenchResult<Measure> {
    let members = (0..members)
        .map(|i| {
            QueueConsumer::open(path, format!("m{i}"), ConsumerOptions::default())
                .map(|member| member.with_group("g"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    rt.block_on(produce_and_consume(path, n, n, members, pace))
}

/// Runs `consumers` until `deliveries` while enqueueing `n` tasks, one per
/// transaction, at `pace`; measures deliveries and their latency.
async fn produce_and_consume(
    path: &Path,
    deliveries: usize,
    n: usize,
    consumers: Vec<QueueConsumer>,
    pace: Pace,
) -> BenchResult<Measure> {
    let producer = QueueProducer::open(path, QueueOptions::default())?;
    probe::reset(deliveries);
    let running: Vec<_> = consumers
        .into_iter()
        .map(|consumer| tokio::spawn(consumer.run(probe::server(), probe::reached())))
        .collect();
    let start = Instant::now();
    for i in 0..n {
        if let Some(due) = pace.due(start, i) {
            tokio::time::sleep_until(due.into()).await;
        }
        producer.enqueue("mark", JSON, probe::body(), None).await?;
    }
    for consumer in running {
        consumer.await??;
    }
    let elapsed = start.elapsed();
    Ok(Measure::new(probe::delivered(), elapsed).with_latencies(probe::take_latencies()))
}

/// The pipeline alone: `n` task bodies through `Server::process`, as the
/// consumer hands them over, without SQLite.
pub(crate) fn pipeline(rt: &Runtime, n: usize) -> BenchResult<Measure> {
    rt.block_on(async {
        let server = probe::server();
        probe::reset(n);
        let worker: Arc<str> = Arc::from("c0");
        let start = Instant::now();
        for task_id in 0..n {
            let facts = QueueFacts::new(Arc::clone(&worker), i64::try_from(task_id)?, 0);
            let request = RequestInfo::new(probe::body(), facts).with_method("mark");
            let response = server.process(request).await;
            if let Some(fault) = response.any_fault {
                return Err(format!("mark failed: {fault:?}").into());
            }
        }
        Ok(Measure::new(n, start.elapsed()))
    })
}

/// `n` round trips to Tokio's blocking pool, as every queue statement makes.
pub(crate) fn blocking_hop(rt: &Runtime, n: usize) -> BenchResult<Measure> {
    rt.block_on(async {
        let start = Instant::now();
        for _ in 0..n {
            tokio::task::spawn_blocking(|| std::hint::black_box(Duration::ZERO)).await?;
        }
        Ok(Measure::new(n, start.elapsed()))
    })
}
