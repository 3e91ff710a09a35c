//! RPC and one-way calls over RabbitMQ through the typed `Client`: every
//! demo and gridmap method, faults, unroutable requests, deadlines that
//! keep a late request from running, and the facts a method sees.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use switchboard::{Application, CallError, Client, MethodContext, Server, TransportError, rpc};
use switchboard_amqp::{
    AmqpClient, AmqpFacts, Binding, ClientOptions, QueueSpec, ReplyMode, ServerOptions,
};
use switchboard_demo::{Echo, Fail, Sleep, Subtract, Sum};
use switchboard_gridmap::{
    CreateMap, CreateObserver, CreateObstacle, GetMap, GetVisibleCells, ListMaps, UpdateMap,
};
use switchboard_json::{JsonDocument, JsonRpc};

use common::{Running, TestResult, connect, delete, settings, unique, wait_consumers};

/// How often `count` ran.
static COUNTED: AtomicU32 = AtomicU32::new(0);

/// Counts its runs (for the late-request test).
#[rpc(service = "amqptest")]
async fn count(wait_ms: u64) -> u32 {
    tokio::time::sleep(Duration::from_millis(wait_ms)).await;
    COUNTED.fetch_add(1, Ordering::SeqCst) + 1
}

/// Returns what the transport said about the delivery.
#[rpc(service = "amqptest")]
fn delivery(ctx: &MethodContext) -> Value {
    let facts = ctx.facts::<AmqpFacts>();
    json!({
        "queue": facts.map(|f| f.queue.to_string()),
        "routing_key": facts.map(|f| f.routing_key.clone()),
        "correlated": facts.is_some_and(|f| f.correlation_id.is_some()),
        "reply_to": facts.and_then(|f| f.reply_to.clone()),
        "redelivered": facts.map(|f| f.redelivered),
        "attempt": facts.map(|f| f.attempt),
        "traceparent": ctx.request().traceparent.as_ref().map(ToString::to_string),
    })
}

async fn serve(name: &str, protocol: Server) -> Result<(String, Running), String> {
    let queue = unique(name);
    let options = ServerOptions::new(Binding::work_queue(
        QueueSpec::new(&queue).auto_delete(true),
    ));
    let running = Running::start(name, options, protocol);
    wait_consumers(&queue, 1).await?;
    Ok((queue, running))
}

