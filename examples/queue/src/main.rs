//! rpclib's queue example in switchboard: calls to the demo service's
//! one-way `sleep` go into a SQLite queue file through the typed client,
//! and a consumer with a `method_call` event listener runs them, saying
//! which worker runs which task. Then the same with two fan-out consumers
//! in two processes (this program, started again as
//! `example-queue consume FILE WORKER`): each of them runs every task, in
//! order.
//!
//! The sleeps are short (0.00 s to 0.09 s) so the example ends within
//! seconds; rpclib's slept `i` seconds.
//!
//! Run with `cargo run -p example-queue`.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::{Arc, Mutex};

use switchboard::{
    Application, BuildError, Client, Event, EventListener, MethodContext, Server, async_trait,
};
use switchboard_demo::{SERVICE, Sleep};
use switchboard_json::JsonDocument;
use switchboard_sqlite_queue::QueueFacts;
use switchboard_sqlite_queue::{
    ConsumerOptions, QueueConsumer, QueueError, QueueOptions, QueueProducer,
};
use tokio::task::JoinSet;

/// Calls enqueued per round.
const TASKS: u32 = 10;

/// A `method_call` listener: prints who runs what, and keeps `(worker id,
/// task id)` for every call, in order.
#[derive(Debug, Clone, Default)]
struct Announcer {
    seen: Arc<Mutex<Vec<(String, i64)>>>,
}

#[async_trait]
impl EventListener for Announcer {
    async fn on_event(&self, event: Event, ctx: &MethodContext) {
        let Some(queue) = ctx.facts::<QueueFacts>() else {
            return;
        };
        if event != Event::MethodCall {
            return;
        }
        println!(
            "This is worker id {}, processing task id {}.",
            queue.worker_id, queue.task_id
        );
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.push((queue.worker_id.to_string(), queue.task_id));
    }
}

impl Announcer {
    /// The task ids `worker` ran, in order.
    #[cfg(test)]
    fn tasks_of(&self, worker: &str) -> Vec<i64> {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.iter()
            .filter(|(w, _)| w == worker)
            .map(|(_, task)| *task)
            .collect()
    }
}

/// The server a consumer runs: the demo service in the JSON document
/// protocol, observed by `announcer`.
fn app(announcer: &Announcer) -> Result<Server, BuildError> {
    let app = Application::builder()
        .services([SERVICE])
        .listener(announcer.clone())
        .build()?;
    Ok(Server::new(app, JsonDocument))
}

/// Enqueues `sleep(i / 100)` for `i` in `0..TASKS` through the typed client:
/// `sleep` is one-way, so each call returns once its task is committed.
async fn enqueue_sleeps(queue: &Path) -> Result<(), Box<dyn Error>> {
    let producer = QueueProducer::open(queue, QueueOptions::default())?;
    let client = Client::new(Arc::new(producer), Arc::new(JsonDocument));
    for i in 0..TASKS {
        let seconds = f64::from(i) / 100.0;
        client.call(Sleep { seconds }).await?;
    }
    Ok(())
}

/// Runs one fan-out consumer per worker id, side by side, until each has
/// passed every task in the queue.
async fn consume(
    queue: &Path,
    workers: &[&str],
    announcer: &Announcer,
) -> Result<(), Box<dyn Error>> {
    let mut running: JoinSet<Result<(), QueueError>> = JoinSet::new();
    for worker in workers {
        let consumer = QueueConsumer::open(queue, *worker, ConsumerOptions::default())?;
        // Returns once this consumer has passed every task in the queue.
        let idle = consumer.run_until_idle(app(announcer)?, std::future::pending());
        running.spawn(idle);
    }
    while let Some(finished) = running.join_next().await {
        finished??;
    }
    Ok(())
}

/// One round: `TASKS` sleeps into a fresh queue file `queue`, then `workers`
/// consume them.
async fn round(
    queue: &Path,
    workers: &[&str],
    announcer: &Announcer,
) -> Result<(), Box<dyn Error>> {
    enqueue_sleeps(queue).await?;
    consume(queue, workers, announcer).await
}

/// Runs one fan-out consumer per worker id, each in a process of its own,
/// until each has passed every task in the queue.
fn consume_in_processes(queue: &Path, workers: &[&str]) -> Result<(), Box<dyn Error>> {
    let program = std::env::current_exe()?;
    let children = workers
        .iter()
        .map(|worker| {
            Command::new(&program)
                .arg("consume")
                .arg(queue)
                .arg(worker)
                .spawn()
        })
        .collect::<Result<Vec<_>, _>>()?;
    for mut child in children {
        let status = child.wait()?;
        if !status.success() {
            return Err(format!("a consumer process failed: {status}").into());
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [mode, queue, worker] if mode == "consume" => {
            consume(
                &PathBuf::from(queue),
                &[worker.as_str()],
                &Announcer::default(),
            )
            .await
        }
        [] => both_rounds().await,
        _ => Err("usage: example-queue [consume FILE WORKER]".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// One consumer in this process, then two fan-out consumers in two.
async fn both_rounds() -> Result<(), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    println!("One consumer:");
    round(&dir.path().join("one.db"), &["1"], &Announcer::default()).await?;
    println!("\nTwo fan-out consumers in two processes, each runs every task:");
    let queue = dir.path().join("two.db");
    enqueue_sleeps(&queue).await?;
    consume_in_processes(&queue, &["1", "2"])
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Bounds a round, so a consumer that never drains fails the test.
    async fn bounded(
        queue: &Path,
        workers: &[&str],
        announcer: &Announcer,
    ) -> Result<(), Box<dyn Error>> {
        tokio::time::timeout(Duration::from_secs(20), round(queue, workers, announcer)).await?
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_consumer_runs_every_task_in_order() -> Result<(), Box<dyn Error>> {
        let dir = tempfile::tempdir()?;
        let announcer = Announcer::default();
        bounded(&dir.path().join("one.db"), &["1"], &announcer).await?;
        assert_eq!(
            announcer.tasks_of("1"),
            (1..=i64::from(TASKS)).collect::<Vec<_>>()
        );
        Ok(())
    }

    /// `consume` with two workers in one process (`main` runs them in two).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn both_fan_out_consumers_see_every_task_in_order() -> Result<(), Box<dyn Error>> {
        let dir = tempfile::tempdir()?;
        let announcer = Announcer::default();
        bounded(&dir.path().join("two.db"), &["1", "2"], &announcer).await?;
        let every: Vec<i64> = (1..=i64::from(TASKS)).collect();
        assert_eq!(announcer.tasks_of("1"), every);
        assert_eq!(announcer.tasks_of("2"), every);
        Ok(())
    }
}
