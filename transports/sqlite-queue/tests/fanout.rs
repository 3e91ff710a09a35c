//! Fan-out consumers through the real pipeline, on WAL files.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::{Recorder, TestResult, drained, echo, fresh_queue, run_until, server};
use switchboard::Client;
use switchboard_demo::Sleep;
use switchboard_json::JsonDocument;
use switchboard_sqlite_queue::consumer::EXPIRED;
use switchboard_sqlite_queue::{
    ConsumerOptions, FailurePolicy, NewTask, QueueAdmin, QueueConsumer, QueueError, QueueOptions,
    QueueProducer,
};

const JSON: &str = "application/json";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_consumer_sees_every_task_in_order() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    for i in 0..10 {
        producer
            .enqueue("echo", JSON, echo(&i.to_string()), None)
            .await?;
    }
    let client = Client::new(Arc::new(producer), Arc::new(JsonDocument));
    client.call(Sleep { seconds: 0.0 }).await?;

    let recorder = Recorder::default();
    let a = QueueConsumer::open(&path, "a", ConsumerOptions::default())?;
    let b = QueueConsumer::open(
        &path,
        "b",
        ConsumerOptions::default().with_checkpoint_every(4),
    )?;
    let (ra, rb) = tokio::join!(
        run_until(&path, a, server(&recorder), drained("a")),
        run_until(&path, b, server(&recorder), drained("b")),
    );
    ra?;
    rb?;
    let expected: Vec<i64> = (1..=11).collect();
    assert_eq!(recorder.tasks_of("a"), expected);
    assert_eq!(recorder.tasks_of("b"), expected);
    let last = recorder.all().into_iter().find(|s| s.1 == 11).map(|s| s.3);
    assert_eq!(
        last.as_deref(),
        Some("sleep"),
        "the typed client enqueued a call"
    );
    Ok(())
}

#[tokio::test]
async fn a_restarted_consumer_resumes_after_its_checkpoint() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    producer
        .enqueue_batch((0..3).map(|i| task("echo", echo(&i.to_string()))))
        .await?;
    let recorder = Recorder::default();
    let consumer = QueueConsumer::open(&path, "w", ConsumerOptions::default())?;
    run_until(&path, consumer, server(&recorder), drained("w")).await?;

    producer
        .enqueue_batch((3..5).map(|i| task("echo", echo(&i.to_string()))))
        .await?;
    let consumer = QueueConsumer::open(&path, "w", ConsumerOptions::default())?;
    run_until(&path, consumer, server(&recorder), drained("w")).await?;
    assert_eq!(recorder.tasks_of("w"), [1, 2, 3, 4, 5]);
    Ok(())
}

#[tokio::test]
async fn bad_tasks_are_recorded_and_the_consumer_carries_on() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    producer
        .enqueue("echo", JSON, vec![0xff, 0xfe, b'{'], None)
        .await?;
    producer
        .enqueue("no_such_method", JSON, b"{}".to_vec(), None)
        .await?;
    let past = SystemTime::now() - Duration::from_secs(1);
    producer
        .enqueue("echo", JSON, echo("late"), Some(past))
        .await?;
    producer.enqueue("echo", JSON, echo("fine"), None).await?;

    let recorder = Recorder::default();
    let consumer = QueueConsumer::open(&path, "w", ConsumerOptions::default())?;
    run_until(&path, consumer, server(&recorder), drained("w")).await?;
    assert_eq!(recorder.tasks_of("w"), [4]);

    let admin = QueueAdmin::open(&path, QueueOptions::default())?;
    let failures = admin.failures().await?;
    let codes: Vec<_> = failures
        .iter()
        .map(|f| (f.task_id, f.faultcode.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            (1, "Client.Malformed"),
            (2, "Client.UnknownMethod"),
            (3, EXPIRED)
        ]
    );
    let status = admin.status().await?;
    assert_eq!(status.failures, 3);
    assert_eq!(status.consumers[0].checkpoint, 4);
    Ok(())
}

