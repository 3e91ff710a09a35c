//! A one-way call's receipt names the message it published: the
//! `message_id` a consumer (any AMQP program) reads, unique per message.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use lapin::options::{BasicGetOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use serde_json::json;
use switchboard::Client;
use switchboard_amqp::{AmqpClient, ClientOptions};
use switchboard_json::JsonRpc;

use common::{PATIENCE, TestResult, connect, delete, settings, unique};

/// Takes the next message from `queue`, waiting (bounded) for it: its
/// message id and body.
async fn take(channel: &lapin::Channel, queue: &str) -> Result<(Option<String>, Vec<u8>), String> {
    let start = Instant::now();
    loop {
        let got = channel
            .basic_get(queue.into(), BasicGetOptions { no_ack: true })
            .await
            .map_err(|e| e.to_string())?;
        if let Some(message) = got {
            let props = &message.delivery.properties;
            let id = props.message_id().as_ref().map(ToString::to_string);
            return Ok((id, message.delivery.data));
        }
        if start.elapsed() > PATIENCE {
            return Err(format!("no message in {queue} within {PATIENCE:?}"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_way_receipt_is_the_message_id_consumers_read() -> TestResult {
    let connection = connect("receipt").await?;
    let channel = connection.create_channel().await?;
    let queue = unique("receipt");
    channel
        .queue_declare(
            queue.as_str().into(),
            QueueDeclareOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let transport =
        AmqpClient::connect(settings("receipt client"), ClientOptions::to_queue(&queue)).await?;
    let client = Client::new(Arc::new(transport), Arc::new(JsonRpc));

    let first = client
        .notify_named("echo", &json!({"s": "first"}), None)
        .await?;
    let second = client
        .notify_named("echo", &json!({"s": "second"}), None)
        .await?;
    let (first_id, second_id) = (first.id().ok_or("no id")?, second.id().ok_or("no id")?);
    assert_ne!(first_id, second_id, "each message has its own id");

    let (id, body) = take(&channel, &queue).await?;
    assert_eq!(id.as_deref(), Some(first_id));
    assert!(String::from_utf8_lossy(&body).contains("first"));
    let (id, _) = take(&channel, &queue).await?;
    assert_eq!(id.as_deref(), Some(second_id));

    let _ = connection.close(200, "done".into()).await;
    delete(&[&queue], &[]).await;
    Ok(())
}
