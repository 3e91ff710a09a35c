//! Work-queue groups: each task to one member, leases redelivered.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{Recorder, TestResult, echo, fresh_queue, run_until, server};
use switchboard_sqlite_queue::{
    ConsumerOptions, QueueAdmin, QueueConsumer, QueueOptions, QueueStatus,
};

const JSON: &str = "application/json";

fn group_done(status: &QueueStatus) -> bool {
    status.groups.iter().any(|g| g.name == "g" && g.lag == 0) && status.last_task_id > 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_task_goes_to_exactly_one_member() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    for i in 0..30 {
        producer
            .enqueue("echo", JSON, echo(&i.to_string()), None)
            .await?;
    }
    let recorder = Recorder::default();
    let member = |id: &str| {
        QueueConsumer::open(&path, id, ConsumerOptions::default()).map(|c| c.with_group("g"))
    };
    let (a, b, c) = tokio::join!(
        run_until(&path, member("a")?, server(&recorder), group_done),
        run_until(&path, member("b")?, server(&recorder), group_done),
        run_until(&path, member("c")?, server(&recorder), group_done),
    );
    a?;
    b?;
    c?;
    let mut runs: HashMap<i64, usize> = HashMap::new();
    for seen in recorder.all() {
        *runs.entry(seen.1).or_default() += 1;
    }
    assert_eq!(runs.len(), 30);
    assert!(runs.values().all(|&n| n == 1), "{runs:?}");

    let status = QueueAdmin::open(&path, QueueOptions::default())?
        .status()
        .await?;
    assert_eq!((status.groups[0].floor, status.groups[0].leased), (30, 0));
    assert!(
        status.consumers.is_empty(),
        "members are not fan-out consumers"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_members_task_is_redelivered_after_the_lease() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    producer.enqueue("echo", JSON, echo("x"), None).await?;
    let options = ConsumerOptions::default().with_visibility_timeout(Duration::from_millis(200));

    // Member "a" hangs inside the task; then it is killed (its future dropped).
    let recorder = Recorder {
        hang_worker: Some("a".to_owned()),
        ..Recorder::default()
    };
    let a = QueueConsumer::open(&path, "a", options.clone())?.with_group("g");
    let hung = tokio::spawn(a.run(server(&recorder), std::future::pending()));
    while recorder.all().is_empty() {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let admin = QueueAdmin::open(&path, QueueOptions::default())?;
    assert_eq!(admin.status().await?.groups[0].leased, 1);
    hung.abort();

    let b = QueueConsumer::open(&path, "b", options)?.with_group("g");
    run_until(&path, b, server(&recorder), group_done).await?;
    let seen: Vec<_> = recorder
        .all()
        .into_iter()
        .map(|s| (s.0, s.1, s.2))
        .collect();
    assert_eq!(seen, [("a".to_owned(), 1, 0), ("b".to_owned(), 1, 1)]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_past_its_deliveries_is_recorded_as_failed() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    producer.enqueue("echo", JSON, echo("x"), None).await?;
    let options = ConsumerOptions::default()
        .with_visibility_timeout(Duration::from_millis(50))
        .with_max_deliveries(1);
    let recorder = Recorder {
        hang_worker: Some("a".to_owned()),
        ..Recorder::default()
    };
    let a = QueueConsumer::open(&path, "a", options.clone())?.with_group("g");
    let hung = tokio::spawn(a.run(server(&recorder), std::future::pending()));
    while recorder.all().is_empty() {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    hung.abort();

    let b = QueueConsumer::open(&path, "b", options)?.with_group("g");
    run_until(&path, b, server(&recorder), group_done).await?;
    assert_eq!(recorder.tasks_of("b"), [] as [i64; 0]);
    let failures = QueueAdmin::open(&path, QueueOptions::default())?
        .failures()
        .await?;
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].faultcode, "Server.TooManyDeliveries");
    assert_eq!(failures[0].group.as_deref(), Some("g"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewed_lease_lets_a_task_outlast_the_visibility_timeout() -> TestResult {
    let (_dir, path, producer) = fresh_queue()?;
    // Four times the lease: without renewal the other member would take it.
    producer
        .enqueue("sleep", JSON, br#"{"seconds":0.6}"#.to_vec(), None)
        .await?;
    let options = ConsumerOptions::default()
        .with_visibility_timeout(Duration::from_millis(150))
        .with_lease_renewal(true);
    let recorder = Recorder::default();
    let member =
        |id: &str| QueueConsumer::open(&path, id, options.clone()).map(|c| c.with_group("g"));
    let (a, b) = tokio::join!(
        run_until(&path, member("a")?, server(&recorder), group_done),
        run_until(&path, member("b")?, server(&recorder), group_done),
    );
    a?;
    b?;
    let runs: Vec<_> = recorder.all().into_iter().map(|s| (s.1, s.2)).collect();
    assert_eq!(runs, [(1, 0)], "one run, on the first delivery");
    let admin = QueueAdmin::open(&path, QueueOptions::default())?;
    assert_eq!(admin.status().await?.failures, 0);
    Ok(())
}
