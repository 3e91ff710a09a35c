//! Topology from configuration: exact arguments (a redeclaration that
//! differs is refused, one that matches what a pika program declared is
//! accepted), passive mode, and the broadcast and topic delivery models.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lapin::options::QueueDeclareOptions;
use lapin::types::FieldTable;
use serde_json::json;
use switchboard::{
    Application, CallError, Client, MethodContext, Server, ServerTransport, TransportError, rpc,
};
use switchboard_amqp::{
    AmqpClient, AmqpError, AmqpFacts, AmqpServer, Binding, ClientOptions, ExchangeSpec, QueueSpec,
    ServerOptions,
};
use switchboard_json::JsonRpc;

use common::{PATIENCE, Running, TestResult, connect, delete, settings, unique, wait_consumers};

/// `(queue, routing key, token)` of every `record` call.
static RECORDED: Mutex<Vec<(String, String, String)>> = Mutex::new(Vec::new());

/// Records which queue delivered `token`.
#[rpc(service = "topo", one_way)]
fn record(ctx: &MethodContext, token: String) {
    if let Some(facts) = ctx.facts::<AmqpFacts>() {
        let entry = (facts.queue.to_string(), facts.routing_key.clone(), token);
        RECORDED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(entry);
    }
}

/// The recorded calls whose token starts with `prefix`.
fn recorded(prefix: &str) -> Vec<(String, String, String)> {
    let all = RECORDED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    all.iter()
        .filter(|(_, _, t)| t.starts_with(prefix))
        .cloned()
        .collect()
}

fn server() -> Result<Server, Box<dyn std::error::Error + Send + Sync>> {
    Ok(Server::new(
        Application::builder().services(["topo"]).build()?,
        JsonRpc,
    ))
}

