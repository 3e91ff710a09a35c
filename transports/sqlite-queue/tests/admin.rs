//! Queue operations: status, gc, retry.

mod common;

use common::{Recorder, TestResult, drained, echo, fresh_queue, run_until, server};
use switchboard_sqlite_queue::{
    ConsumerOptions, QueueAdmin, QueueConsumer, QueueError, QueueOptions,
};

const JSON: &str = "application/json";

#[tokio::test]
async fn gc_keeps_what_a_consumer_still_needs_and_unretried_failures() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    let admin = QueueAdmin::open(&path, QueueOptions::default())?;
    producer.enqueue("echo", JSON, echo("1"), None).await?;
    producer
        .enqueue("no_such_method", JSON, b"{}".to_vec(), None)
        .await?;
    producer.enqueue("echo", JSON, echo("3"), None).await?;
    assert_eq!(
        admin.gc().await?,
        0,
        "no consumer registered: nothing is collected"
    );

    let recorder = Recorder::default();
    for worker in ["a", "b"] {
        let consumer = QueueConsumer::open(&path, worker, ConsumerOptions::default())?;
        run_until(&path, consumer, server(&recorder), drained(worker)).await?;
    }
    producer.enqueue("echo", JSON, echo("4"), None).await?;
    producer.enqueue("echo", JSON, echo("5"), None).await?;
    let a = QueueConsumer::open(&path, "a", ConsumerOptions::default())?;
    run_until(&path, a, server(&recorder), drained("a")).await?;

    let status = admin.status().await?;
    let lags: Vec<_> = status
        .consumers
        .iter()
        .map(|c| (c.checkpoint, c.lag))
        .collect();
    assert_eq!(lags, [(5, 0), (3, 2)]);
    assert_eq!(
        (status.tasks, status.last_task_id, status.failures),
        (5, 5, 2)
    );

    // Tasks 1 and 3 go; task 2 failed and was not retried; 4 and 5 are b's.
    assert_eq!(admin.gc().await?, 2);
    assert_eq!(admin.status().await?.tasks, 3);

    let new_id = admin.retry(2).await?;
    assert_eq!(new_id, 6);
    let failures = admin.failures().await?;
    assert!(failures.iter().all(|f| f.retried_as == Some(6)));
    assert_eq!(
        admin.gc().await?,
        1,
        "a retried failure no longer pins its task"
    );
    assert!(matches!(
        admin.retry(2).await,
        Err(QueueError::NoSuchTask(2))
    ));
    Ok(())
}