async fn client(queue: &str, mode: ReplyMode) -> Result<AmqpClient, String> {
    let options = ClientOptions::to_queue(queue).with_reply_mode(mode);
    AmqpClient::connect(settings("rpc client"), options)
        .await
        .map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_demo_method_round_trips_with_both_reply_modes() -> TestResult {
    connect("probe").await?;
    let app = Application::builder().services(["demo"]).build()?;
    let (queue, running) = serve("demo", Server::new(app, JsonRpc)).await?;
    for mode in [ReplyMode::DirectReplyTo, ReplyMode::ExclusiveQueue] {
        let client = Client::new(Arc::new(client(&queue, mode).await?), Arc::new(JsonRpc))
            .with_timeout(Duration::from_secs(10));
        assert_eq!(
            client
                .call(Echo {
                    s: "héllo <&>".into()
                })
                .await?,
            "héllo <&>"
        );
        assert_eq!(client.call(Sum { a: 1.5, b: 2.0 }).await?, 3.5);
        assert_eq!(
            client
                .call(Subtract {
                    minuend: 42,
                    subtrahend: 23
                })
                .await?,
            19
        );
        let fault = client
            .call(Fail {
                message: "no".into(),
            })
            .await;
        let fault = fault
            .err()
            .and_then(|e| e.fault().cloned())
            .ok_or("no fault")?;
        assert_eq!((fault.code(), fault.message.as_str()), ("Client", "no"));
        client.call(Sleep { seconds: 0.0 }).await?;
    }
    running.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_gridmap_method_works_over_amqp_in_both_json_protocols() -> TestResult {
    connect("probe").await?;
    let dir = tempfile::tempdir()?;
    let builder = Application::builder().services([switchboard_gridmap::SERVICE]);
    let app = switchboard_gridmap::setup(builder, &dir.path().join("maps.db"))?.build()?;
    let rpc_queue = unique("gridmap-rpc");
    let doc_prefix = format!("{}.", unique("gridmap-doc"));
    let methods = [
        "list_maps",
        "create_map",
        "get_map",
        "update_map",
        "delete_map",
        "list_observers",
        "create_observer",
        "get_observer",
        "update_observer",
        "delete_observer",
        "list_obstacles",
        "create_obstacle",
        "delete_obstacle",
        "visible_cells",
    ];
    let rpc_running = Running::start(
        "gridmap rpc",
        ServerOptions::new(Binding::work_queue(
            QueueSpec::new(&rpc_queue).auto_delete(true),
        )),
        Server::new(app.clone(), JsonRpc),
    );
    let mut doc_options: Option<ServerOptions> = None;
    for method in methods {
        let binding =
            Binding::work_queue(QueueSpec::new(format!("{doc_prefix}{method}")).auto_delete(true))
                .with_method(method);
        doc_options = Some(match doc_options {
            None => ServerOptions::new(binding),
            Some(options) => options.with_binding(binding),
        });
    }
    let doc_running = Running::start(
        "gridmap doc",
        doc_options.ok_or("no methods")?,
        Server::new(app, JsonDocument),
    );
    wait_consumers(&rpc_queue, 1).await?;
    for method in methods {
        wait_consumers(&format!("{doc_prefix}{method}"), 1).await?;
    }
    let rpc = AmqpClient::connect(settings("gridmap"), ClientOptions::to_queue(&rpc_queue)).await?;
    let doc = AmqpClient::connect(
        settings("gridmap"),
        ClientOptions::per_method("", doc_prefix.clone()),
    )
    .await?;
    let clients = [
        ("Rpc Map", Client::new(Arc::new(rpc), Arc::new(JsonRpc))),
        (
            "Doc Map",
            Client::new(Arc::new(doc), Arc::new(JsonDocument)),
        ),
    ];
    for (name, client) in &clients {
        every_gridmap_method(client, name).await?;
    }
    let maps = clients[0]
        .1
        .call(ListMaps {
            limit: None,
            after: None,
        })
        .await?
        .maps;
    assert_eq!(maps.len(), 0, "each pass deletes its map");
    rpc_running.stop().await?;
    doc_running.stop().await
}

async fn every_gridmap_method(client: &Client, name: &str) -> TestResult {
    let slug = client
        .call(CreateMap {
            name: name.into(),
            width: 5,
            height: 3,
        })
        .await?
        .slug;
    let eye = CreateObserver {
        map: slug.clone(),
        name: "Eye".into(),
        x: 0,
        y: 1,
        range: 2,
    };
    assert_eq!(client.call(eye).await?.slug, "eye");
    client
        .call(CreateObstacle {
            map: slug.clone(),
            x: 1,
            y: 1,
        })
        .await?;
    let seen = client
        .call(GetVisibleCells {
            map: slug.clone(),
            observer: "eye".into(),
        })
        .await?;
    assert_eq!(seen.cells.len(), 6);
    let rename = UpdateMap {
        slug: slug.clone(),
        name: Some("Renamed".into()),
        width: None,
        height: Some(4),
    };
    client.call(rename).await?;
    assert_eq!(client.call(GetMap { slug: slug.clone() }).await?.height, 4);
    let call = |method: &'static str, params: Value| {
        let client = client.clone();
        async move { client.call_named::<Value>(method, &params, None).await }
    };
    assert_eq!(
        call("list_observers", json!({"map": slug})).await?["observers"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        call("get_observer", json!({"map": slug, "observer": "eye"})).await?["x"],
        0
    );
    call(
        "update_observer",
        json!({"map": slug, "observer": "eye", "x": 2}),
    )
    .await?;
    assert_eq!(
        call("list_obstacles", json!({"map": slug})).await?["obstacles"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    call("delete_obstacle", json!({"map": slug, "x": 1, "y": 1})).await?;
    call("delete_observer", json!({"map": slug, "observer": "eye"})).await?;
    call("delete_map", json!({"slug": slug})).await?;
    let missing = call("get_map", json!({"slug": slug})).await;
    let code = missing
        .err()
        .and_then(|e| Some(e.fault()?.code().to_owned()));
    assert_eq!(code.as_deref(), Some("Client.NotFound"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_to_a_queue_that_does_not_exist_fails_at_once() -> TestResult {
    connect("probe").await?;
    let nowhere = unique("nowhere");
    let client = Client::new(
        Arc::new(client(&nowhere, ReplyMode::DirectReplyTo).await?),
        Arc::new(JsonRpc),
    );
    for one_way in [false, true] {
        let started = Instant::now();
        let result = if one_way {
            client
                .notify_named("echo", &json!({"s": "x"}), None)
                .await
                .map(drop)
        } else {
            client
                .call_named::<Value>("echo", &json!({"s": "x"}), None)
                .await
                .map(drop)
        };
        match result {
            Err(CallError::Transport(TransportError::Unexpected(why))) => {
                assert!(
                    why.contains("NO_ROUTE") || why.contains("returned"),
                    "{why}"
                );
            }
            other => return Err(format!("expected an unroutable error, got {other:?}").into()),
        }
        assert!(started.elapsed() < Duration::from_secs(5), "not at once");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_its_deadline_times_out_and_is_not_run_late() -> TestResult {
    connect("probe").await?;
    let app = Application::builder().services(["amqptest"]).build()?;
    let queue = unique("late");
    let options = ServerOptions::new(Binding::work_queue(
        QueueSpec::new(&queue).auto_delete(true),
    ))
    .with_prefetch(1);
    let running = Running::start("late", options, Server::new(app, JsonRpc));
    wait_consumers(&queue, 1).await?;
    let client = Client::new(
        Arc::new(client(&queue, ReplyMode::DirectReplyTo).await?),
        Arc::new(JsonRpc),
    );
    let before = COUNTED.load(Ordering::SeqCst);
    // The first call holds the only prefetch slot for 600 ms...
    let busy = {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .call_named::<u32>("count", &json!({"wait_ms": 600}), None)
                .await
        })
    };
    common::bounded("the busy call to start", async {
        while common::message_count(&queue).await.unwrap_or(1) > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await?;
    // ...so this one waits in the queue past its 100 ms deadline.
    let late = client
        .call_named::<u32>(
            "count",
            &json!({"wait_ms": 0}),
            Some(Instant::now() + Duration::from_millis(100)),
        )
        .await;
    assert!(
        matches!(late, Err(CallError::Transport(TransportError::Timeout))),
        "{late:?}"
    );
    busy.await??;
    // A call after both: had the late one run, the counter would show it.
    let last = client
        .call_named::<u32>("count", &json!({"wait_ms": 0}), None)
        .await?;
    assert_eq!(last - before, 2, "the expired request ran");
    running.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_method_sees_the_delivery_facts() -> TestResult {
    connect("probe").await?;
    let app = Application::builder().services(["amqptest"]).build()?;
    let (queue, running) = serve("facts", Server::new(app, JsonRpc)).await?;
    let client = Client::new(
        Arc::new(client(&queue, ReplyMode::DirectReplyTo).await?),
        Arc::new(JsonRpc),
    );
    let facts = client
        .call_named::<Value>("delivery", &json!({}), None)
        .await?;
    assert_eq!(facts["queue"], json!(queue));
    assert_eq!(facts["routing_key"], json!(queue));
    assert_eq!(facts["correlated"], json!(true));
    assert_eq!(facts["redelivered"], json!(false));
    assert_eq!(facts["attempt"], json!(1));
    assert!(
        facts["reply_to"]
            .as_str()
            .is_some_and(|r| r.starts_with("amq.rabbitmq.reply-to"))
    );
    running.stop().await?;
    delete(&[&queue], &[]).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_traceparent_header_reaches_the_method() -> TestResult {
    use futures_util::StreamExt;
    use lapin::options::BasicPublishOptions;
    use lapin::types::{AMQPValue, FieldTable};

    let connection = connect("probe").await?;
    let app = Application::builder().services(["amqptest"]).build()?;
    let (queue, running) = serve("trace", Server::new(app, JsonRpc)).await?;
    let channel = connection.create_channel().await?;
    let mut replies = common::reply_consumer(&channel).await?;
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let mut headers = FieldTable::default();
    headers.insert(
        "traceparent".into(),
        AMQPValue::LongString(traceparent.into()),
    );
    let props = lapin::BasicProperties::default()
        .with_content_type("application/json".into())
        .with_reply_to("amq.rabbitmq.reply-to".into())
        .with_correlation_id("trace-1".into())
        .with_headers(headers);
    let body = json!({"jsonrpc": "2.0", "method": "delivery", "params": {}, "id": 1}).to_string();
    channel
        .basic_publish(
            "".into(),
            queue.as_str().into(),
            BasicPublishOptions::default(),
            body.as_bytes(),
            props,
        )
        .await?
        .await?;
    let reply = tokio::time::timeout(common::PATIENCE, replies.next())
        .await?
        .ok_or("no reply")??;
    let reply: Value = serde_json::from_slice(&reply.data)?;
    assert_eq!(
        reply["result"]["traceparent"],
        json!(traceparent),
        "{reply}"
    );
    running.stop().await
}
