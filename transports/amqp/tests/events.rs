//! `AmqpClient::publish_event`: events on a fanout exchange nobody may be
//! listening to are published without `mandatory`, so an exchange without
//! queues drops them instead of failing the call; `publish` still fails.

mod common;

use common::{TestResult, connect, delete, message_count, settings, unique};
use lapin::ExchangeKind;
use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use switchboard::TransportError;
use switchboard_amqp::{AmqpClient, ClientOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_to_nobody_are_dropped_and_events_to_someone_arrive() -> TestResult {
    let exchange = unique("events");
    let queue = unique("events-queue");
    let connection = connect("events").await?;
    let channel = connection.create_channel().await?;
    channel
        .exchange_declare(
            exchange.as_str().into(),
            ExchangeKind::Fanout,
            ExchangeDeclareOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let client = AmqpClient::connect(settings("events"), ClientOptions::to_queue("unused")).await?;

    // Nobody listens: an event is fine, a mandatory publish is refused.
    client
        .publish_event(&exchange, "", "application/json", b"{}")
        .await?;
    let refused = client
        .publish(&exchange, "", "application/json", b"{}")
        .await;
    assert!(
        matches!(refused, Err(TransportError::Unexpected(_))),
        "{refused:?}"
    );

    // Someone listens: the event arrives.
    channel
        .queue_declare(
            queue.as_str().into(),
            QueueDeclareOptions::default(),
            FieldTable::default(),
        )
        .await?;
    channel
        .queue_bind(
            queue.as_str().into(),
            exchange.as_str().into(),
            "".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    client
        .publish_event(
            &exchange,
            "",
            "application/json",
            br#"{"task":"statistics"}"#,
        )
        .await?;
    assert_eq!(message_count(&queue).await?, 1);

    client.close().await;
    connection.close(200, "done".into()).await?;
    delete(&[&queue], &[&exchange]).await;
    Ok(())
}
