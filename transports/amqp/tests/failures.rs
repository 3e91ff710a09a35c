//! Poison messages and bad input, as another program (pika) would publish
//! them: each ends in the dead-letter queue with the fault in its headers,
//! after the configured attempts where retrying can help; an RPC caller
//! gets the fault as its reply too; and the consumer keeps serving.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use lapin::options::{BasicGetOptions, BasicPublishOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel};
use serde_json::{Value, json};
use switchboard::{Application, Client, Fault, Server, rpc};
use switchboard_amqp::server::{
    ATTEMPT_HEADER, FAULT_CODE_HEADER, FAULT_STRING_HEADER, ORIGINAL_ROUTING_KEY_HEADER,
};
use switchboard_amqp::{
    AmqpClient, Binding, BindingSpec, ClientOptions, ExchangeSpec, QueueSpec, ServerOptions,
    Topology,
};
use switchboard_demo as _;
use switchboard_json::JsonRpc;

use common::{PATIENCE, Running, TestResult, connect, delete, settings, unique, wait_consumers};

/// Always fails on the server's side.
#[rpc(service = "poison", one_way)]
fn explode(why: String) -> Result<(), Fault> {
    Err(Fault::server(why))
}

/// `(label, body, content type, expected fault code, expected attempts)`.
type Case<'a> = (&'a str, Vec<u8>, Option<&'a str>, &'a str, &'a str);

/// A dead letter as read back: its case label, fault code and attempts.
#[derive(Debug)]
struct DeadLetter {
    headers: BTreeMap<String, String>,
}

async fn publish(
    channel: &Channel,
    queue: &str,
    case: &str,
    body: &[u8],
    content_type: Option<&str>,
) -> TestResult {
    let mut headers = FieldTable::default();
    headers.insert("case".into(), AMQPValue::LongString(case.into()));
    let mut props = BasicProperties::default().with_headers(headers);
    if let Some(ct) = content_type {
        props = props.with_content_type(ct.into());
    }
    channel
        .basic_publish(
            "".into(),
            queue.into(),
            BasicPublishOptions::default(),
            body,
            props,
        )
        .await?
        .await?;
    Ok(())
}