#[tokio::test]
async fn the_retry_policy_runs_a_task_again_then_records_it() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    producer
        .enqueue("fail", JSON, br#"{"message":"no"}"#.to_vec(), None)
        .await?;
    producer.enqueue("echo", JSON, echo("next"), None).await?;

    let policy = FailurePolicy::Retry {
        max_attempts: 3,
        backoff: Duration::from_millis(1),
    };
    let options = ConsumerOptions::default().with_failure_policy(policy);
    let recorder = Recorder::default();
    let consumer = QueueConsumer::open(&path, "w", options)?;
    run_until(&path, consumer, server(&recorder), drained("w")).await?;
    let attempts: Vec<_> = recorder.all().iter().map(|s| (s.1, s.2)).collect();
    assert_eq!(attempts, [(1, 0), (1, 1), (1, 2), (2, 0)]);

    let failures = QueueAdmin::open(&path, QueueOptions::default())?
        .failures()
        .await?;
    assert_eq!(failures.len(), 1);
    assert_eq!(
        (failures[0].faultcode.as_str(), failures[0].attempts),
        ("Client", 3)
    );
    Ok(())
}

#[tokio::test]
async fn the_halt_policy_stops_before_the_failing_task() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    producer.enqueue("echo", JSON, echo("one"), None).await?;
    producer
        .enqueue("fail", JSON, br#"{"message":"stop"}"#.to_vec(), None)
        .await?;
    producer.enqueue("echo", JSON, echo("three"), None).await?;

    let options = ConsumerOptions::default().with_failure_policy(FailurePolicy::Halt);
    let recorder = Recorder::default();
    let consumer = QueueConsumer::open(&path, "w", options)?;
    let result = run_until(&path, consumer, server(&recorder), |_| false).await;
    assert!(
        matches!(result, Err(QueueError::Halted { task_id: 2, .. })),
        "{result:?}"
    );

    let admin = QueueAdmin::open(&path, QueueOptions::default())?;
    let status = admin.status().await?;
    assert_eq!((status.consumers[0].checkpoint, status.failures), (1, 1));
    assert_eq!(recorder.tasks_of("w"), [1, 2]);
    Ok(())
}

#[tokio::test]
async fn a_failing_batch_inserts_nothing() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    // The second task has no method: the schema refuses it mid-batch.
    let batch = [
        task("echo", echo("a")),
        task("", echo("b")),
        task("echo", echo("c")),
    ];
    assert!(producer.enqueue_batch(batch).await.is_err());
    let admin = QueueAdmin::open(&path, QueueOptions::default())?;
    assert_eq!(admin.status().await?.tasks, 0);

    let ids = producer
        .enqueue_batch([task("echo", echo("a")), task("echo", echo("b"))])
        .await?;
    assert_eq!(ids, [1, 2]);
    assert_eq!(admin.status().await?.tasks, 2);
    Ok(())
}

fn task(method: &str, data: Vec<u8>) -> NewTask {
    NewTask {
        method: method.to_owned().into(),
        content_type: JSON.into(),
        data,
        expires_at: None,
    }
}

#[tokio::test]
async fn a_locked_file_gives_a_clear_busy_error() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("q.db");
    let budget = Duration::from_millis(50);
    let producer = QueueProducer::open(&path, QueueOptions::default().with_busy_timeout(budget))?;
    let mut locker = rusqlite::Connection::open(&path)?;
    let tx = locker.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let result = producer.enqueue("echo", JSON, echo("x"), None).await;
    assert!(
        matches!(result, Err(QueueError::Busy { waited }) if waited == budget),
        "{result:?}"
    );
    tx.rollback()?;
    producer.enqueue("echo", JSON, echo("x"), None).await?;
    Ok(())
}

