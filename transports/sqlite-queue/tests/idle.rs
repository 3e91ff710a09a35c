//! `QueueConsumer::run_until_idle`: a consumer that returns once its
//! backlog (or its group's) is empty, and still stops on shutdown.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use common::{Recorder, TestResult, echo, fresh_queue, server};
use switchboard::{Application, Event, EventListener, MethodContext, Server, async_trait};
use switchboard_json::JsonDocument;
use switchboard_sqlite_queue::{
    ConsumerOptions, FailurePolicy, QueueAdmin, QueueConsumer, QueueOptions, QueueProducer,
};
use tokio::sync::Notify;

const JSON: &str = "application/json";

/// Enqueues `echo` tasks `from..to` (named by their number).
async fn enqueue_echoes(producer: &QueueProducer, range: std::ops::Range<i64>) -> TestResult {
    for i in range {
        producer
            .enqueue("echo", JSON, echo(&i.to_string()), None)
            .await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fan_out_consumer_runs_its_backlog_and_returns() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    // More than one read's worth (256 tasks a read).
    enqueue_echoes(&producer, 1..301).await?;
    let recorder = Recorder::default();
    let consumer = QueueConsumer::open(&path, "w", ConsumerOptions::default())?;
    consumer
        .run_until_idle(server(&recorder), std::future::pending())
        .await?;
    assert_eq!(recorder.tasks_of("w"), (1..=300).collect::<Vec<_>>());
    let status = QueueAdmin::open(&path, QueueOptions::default())?
        .status()
        .await?;
    assert_eq!(
        (status.consumers[0].checkpoint, status.consumers[0].lag),
        (300, 0)
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_members_run_the_groups_backlog_and_return() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    enqueue_echoes(&producer, 1..41).await?;
    let recorder = Recorder::default();
    let member = |id: &str| {
        QueueConsumer::open(&path, id, ConsumerOptions::default()).map(|c| c.with_group("g"))
    };
    let (a, b) = tokio::join!(
        member("a")?.run_until_idle(server(&recorder), std::future::pending()),
        member("b")?.run_until_idle(server(&recorder), std::future::pending()),
    );
    a?;
    b?;
    let mut runs: HashMap<i64, usize> = HashMap::new();
    for seen in recorder.all() {
        *runs.entry(seen.1).or_default() += 1;
    }
    assert_eq!(runs.len(), 40, "{runs:?}");
    assert!(runs.values().all(|&n| n == 1), "{runs:?}");
    let status = QueueAdmin::open(&path, QueueOptions::default())?
        .status()
        .await?;
    let group = &status.groups[0];
    assert_eq!((group.floor, group.lag, group.leased), (40, 0, 0));

    // A member joining a drained group finds nothing to do and returns.
    member("c")?
        .run_until_idle(server(&recorder), std::future::pending())
        .await?;
    assert_eq!(recorder.tasks_of("c"), [] as [i64; 0]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_task_enqueued_before_the_call_is_run() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    let recorder = Recorder::default();
    let fan_out = || QueueConsumer::open(&path, "w", ConsumerOptions::default());
    let member =
        || QueueConsumer::open(&path, "m", ConsumerOptions::default()).map(|c| c.with_group("g"));

    // An empty queue: both return at once, having registered.
    fan_out()?
        .run_until_idle(server(&recorder), std::future::pending())
        .await?;
    member()?
        .run_until_idle(server(&recorder), std::future::pending())
        .await?;
    assert!(recorder.all().is_empty());

    for (round, range) in [1..6, 6..9].into_iter().enumerate() {
        let expected: Vec<i64> = range.clone().collect();
        enqueue_echoes(&producer, range).await?;
        let before = recorder.all().len();
        fan_out()?
            .run_until_idle(server(&recorder), std::future::pending())
            .await?;
        member()?
            .run_until_idle(server(&recorder), std::future::pending())
            .await?;
        let this_round: Vec<_> = recorder.all().split_off(before);
        let of = |worker: &str| -> Vec<i64> {
            let runs = this_round.iter().filter(|s| s.0 == worker);
            runs.map(|s| s.1).collect()
        };
        assert_eq!(of("w"), expected, "round {round}: the fan-out consumer");
        assert_eq!(of("m"), expected, "round {round}: the group member");
    }
    Ok(())
}

/// Raises `notify` at every method call.
#[derive(Clone)]
struct Started(Arc<Notify>);

#[async_trait]
impl EventListener for Started {
    async fn on_event(&self, event: Event, _ctx: &MethodContext) {
        if event == Event::MethodCall {
            // A permit is stored if nobody waits yet: no call is missed.
            self.0.notify_one();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_still_stops_it_early() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    producer
        .enqueue("fail", JSON, br#"{"message":"again"}"#.to_vec(), None)
        .await?;
    enqueue_echoes(&producer, 2..4).await?;
    // The failing task waits an hour before its second run: only the
    // shutdown can end this consumer's run.
    let options = ConsumerOptions::default().with_failure_policy(FailurePolicy::Retry {
        max_attempts: 10,
        backoff: Duration::from_secs(3600),
    });
    let started = Arc::new(Notify::new());
    let app = Application::builder()
        .services(["demo"])
        .listener(Started(Arc::clone(&started)))
        .build()?;
    let server = Server::new(app, JsonDocument);
    let shutdown = async move { started.notified().await };
    let consumer = QueueConsumer::open(&path, "w", options)?;
    consumer.run_until_idle(server, shutdown).await?;

    let status = QueueAdmin::open(&path, QueueOptions::default())?
        .status()
        .await?;
    let consumer = &status.consumers[0];
    assert_eq!(
        (consumer.checkpoint, consumer.lag, status.failures),
        (0, 3, 0),
        "stopped in the first task's backoff: nothing passed, nothing recorded"
    );
    Ok(())
}