/// Takes `n` messages from `queue`, waiting (bounded) for them.
async fn take(channel: &Channel, queue: &str, n: usize) -> Result<Vec<DeadLetter>, String> {
    let start = Instant::now();
    let mut got = Vec::new();
    while got.len() < n {
        if start.elapsed() > PATIENCE {
            return Err(format!(
                "only {} of {n} dead letters within {PATIENCE:?}: {got:?}",
                got.len()
            ));
        }
        let options = BasicGetOptions { no_ack: true };
        match channel
            .basic_get(queue.into(), options)
            .await
            .map_err(|e| e.to_string())?
        {
            Some(message) => {
                let headers = message
                    .delivery
                    .properties
                    .headers()
                    .as_ref()
                    .map(|h| {
                        h.inner()
                            .iter()
                            .map(|(k, v)| (k.to_string(), text(v)))
                            .collect()
                    })
                    .unwrap_or_default();
                got.push(DeadLetter { headers });
            }
            None => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    Ok(got)
}

fn text(value: &AMQPValue) -> String {
    match value {
        AMQPValue::LongString(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        AMQPValue::LongLongInt(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_and_bad_input_end_in_the_dead_letter_queue_and_the_consumer_keeps_serving()
-> TestResult {
    let connection = connect("probe").await?;
    let channel = connection.create_channel().await?;
    let queue = unique("poison");
    let (dlx, dlq) = (format!("{queue}.dlx"), format!("{queue}.dead"));
    let topology = Topology {
        exchanges: vec![ExchangeSpec::fanout(&dlx)],
        queues: vec![QueueSpec::new(&dlq)],
        bindings: vec![BindingSpec {
            queue: dlq.clone(),
            exchange: dlx.clone(),
            routing_key: String::new(),
        }],
    };
    let options = ServerOptions::new(Binding::work_queue(
        QueueSpec::new(&queue).auto_delete(true),
    ))
    .with_topology(topology)
    .with_dead_letter(&dlx, None)
    .with_retries(3, Duration::from_millis(20));
    let app = Application::builder()
        .services(["demo", "poison"])
        .build()?;
    let running = Running::start("poison", options, Server::new(app, JsonRpc));
    wait_consumers(&queue, 1).await?;

    let json = Some("application/json");
    let notification = |method: &str, params: Value| {
        json!({"jsonrpc": "2.0", "method": method, "params": params}).to_string()
    };
    let batch: Vec<Value> = (0..1_000)
        .map(|_| json!({"jsonrpc": "2.0", "method": "echo", "params": {"s": "x"}}))
        .collect();
    let huge = format!(
        "{{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{{\"s\":\"{}\"}}}}",
        "x".repeat(10 << 20)
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "garbage",
            b"not json{".to_vec(),
            json,
            "Client.Malformed",
            "1",
        ),
        (
            "invalid utf-8",
            vec![0xff, 0xfe, 0x7b],
            json,
            "Client.Malformed",
            "1",
        ),
        (
            "unknown method",
            notification("nope", json!({})).into_bytes(),
            json,
            "Client.UnknownMethod",
            "1",
        ),
        (
            "always fails",
            notification("explode", json!({"why": "kaboom"})).into_bytes(),
            json,
            "Server",
            "3",
        ),
        (
            "10 MB body",
            huge.into_bytes(),
            json,
            "Client.LimitExceeded",
            "1",
        ),
        (
            "huge batch",
            serde_json::to_vec(&batch)?,
            json,
            "Client.LimitExceeded",
            "1",
        ),
        (
            "wrong content type",
            notification("echo", json!({"s": "x"})).into_bytes(),
            Some("text/plain"),
            "Client.UnsupportedMediaType",
            "1",
        ),
    ];
    for (case, body, content_type, _, _) in &cases {
        publish(&channel, &queue, case, body, *content_type).await?;
    }
    let letters = take(&channel, &dlq, cases.len()).await?;
    let by_case: BTreeMap<&str, &DeadLetter> = letters
        .iter()
        .filter_map(|l| Some((l.headers.get("case")?.as_str(), l)))
        .collect();
    for (case, _, _, code, attempts) in &cases {
        let letter = by_case
            .get(case)
            .ok_or_else(|| format!("no dead letter for {case}: {letters:?}"))?;
        let header = |k: &str| letter.headers.get(k).map(String::as_str);
        assert_eq!(header(FAULT_CODE_HEADER), Some(*code), "{case}");
        assert_eq!(header(ATTEMPT_HEADER), Some(*attempts), "{case}");
        assert_eq!(
            header(ORIGINAL_ROUTING_KEY_HEADER),
            Some(queue.as_str()),
            "{case}"
        );
        assert!(
            header(FAULT_STRING_HEADER).is_some_and(|s| !s.is_empty()),
            "{case}"
        );
    }
    assert_eq!(
        by_case
            .get("always fails")
            .and_then(|l| l.headers.get(FAULT_STRING_HEADER))
            .map(String::as_str),
        Some("kaboom")
    );

    // An RPC caller sending garbage gets the protocol's error as its reply.
    let reply = raw_rpc(&channel, &queue, b"{oops").await?;
    assert_eq!(reply["error"]["code"], json!(-32700), "{reply}");
    take(&channel, &dlq, 1).await?;

    // And the consumer still serves.
    let client = AmqpClient::connect(settings("poison"), ClientOptions::to_queue(&queue)).await?;
    let client = Client::new(Arc::new(client), Arc::new(JsonRpc));
    let echoed: String = client
        .call_named("echo", &json!({"s": "still here"}), None)
        .await?;
    assert_eq!(echoed, "still here");
    running.stop().await?;
    delete(&[&dlq], &[&dlx]).await;
    Ok(())
}

/// An RPC call as pika makes it: direct reply-to, a correlation id.
async fn raw_rpc(
    channel: &Channel,
    queue: &str,
    body: &[u8],
) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    let mut replies = common::reply_consumer(channel).await?;
    let props = BasicProperties::default()
        .with_content_type("application/json".into())
        .with_reply_to("amq.rabbitmq.reply-to".into())
        .with_correlation_id("raw-1".into());
    channel
        .basic_publish(
            "".into(),
            queue.into(),
            BasicPublishOptions::default(),
            body,
            props,
        )
        .await?
        .await?;
    let reply = tokio::time::timeout(PATIENCE, replies.next())
        .await?
        .ok_or("no reply")??;
    assert_eq!(
        reply
            .properties
            .correlation_id()
            .as_ref()
            .map(|s| s.as_str()),
        Some("raw-1")
    );
    assert_eq!(
        reply.properties.content_type().as_ref().map(|s| s.as_str()),
        Some("application/json")
    );
    Ok(serde_json::from_slice(&reply.data)?)
}