#[tokio::test]
async fn a_failed_json_rpc_notification_is_recorded() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    // A notification (no id): nothing is answered, but the failure counts.
    let notification = br#"{"jsonrpc":"2.0","method":"fail","params":["lost?"]}"#.to_vec();
    producer.enqueue("fail", JSON, notification, None).await?;
    let recorder = Recorder::default();
    let app = switchboard::Application::builder()
        .services(["demo"])
        .listener(recorder.clone())
        .build()?;
    let server = switchboard::Server::new(app, switchboard_json::JsonRpc);
    let consumer = QueueConsumer::open(&path, "w", ConsumerOptions::default())?;
    run_until(&path, consumer, server, drained("w")).await?;
    let admin = QueueAdmin::open(&path, QueueOptions::default())?;
    let failures = admin.failures().await?;
    let codes: Vec<_> = failures.iter().map(|f| f.faultcode.as_str()).collect();
    assert_eq!(codes, ["Client"]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enqueue_waits_out_a_brief_lock_held_by_another_connection() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    // Another process, as far as SQLite knows: its own connection holds the
    // write lock, so the producer's quick try fails and it must wait.
    let mut locker = rusqlite::Connection::open(&path)?;
    let tx = locker.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let enqueue = tokio::spawn({
        let producer = producer.clone();
        async move { producer.enqueue("echo", JSON, echo("late"), None).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !enqueue.is_finished(),
        "no commit is possible while the lock is held"
    );
    tx.rollback()?;
    let id = enqueue.await??;
    assert_eq!(id, 1);
    Ok(())
}

#[tokio::test]
async fn tasks_that_await_timers_run_on_a_current_thread_runtime() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    for _ in 0..3 {
        producer
            .enqueue("sleep", JSON, br#"{"seconds":0.05}"#.to_vec(), None)
            .await?;
    }
    let recorder = Recorder::default();
    let consumer = QueueConsumer::open(&path, "w", ConsumerOptions::default())?;
    let started = std::time::Instant::now();
    run_until(&path, consumer, server(&recorder), drained("w")).await?;
    assert_eq!(recorder.tasks_of("w"), [1, 2, 3]);
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "each task slept its 50 ms"
    );
    let admin = QueueAdmin::open(&path, QueueOptions::default())?;
    assert_eq!(admin.status().await?.failures, 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_consumer_future_stops_its_thread() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    let admin = QueueAdmin::open(&path, QueueOptions::default())?;
    producer.enqueue("echo", JSON, echo("1"), None).await?;
    let recorder = Recorder::default();
    let consumer = QueueConsumer::open(&path, "w", ConsumerOptions::default())?;
    let running = tokio::spawn(consumer.run(server(&recorder), std::future::pending()));
    while !drained("w")(&admin.status().await?) {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    running.abort();
    assert!(running.await.is_err_and(|err| err.is_cancelled()));
    // A running consumer would be woken by this enqueue and run it at once.
    producer.enqueue("echo", JSON, echo("2"), None).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(recorder.tasks_of("w"), [1]);
    let status = admin.status().await?;
    assert_eq!(status.consumers.first().map(|c| c.lag), Some(1));
    Ok(())
}

#[tokio::test]
async fn any_worker_id_works_even_with_a_nul_byte() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    producer.enqueue("echo", JSON, echo("1"), None).await?;
    let recorder = Recorder::default();
    let consumer = QueueConsumer::open(&path, "odd\0id", ConsumerOptions::default())?;
    run_until(&path, consumer, server(&recorder), drained("odd\0id")).await?;
    assert_eq!(recorder.tasks_of("odd\0id"), [1]);
    Ok(())
}

/// Sleeps `ms`, then fails.
#[switchboard::rpc(service = "qtest")]
async fn slow_fail(ms: u64) -> Result<(), switchboard::Fault> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Err(switchboard::Fault::new("Server.Flaky", "failed late"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_failing_after_the_stop_signal_is_left_for_the_next_run() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    producer
        .enqueue("slow_fail", JSON, br#"{"ms":300}"#.to_vec(), None)
        .await?;
    let app = switchboard::Application::builder()
        .services(["qtest"])
        .build()?;
    let server = || switchboard::Server::new(app.clone(), JsonDocument);
    let admin = QueueAdmin::open(&path, QueueOptions::default())?;

    // Stopped while the task runs: it fails after the signal, so it is
    // neither recorded nor passed.
    let consumer = QueueConsumer::open(&path, "w", ConsumerOptions::default())?;
    let stop = tokio::time::sleep(Duration::from_millis(100));
    consumer.run(server(), stop).await?;
    let status = admin.status().await?;
    assert_eq!(status.failures, 0);
    assert_eq!(status.consumers.first().map(|c| c.lag), Some(1));

    // The next run meets it again and records it.
    let consumer = QueueConsumer::open(&path, "w", ConsumerOptions::default())?;
    run_until(&path, consumer, server(), drained("w")).await?;
    let failures = admin.failures().await?;
    let codes: Vec<_> = failures.iter().map(|f| f.faultcode.as_str()).collect();
    assert_eq!(codes, ["Server.Flaky"]);
    Ok(())
}