/// The error `serve` ended with, expected to be a refused declaration.
async fn refused(
    options: ServerOptions,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let transport = AmqpServer::new(settings("topology"), options);
    let served =
        tokio::time::timeout(PATIENCE, transport.serve(server()?, std::future::pending())).await?;
    match served {
        Err(TransportError::Connect(err)) => {
            let err = err
                .downcast::<AmqpError>()
                .map_err(|e| format!("not an AmqpError: {e}"))?;
            assert!(matches!(*err, AmqpError::Topology { .. }), "{err:?}");
            Ok(format!("{err}: {:?}", std::error::Error::source(&*err)))
        }
        other => Err(format!("expected a refused declaration, got {other:?}").into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declarations_match_what_other_programs_declared_exactly_or_are_refused() -> TestResult {
    // Bounded as a whole: it once hung under a loaded broker, in a raw
    // lapin call with no deadline of its own.
    tokio::time::timeout(4 * PATIENCE, declarations_match_or_are_refused())
        .await
        .map_err(|_| format!("the declarations did not settle within {:?}", 4 * PATIENCE))?
}

async fn declarations_match_or_are_refused() -> TestResult {
    let connection = connect("probe").await?;
    let channel = connection.create_channel().await?;
    let name = unique("stats");
    // What the course's pika worker declares: `queue_declare(queue="stats")`.
    channel
        .queue_declare(
            name.as_str().into(),
            QueueDeclareOptions::default(),
            FieldTable::default(),
        )
        .await?;
    // The same declaration is accepted, and the server consumes.
    let running = Running::start(
        "exact",
        ServerOptions::new(Binding::work_queue(QueueSpec::new(&name))),
        server()?,
    );
    wait_consumers(&name, 1).await?;
    running.stop().await?;
    // A durable or TTL'd one is refused by the broker, and `serve` says so.
    for spec in [
        QueueSpec::new(&name).durable(true),
        QueueSpec::new(&name).message_ttl(Duration::from_secs(5)),
    ] {
        let why = refused(ServerOptions::new(Binding::work_queue(spec))).await?;
        assert!(
            why.contains("PRECONDITION_FAILED") || why.contains("inequivalent"),
            "{why}"
        );
    }
    delete(&[&name], &[]).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passive_mode_checks_and_declares_nothing() -> TestResult {
    connect("probe").await?;
    let missing = unique("missing");
    let why = refused(
        ServerOptions::new(Binding::work_queue(QueueSpec::new(&missing))).with_passive(true),
    )
    .await?;
    assert!(
        why.contains("NOT_FOUND") || why.contains("no queue"),
        "{why}"
    );
    let existing = unique("existing");
    let connection = connect("probe").await?;
    let channel = connection.create_channel().await?;
    channel
        .queue_declare(
            existing.as_str().into(),
            QueueDeclareOptions::default(),
            FieldTable::default(),
        )
        .await?;
    // Passive: a spec that differs is not even sent, so it is not refused.
    let spec = QueueSpec::new(&existing).durable(true);
    let running = Running::start(
        "passive",
        ServerOptions::new(Binding::work_queue(spec)).with_passive(true),
        server()?,
    );
    wait_consumers(&existing, 1).await?;
    running.stop().await?;
    delete(&[&existing], &[]).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcast_gives_every_consumer_every_message() -> TestResult {
    connect("probe").await?;
    let exchange = unique("notifications");
    let binding = Binding::broadcast(ExchangeSpec::fanout(&exchange));
    let consumers: Vec<Running> = (0..3)
        .map(|_| {
            server().map(|s| Running::start("broadcast", ServerOptions::new(binding.clone()), s))
        })
        .collect::<Result<_, _>>()?;
    let client = AmqpClient::connect(
        settings("broadcast"),
        ClientOptions::to_exchange(&exchange, ""),
    )
    .await?;
    let client = Client::new(Arc::new(client), Arc::new(JsonRpc));
    // Ready when a probe reaches all three private queues.
    let probe = format!("{exchange} probe");
    common::bounded("three consumers to bind", async {
        loop {
            let _ = client
                .notify_named("record", &json!({"token": probe}), None)
                .await;
            let queues: BTreeSet<String> =
                recorded(&probe).into_iter().map(|(q, _, _)| q).collect();
            if queues.len() == 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await?;
    let prefix = format!("{exchange} token ");
    for n in 0..50 {
        client
            .notify_named("record", &json!({"token": format!("{prefix}{n}")}), None)
            .await?;
    }
    common::bounded("every consumer to get every message", async {
        while recorded(&prefix).len() < 150 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await?;
    let mut per_queue: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (queue, _, token) in recorded(&prefix) {
        per_queue.entry(queue).or_default().insert(token);
    }
    assert_eq!(per_queue.len(), 3);
    assert!(
        per_queue.values().all(|tokens| tokens.len() == 50),
        "{per_queue:?}"
    );
    for consumer in consumers {
        consumer.stop().await?;
    }
    delete(&[], &[&exchange]).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topic_consumers_get_the_routing_keys_their_pattern_matches() -> TestResult {
    connect("probe").await?;
    let exchange = unique("sensors");
    let queue = unique("temperatures");
    let binding = Binding::topic(
        ExchangeSpec::topic(&exchange),
        "sensor.*.temp",
        QueueSpec::new(&queue).auto_delete(true),
    );
    let running = Running::start("topic", ServerOptions::new(binding), server()?);
    wait_consumers(&queue, 1).await?;
    let prefix = format!("{exchange} ");
    for key in ["sensor.a.temp", "sensor.b.temp"] {
        let client = AmqpClient::connect(
            settings("topic"),
            ClientOptions::to_exchange(&exchange, key),
        )
        .await?;
        let client = Client::new(Arc::new(client), Arc::new(JsonRpc));
        client
            .notify_named("record", &json!({"token": format!("{prefix}{key}")}), None)
            .await?;
    }
    // A key nobody's pattern matches is unroutable: an error, not a drop.
    let other = AmqpClient::connect(
        settings("topic"),
        ClientOptions::to_exchange(&exchange, "sensor.a.humidity"),
    )
    .await?;
    let other = Client::new(Arc::new(other), Arc::new(JsonRpc));
    let unroutable = other
        .notify_named(
            "record",
            &json!({"token": format!("{prefix}humidity")}),
            None,
        )
        .await;
    assert!(
        matches!(
            unroutable,
            Err(CallError::Transport(TransportError::Unexpected(_)))
        ),
        "{unroutable:?}"
    );
    common::bounded("both matching messages", async {
        while recorded(&prefix).len() < 2 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await?;
    let keys: BTreeSet<String> = recorded(&prefix)
        .into_iter()
        .map(|(_, key, _)| key)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["sensor.a.temp".to_owned(), "sensor.b.temp".to_owned()])
    );
    running.stop().await?;
    delete(&[], &[&exchange]).await;
    Ok(())
}
