//! The whole system on RabbitMQ, each test in a private vhost of the local
//! broker (the course's names `stats`, `notifications` and `logs` are
//! fixed, so tests running at once would meet in one vhost).

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{SLOW_WAIT, System, TestResult, Vhost, WAIT, assert_stats_of, bounded, values};
use futures_util::StreamExt;
use lapin::options::{
    BasicConsumeOptions, BasicPublishOptions, ExchangeDeclareOptions, QueueBindOptions,
    QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, ExchangeKind};
use switchboard_stats::{LogEntry, Settings};

/// Declares what the course's programs declare, as they declare it: the
/// broker refuses any of these if ours differ.
async fn declare_as_the_course(channel: &Channel) -> Result<u32, lapin::Error> {
    for exchange in ["notifications", "logs"] {
        channel
            .exchange_declare(
                exchange.into(),
                ExchangeKind::Fanout,
                ExchangeDeclareOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    let queue = channel
        .queue_declare(
            "stats".into(),
            QueueDeclareOptions::default(),
            FieldTable::default(),
        )
        .await?;
    Ok(queue.message_count())
}

/// A private queue bound to the fanout `exchange`, consumed without acks.
async fn listen(channel: &Channel, exchange: &str) -> Result<lapin::Consumer, lapin::Error> {
    let queue = channel
        .queue_declare(
            "".into(),
            QueueDeclareOptions {
                exclusive: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await?;
    channel
        .queue_bind(
            queue.name().clone(),
            exchange.into(),
            "".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    channel
        .basic_consume(
            queue.name().clone(),
            "".into(),
            BasicConsumeOptions {
                no_ack: true,
                ..BasicConsumeOptions::default()
            },
            FieldTable::default(),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn measure_get_wait_get_delete_recompute_on_rabbitmq() -> TestResult {
    bounded(measure_get_wait_get_delete_recompute_on_rabbitmq_inner()).await
}

async fn measure_get_wait_get_delete_recompute_on_rabbitmq_inner() -> TestResult {
    let vhost = Vhost::create("e2e");
    let system = System::start(|_| Settings::amqp(vhost.settings())).await?;
    let _worker = system.worker("w1");
    let data = values(1000, 2);
    system.client.measure("s1", &data).await?;
    let stats = system.client.get("s1", Some(WAIT)).await?;
    assert_stats_of(&stats, &data);
    assert_eq!(system.client.get_once("s1").await?.as_ref(), Some(&stats));
    system.client.delete("s1").await?;
    let recomputed = system.client.get("s1", Some(WAIT)).await?;
    assert_stats_of(&recomputed, &data);

    let connection = vhost.settings().connect().await?;
    let channel = connection.create_channel().await?;
    assert_eq!(
        declare_as_the_course(&channel).await?,
        0,
        "every task was taken"
    );
    connection.close(200, "done".into()).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_compute_each_of_100_sensors_once() -> TestResult {
    bounded(three_workers_compute_each_of_100_sensors_once_inner()).await
}

async fn three_workers_compute_each_of_100_sensors_once_inner() -> TestResult {
    let vhost = Vhost::create("fleet");
    let system = System::start(|_| Settings::amqp(vhost.settings())).await?;
    let workers: Vec<_> = ["w1", "w2", "w3"]
        .iter()
        .map(|id| system.worker(id))
        .collect();
    let connection = vhost.settings().connect().await?;
    let channel = connection.create_channel().await?;
    declare_as_the_course(&channel).await?;
    let mut notifications = listen(&channel, "notifications").await?;
    let sensors: Vec<String> = (0..100).map(|i| format!("sensor-{i}")).collect();
    for (i, sensor) in sensors.iter().enumerate() {
        system.client.measure(sensor, &values(50, i)).await?;
    }
    // Every client asks at once, and each asks twice.
    let mut asking = tokio::task::JoinSet::new();
    for (i, sensor) in sensors.iter().cloned().enumerate() {
        for _ in 0..2 {
            let client = system.client.clone();
            let sensor = sensor.clone();
            asking.spawn(async move {
                let stats = client.get(&sensor, Some(WAIT)).await;
                (i, stats)
            });
        }
    }
    while let Some(joined) = asking.join_next().await {
        let (i, stats) = joined?;
        assert_stats_of(&stats?, &values(50, i));
    }
    // Each sensor was announced once: count until the notifications stop.
    let mut counts: HashMap<String, u32> = HashMap::new();
    while let Ok(Some(delivery)) =
        tokio::time::timeout(Duration::from_millis(500), notifications.next()).await
    {
        let notification: switchboard_stats::Notification =
            serde_json::from_slice(&delivery?.data)?;
        *counts.entry(notification.sensor).or_default() += 1;
    }
    assert_eq!(counts.len(), 100);
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
    assert!(workers.iter().all(|w| !w.is_finished()));
    connection.close(200, "done".into()).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tasks_are_logged_dead_lettered_and_passed_on_rabbitmq() -> TestResult {
    bounded(bad_tasks_are_logged_dead_lettered_and_passed_on_rabbitmq_inner()).await
}

async fn bad_tasks_are_logged_dead_lettered_and_passed_on_rabbitmq_inner() -> TestResult {
    let vhost = Vhost::create("bad");
    let system = System::start(|_| Settings::amqp(vhost.settings())).await?;
    system.client.measure("s1", &[5.0]).await?;
    let _worker = system.worker("w1");
    let connection = vhost.settings().connect().await?;
    let channel = connection.create_channel().await?;
    declare_as_the_course(&channel).await?;
    let mut logs = listen(&channel, "logs").await?;
    let mut notifications = listen(&channel, "notifications").await?;
    let mut huge = String::from(r#"{"sensor": "s1", "data": [0"#);
    huge.push_str(&",0".repeat(9_999_999));
    huge.push_str("]}");
    let bad: Vec<(Vec<u8>, &str)> = vec![
        (br#"{"data": [1, 2]}"#.to_vec(), "sensor"),
        (
            br#"{"data": [1, "two"], "sensor": "s1"}"#.to_vec(),
            "expected f64",
        ),
        (br#"{"data": [], "sensor": "s1"}"#.to_vec(), "no data"),
        (b"data=1,2&sensor=s1".to_vec(), "Client.Malformed"),
        (huge.into_bytes(), "10000000 values"),
        (
            br#"{"data": [1], "sensor": "ghost"}"#.to_vec(),
            "no sensor `ghost`",
        ),
    ];
    // As the course's `_send_task` publishes: default exchange, no properties.
    for body in bad
        .iter()
        .map(|(body, _)| body.as_slice())
        .chain([br#"{"data": [1, 3], "sensor": "s1"}"#.as_slice()])
    {
        channel
            .basic_publish(
                "".into(),
                "stats".into(),
                BasicPublishOptions::default(),
                body,
                BasicProperties::default(),
            )
            .await?
            .await?;
    }
    let good = tokio::time::timeout(SLOW_WAIT, notifications.next())
        .await?
        .ok_or("no notification")??;
    assert_eq!(good.data, br#"{"task":"statistics","sensor":"s1"}"#);
    assert_eq!(
        system.client.get_once("s1").await?.map(|s| s.mean),
        Some(2.0)
    );
    // Tasks run concurrently (prefetch): the entries come in any order.
    let mut entries = Vec::new();
    for _ in &bad {
        let delivery = tokio::time::timeout(SLOW_WAIT, logs.next())
            .await?
            .ok_or("no log")??;
        entries.push(serde_json::from_slice::<LogEntry>(&delivery.data)?.content);
    }
    for (_, word) in &bad {
        assert!(
            entries.iter().any(|e| e.contains(word)),
            "{word}: {entries:?}"
        );
    }
    // Logged as it failed; dead-lettered once its reply stage is done.
    let deadline = tokio::time::Instant::now() + SLOW_WAIT;
    loop {
        let dead = channel
            .queue_declare(
                "stats.failed".into(),
                QueueDeclareOptions {
                    passive: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        if dead.message_count() as usize == bad.len() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "dead letters: {}",
            dead.message_count()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    connection.close(200, "done".into()).await?;
    Ok(())
}
