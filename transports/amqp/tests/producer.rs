//! [`Producer`]: Postage's producer rules in Rust, against the broker. A
//! message goes to every (exchange, key) of the eks, `_key` to the first
//! exchange only, `_eks` replaces the list; an RPC to a switchboard
//! Postage service gets its result, and one to a stopped service fails
//! with `Server.TimeoutError` after exactly `max_retry + 1` sends.

mod common;

use std::sync::Arc;
use std::time::Duration;

use lapin::options::{BasicGetOptions, ExchangeDeclareOptions, QueueBindOptions};
use lapin::types::FieldTable;
use serde_json::{Value, json};
use switchboard::{Application, Fingerprint, Server};
use switchboard_amqp::producer::TIMEOUT_FAULT;
use switchboard_amqp::{
    Binding, ExchangeSpec, Producer, QueueSpec, Route, RpcOptions, ServerOptions,
};
use switchboard_demo as _; // links the `demo` service
use switchboard_postage::Postage;

use common::{
    Running, TestResult, connect, delete, message_count, settings, unique, wait_consumers,
};

/// A producer of Postage commands from `echo_send`, to `eks`.
async fn producer(eks: &[(&str, &str)]) -> Result<Producer, switchboard_amqp::AmqpError> {
    let me = Fingerprint::new("echo_send", "application", "1.0");
    let eks = eks
        .iter()
        .map(|(e, k)| ((*e).to_owned(), (*k).to_owned()))
        .collect();
    let postage = Arc::new(Postage::new().with_fingerprint(&me));
    Producer::new(settings("producer"), eks, postage).await
}

