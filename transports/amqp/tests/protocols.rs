//! One queue, both JSON protocols: a consumer configured for JSON-RPC (its
//! default) and the JSON document picks the protocol a message's
//! `content_type` tags (`application/json; protocol=jsonrpc`), answers in
//! it, reads untagged messages by media type, and refuses a tag it does
//! not read.

mod common;

use futures_util::StreamExt;
use lapin::options::BasicPublishOptions;
use lapin::{BasicProperties, Channel};
use serde_json::{Value, json};
use switchboard::protocol::tagged_content_type;
use switchboard::{Application, Server};
use switchboard_amqp::{Binding, QueueSpec, ServerOptions};
use switchboard_demo as _;
use switchboard_json::{JsonDocument, JsonRpc};

use common::{PATIENCE, Running, TestResult, connect, unique, wait_consumers};

/// An RPC call as another program makes it: direct reply-to, a
/// correlation id, and `content_type` as given. Returns the reply.
async fn raw_call(
    channel: &Channel,
    queue: &str,
    content_type: &str,
    body: &Value,
) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    let mut replies = common::reply_consumer(channel).await?;
    let props = BasicProperties::default()
        .with_content_type(content_type.into())
        .with_reply_to("amq.rabbitmq.reply-to".into())
        .with_correlation_id("mixed-1".into());
    let body = serde_json::to_vec(body)?;
    channel
        .basic_publish(
            "".into(),
            queue.into(),
            BasicPublishOptions::default(),
            &body,
            props,
        )
        .await?
        .await?;
    let reply = tokio::time::timeout(PATIENCE, replies.next())
        .await?
        .ok_or("no reply")??;
    Ok(serde_json::from_slice(&reply.data)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_queue_answers_each_json_protocol_in_its_own() -> TestResult {
    let connection = connect("mixed protocols").await?;
    let app = Application::builder().services(["demo"]).build()?;
    let queue = unique("mixed");
    let options = ServerOptions::new(Binding::work_queue(
        QueueSpec::new(&queue).auto_delete(true),
    ))
    .with_protocol("application/json", JsonDocument);
    let running = Running::start("mixed protocols", options, Server::new(app, JsonRpc));
    wait_consumers(&queue, 1).await?;
    // One channel per call: each has its own direct reply-to consumer.
    let call = async |content_type: &str, body: Value| {
        let channel = connection.create_channel().await?;
        raw_call(&channel, &queue, content_type, &body).await
    };

    let rpc = json!({"jsonrpc": "2.0", "method": "sum", "params": {"a": 2, "b": 3}, "id": 7});
    let answer = call(&tagged_content_type("application/json", "jsonrpc"), rpc).await?;
    assert_eq!(answer, json!({"jsonrpc": "2.0", "result": 5.0, "id": 7}));

    let document = json!({"echo": {"s": "as a document"}});
    let tagged = tagged_content_type("application/json", "json");
    assert_eq!(call(&tagged, document).await?, json!("as a document"));

    // Tags are read as any content type parameter: case, quotes, charset.
    let rpc = json!({"jsonrpc": "2.0", "method": "echo", "params": {"s": "quoted"}, "id": 8});
    let answer = call("Application/JSON; charset=utf-8; Protocol=\"jsonrpc\"", rpc).await?;
    assert_eq!(
        answer,
        json!({"jsonrpc": "2.0", "result": "quoted", "id": 8})
    );

    // Untagged (pika's way): the configured protocol of that media type.
    let document = json!({"echo": {"s": "untagged"}});
    assert_eq!(call("application/json", document).await?, json!("untagged"));

    // A tag the queue does not read: refused, in the default protocol.
    let rpc = json!({"jsonrpc": "2.0", "method": "echo", "params": {"s": "x"}, "id": 9});
    let answer = call("application/json; protocol=soap11", rpc).await?;
    let message = answer["error"]["message"]
        .as_str()
        .ok_or("no error message")?;
    assert!(message.contains("does not read"), "{answer}");
    assert!(message.contains("in protocol `json`"), "{answer}");

    let _ = connection.close(200, "done".into()).await;
    running.stop().await
}
