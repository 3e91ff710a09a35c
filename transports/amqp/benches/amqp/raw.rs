//! Raw lapin doing the same AMQP work: a consumer with manual acks and a
//! prefetch that answers JSON-RPC `echo` by hand, and a client that
//! publishes `mandatory` with confirms and matches replies from direct
//! reply-to by `correlation_id`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Confirmation, Connection, ConnectionProperties};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::{BenchResult, IN_FLIGHT, Measure, PREFETCH, Work};

type Pending = Arc<Mutex<HashMap<String, oneshot::Sender<Vec<u8>>>>>;

async fn connect(url: &str) -> BenchResult<Connection> {
    Ok(Connection::connect_with_runtime(
        url,
        ConnectionProperties::default(),
        lapin::runtime::default_runtime()?,
    )
    .await?)
}

/// The raw consumer: answers `echo`, counts everything it acks.
async fn serve(connection: &Connection, queue: &str, acked: Arc<AtomicUsize>) -> BenchResult<()> {
    let channel = connection.create_channel().await?;
    channel
        .basic_qos(PREFETCH, BasicQosOptions::default())
        .await?;
    let options = QueueDeclareOptions {
        auto_delete: true,
        ..QueueDeclareOptions::default()
    };
    channel
        .queue_declare(queue.into(), options, FieldTable::default())
        .await?;
    let mut consumer = channel
        .basic_consume(
            queue.into(),
            "".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    tokio::spawn(async move {
        while let Some(Ok(delivery)) = consumer.next().await {
            let (channel, acked) = (channel.clone(), Arc::clone(&acked));
            tokio::spawn(async move {
                let request: Value = serde_json::from_slice(&delivery.data).unwrap_or(Value::Null);
                if let Some(reply_to) = delivery.properties.reply_to() {
                    let reply = json!({"jsonrpc": "2.0", "result": request["params"]["s"], "id": request["id"]});
                    let body = serde_json::to_vec(&reply).unwrap_or_default();
                    let mut props =
                        BasicProperties::default().with_content_type("application/json".into());
                    if let Some(id) = delivery.properties.correlation_id() {
                        props = props.with_correlation_id(id.clone());
                    }
                    let _ = channel
                        .basic_publish(
                            "".into(),
                            reply_to.clone(),
                            BasicPublishOptions::default(),
                            &body,
                            props,
                        )
                        .await;
                }
                let _ = delivery.acker.ack(BasicAckOptions::default()).await;
                acked.fetch_add(1, Ordering::Relaxed);
            });
        }
    });
    Ok(())
}

/// The raw client's channel: confirms on, replies matched by id.
async fn client(connection: &Connection) -> BenchResult<(Channel, Pending)> {
    let channel = connection.create_channel().await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let no_ack = BasicConsumeOptions {
        no_ack: true,
        ..BasicConsumeOptions::default()
    };
    let mut replies = channel
        .basic_consume(
            "amq.rabbitmq.reply-to".into(),
            "".into(),
            no_ack,
            FieldTable::default(),
        )
        .await?;
    let pending: Pending = Arc::default();
    let reader = Arc::clone(&pending);
    tokio::spawn(async move {
        while let Some(Ok(delivery)) = replies.next().await {
            let id = delivery
                .properties
                .correlation_id()
                .as_ref()
                .map(|id| id.as_str().to_owned());
            let waiting = id.and_then(|id| reader.lock().ok()?.remove(&id));
            if let Some(waiting) = waiting {
                let _ = waiting.send(delivery.data);
            }
        }
    });
    Ok((channel, pending))
}

async fn publish(
    channel: &Channel,
    queue: &str,
    body: &[u8],
    props: BasicProperties,
) -> BenchResult<()> {
    let options = BasicPublishOptions {
        mandatory: true,
        ..BasicPublishOptions::default()
    };
    match channel
        .basic_publish("".into(), queue.into(), options, body, props)
        .await?
        .await?
    {
        Confirmation::Ack(None) => Ok(()),
        other => Err(format!("not confirmed: {other:?}").into()),
    }
}

async fn call(
    channel: &Channel,
    pending: &Pending,
    queue: &str,
    next: &AtomicU64,
) -> BenchResult<Vec<u8>> {
    let n = next.fetch_add(1, Ordering::Relaxed);
    let id = format!("raw-{n}");
    let (sender, receiver) = oneshot::channel();
    pending
        .lock()
        .map_err(|_| "poisoned")?
        .insert(id.clone(), sender);
    let body = serde_json::to_vec(
        &json!({"jsonrpc": "2.0", "method": "echo", "params": {"s": "hello"}, "id": n}),
    )?;
    let props = BasicProperties::default()
        .with_content_type("application/json".into())
        .with_reply_to("amq.rabbitmq.reply-to".into())
        .with_correlation_id(id.into());
    publish(channel, queue, &body, props).await?;
    let reply = receiver.await?;
    let _: Value = serde_json::from_slice(&reply)?;
    Ok(reply)
}

pub(crate) async fn run(url: &str, work: Work, count: usize) -> BenchResult<Measure> {
    let queue = format!("sbbench-raw-{}-{:x}", std::process::id(), fastrand::u64(..));
    let (server_conn, client_conn) = (connect(url).await?, connect(url).await?);
    let acked = Arc::new(AtomicUsize::new(0));
    serve(&server_conn, &queue, Arc::clone(&acked)).await?;
    let (channel, pending) = client(&client_conn).await?;
    let next = Arc::new(AtomicU64::new(0));
    for _ in 0..50 {
        call(&channel, &pending, &queue, &next).await?;
    }
    let measure = match work {
        Work::Rpc(in_flight) => {
            let started = Instant::now();
            let mut tasks = tokio::task::JoinSet::new();
            for worker in 0..in_flight {
                let (channel, pending, queue, next) = (
                    channel.clone(),
                    Arc::clone(&pending),
                    queue.clone(),
                    Arc::clone(&next),
                );
                let share = count / in_flight + usize::from(worker < count % in_flight);
                tasks.spawn(async move {
                    let mut latencies = Vec::with_capacity(share);
                    for _ in 0..share {
                        let t = Instant::now();
                        call(&channel, &pending, &queue, &next).await?;
                        latencies.push(t.elapsed());
                    }
                    Ok::<_, Box<dyn std::error::Error + Send + Sync>>(latencies)
                });
            }
            let mut latencies = Vec::with_capacity(count);
            while let Some(joined) = tasks.join_next().await {
                latencies.extend(joined??);
            }
            Measure::new(count, started.elapsed(), latencies)
        }
        Work::OneWay => {
            let base = acked.load(Ordering::Relaxed);
            let started = Instant::now();
            let mut tasks = tokio::task::JoinSet::new();
            for worker in 0..IN_FLIGHT {
                let (channel, queue) = (channel.clone(), queue.clone());
                let share = count / IN_FLIGHT + usize::from(worker < count % IN_FLIGHT);
                tasks.spawn(async move {
                    for n in 0..share {
                        let body = serde_json::to_vec(
                            &json!({"jsonrpc": "2.0", "method": "tick", "params": {"n": n}}),
                        )?;
                        let props =
                            BasicProperties::default().with_content_type("application/json".into());
                        publish(&channel, &queue, &body, props).await?;
                    }
                    Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
                });
            }
            while let Some(joined) = tasks.join_next().await {
                joined??;
            }
            while acked.load(Ordering::Relaxed) - base < count {
                tokio::time::sleep(Duration::from_micros(200)).await;
            }
            Measure::new(count, started.elapsed(), Vec::new())
        }
    };
    let _ = client_conn.close(200, "done".into()).await;
    let _ = server_conn.close(200, "done".into()).await;
    Ok(measure)
}