/// Direct exchanges, and queues each bound to one (exchange, key).
async fn declare(
    exchanges: &[&str],
    bindings: &[(&str, &str, &str)],
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let connection = connect("producer setup").await?;
    let channel = connection.create_channel().await?;
    for exchange in exchanges {
        let options = ExchangeDeclareOptions {
            durable: true,
            ..ExchangeDeclareOptions::default()
        };
        channel
            .exchange_declare(
                (*exchange).into(),
                lapin::ExchangeKind::Direct,
                options,
                FieldTable::default(),
            )
            .await?;
    }
    for (queue, exchange, key) in bindings {
        channel
            .queue_declare((*queue).into(), Default::default(), FieldTable::default())
            .await?;
        channel
            .queue_bind(
                (*queue).into(),
                (*exchange).into(),
                (*key).into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    let _ = connection.close(200, "declared".into()).await;
    Ok(())
}

/// The bodies waiting in `queue`, taken off it.
async fn take(queue: &str) -> Result<Vec<Value>, Box<dyn std::error::Error + Send + Sync>> {
    let connection = connect("producer take").await?;
    let channel = connection.create_channel().await?;
    let mut bodies = Vec::new();
    let auto_ack = BasicGetOptions { no_ack: true };
    while let Some(message) = channel.basic_get(queue.into(), auto_ack).await? {
        bodies.push(serde_json::from_slice(&message.delivery.data)?);
    }
    let _ = connection.close(200, "taken".into()).await;
    Ok(bodies)
}

/// The `s` parameter of each command in `bodies`.
fn texts(bodies: &[Value]) -> Vec<&str> {
    bodies
        .iter()
        .filter_map(|b| b["content"]["parameters"]["s"].as_str())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_go_to_every_pair_of_the_eks_or_where_key_and_eks_say() -> TestResult {
    connect("probe").await?;
    let (one, two, three) = (unique("ex-one"), unique("ex-two"), unique("ex-three"));
    let q = [unique("q1"), unique("q2"), unique("q-rk"), unique("q-eks")];
    declare(
        &[&one, &two, &three],
        &[
            (&q[0], &one, "k1"),
            (&q[1], &two, "k2"),
            (&q[2], &one, "rk"),
            (&q[3], &three, "z"),
        ],
    )
    .await?;
    let producer = producer(&[(&one, "k1"), (&two, "k2")]).await?;

    producer
        .message("echo", &json!({"s": "everyone"}), &Route::default())
        .await?;
    let (first, second) = (take(&q[0]).await?, take(&q[1]).await?);
    assert_eq!(texts(&first), ["everyone"]);
    assert_eq!(texts(&second), ["everyone"]);
    assert_eq!(
        (&first[0]["type"], &first[0]["name"], &first[0]["category"]),
        (&json!("command"), &json!("echo"), &json!("message"))
    );
    assert_eq!(first[0]["fingerprint"]["name"], "echo_send");

    // `_key`: the first exchange only, with that key.
    producer
        .message("echo", &json!({"s": "by key"}), &Route::key("rk"))
        .await?;
    assert_eq!(texts(&take(&q[2]).await?), ["by key"]);
    // `_eks`: the list given, not the producer's.
    producer
        .message(
            "echo",
            &json!({"s": "by eks"}),
            &Route::eks([(&three, "z")]),
        )
        .await?;
    assert_eq!(texts(&take(&q[3]).await?), ["by eks"]);
    for queue in &q[..2] {
        assert!(take(queue).await?.is_empty(), "{queue} got more");
    }

    // A pair nothing is bound to fails, it is not lost silently.
    let nowhere = producer
        .message("echo", &json!({"s": "?"}), &Route::key("unbound"))
        .await;
    assert!(nowhere.is_err(), "{nowhere:?}");
    producer.get_ref().close().await;
    let queues: Vec<&str> = q.iter().map(String::as_str).collect();
    delete(&queues, &[&one, &two, &three]).await;
    Ok(())
}

/// The demo service over Postage, on `queue` bound to `exchange` by `rk`.
fn serve_demo(exchange: &str, queue: &str) -> Result<Running, switchboard::BuildError> {
    let app = Application::builder().services(["demo"]).build()?;
    let me = Fingerprint::new("demo", "service", "1.0");
    let server = Server::new(app, Postage::new().with_fingerprint(&me));
    let binding = Binding::routed(
        ExchangeSpec::new(exchange, "direct").durable(true),
        ["rk"],
        QueueSpec::new(queue),
    );
    Ok(Running::start(
        "producer demo",
        ServerOptions::new(binding),
        server,
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_rpc_gets_the_services_result_and_its_faults() -> TestResult {
    connect("probe").await?;
    let (exchange, queue) = (unique("rpc-exchange"), unique("rpc-queue"));
    let server = serve_demo(&exchange, &queue)?;
    wait_consumers(&queue, 1).await?;
    let producer = producer(&[(&exchange, "rk")]).await?;
    let options = RpcOptions::default().with_timeout(common::PATIENCE);
    let sum: f64 = producer
        .rpc("sum", &json!({"a": 1, "b": 2}), &options)
        .await?;
    assert_eq!(sum, 3.0);
    let unknown = producer
        .rpc::<Value>("no_such_method", &json!({}), &options)
        .await
        .err()
        .ok_or("an unknown method succeeded")?;
    let fault = unknown
        .fault()
        .ok_or_else(|| format!("not a fault: {unknown}"))?;
    assert_eq!(fault.code(), "Client.UnknownMethod");
    server.stop().await?;
    producer.get_ref().close().await;
    delete(&[&queue], &[&exchange]).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_rpc_to_a_stopped_service_is_sent_max_retry_plus_one_times_then_times_out() -> TestResult
{
    connect("probe").await?;
    assert_eq!(TIMEOUT_FAULT, switchboard_postage::TIMEOUT_ERROR);
    let (exchange, queue) = (unique("rpc-exchange"), unique("rpc-queue"));
    let server = serve_demo(&exchange, &queue)?;
    wait_consumers(&queue, 1).await?;
    // The queue and its binding stay; nobody consumes them any more.
    server.stop().await?;
    let producer = producer(&[(&exchange, "rk")]).await?;
    let options = RpcOptions::default()
        .with_timeout(Duration::from_millis(300))
        .with_max_retry(2);
    let failed = producer
        .rpc::<Value>("echo", &json!({"s": "anyone?"}), &options)
        .await
        .err()
        .ok_or("a stopped service answered")?;
    let fault = failed
        .fault()
        .ok_or_else(|| format!("not a fault: {failed}"))?;
    assert_eq!(fault.code(), TIMEOUT_FAULT);
    assert_eq!(
        message_count(&queue).await?,
        3,
        "sent once, then twice again"
    );
    let sent = take(&queue).await?;
    assert_eq!(texts(&sent), ["anyone?"; 3]);
    assert!(sent.iter().all(|b| b["category"] == "rpc"));
    producer.get_ref().close().await;
    delete(&[&queue], &[&exchange]).await;
    Ok(())
}
