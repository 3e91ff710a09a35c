//! RabbitMQ as a message bus, reached through the catalog as a service
//! reaches it: the bus suite, and what pika programs meet on the broker
//! (the declarations they make succeed; tasks are what they publish).

mod common;

use common::{PATIENCE, TestResult, addr, connect, delete, unique};
use lapin::ExchangeKind;
use lapin::options::{BasicGetOptions, ExchangeDeclareOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use switchboard::catalog::{self, Address, BusSettings};
use switchboard_amqp as _; // its catalog entry
use switchboard_json as _; // tasks are encoded in the JSON document

fn settings() -> Result<BusSettings, &'static str> {
    let json = catalog::protocol("json").ok_or("json is linked")?;
    Ok(BusSettings::new(json).with_client_name("switchboard-test bus"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bus_keeps_the_contract() -> TestResult {
    connect("bus suite").await?;
    let name = unique("bus");
    let suite = switchboard_testing::bus_suite(Address::parse(&addr())?, &name).await;
    let (a, b, failed) = (
        format!("{name}.a"),
        format!("{name}.b"),
        format!("{name}.failed"),
    );
    delete(&[&name, &failed], &[&a, &b, &failed]).await;
    Ok(suite?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pika_programs_meet_what_the_bus_declares_and_sends() -> TestResult {
    let connection = connect("bus pika").await?;
    let (queue, topic) = (unique("bus-queue"), unique("bus-topic"));
    let bus = catalog::open_bus(Address::parse(&addr())?, settings()?)?;
    bus.enqueue(
        &queue,
        "compute_stats",
        br#"{"data": [1], "sensor": "s"}"#.to_vec(),
    )
    .await?;
    bus.publish(&topic, b"{}".to_vec()).await?;

    // As pika declares them: the broker refuses any that differs.
    let channel = connection.create_channel().await?;
    channel
        .exchange_declare(
            topic.as_str().into(),
            ExchangeKind::Fanout,
            ExchangeDeclareOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let declared = channel
        .queue_declare(
            queue.as_str().into(),
            QueueDeclareOptions::default(),
            FieldTable::default(),
        )
        .await?;
    assert_eq!(declared.message_count(), 1);
    let task = tokio::time::timeout(
        PATIENCE,
        channel.basic_get(queue.as_str().into(), BasicGetOptions { no_ack: true }),
    )
    .await??
    .ok_or("no task")?;
    assert_eq!(task.delivery.data, br#"{"data": [1], "sensor": "s"}"#);
    let properties = &task.delivery.properties;
    assert_eq!(
        properties.content_type().as_ref().map(|t| t.as_str()),
        Some("application/json")
    );
    assert_eq!(*properties.delivery_mode(), Some(1), "transient, as pika's");
    delete(&[&queue], &[&topic]).await;
    connection.close(200, "done".into()).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bus_opens_while_the_broker_is_away_and_fails_on_use() -> TestResult {
    // Nothing listens on port 9: opening does not connect, using does.
    let address = Address::parse("amqp://127.0.0.1:9/%2f")?;
    let bus = catalog::open_bus(address, settings()?)?;
    let err = bus.publish("anything", b"{}".to_vec()).await.unwrap_err();
    assert!(
        matches!(err, switchboard::TransportError::Connect(_)),
        "{err}"
    );
    Ok(())
}
