//! Recovery against a private broker node restarted twice during 10 000
//! RPC calls (16 in flight): the server consumes again within 5 s of each
//! start, every call the client saw succeed was executed, calls caught in
//! a restart fail with a timeout or connection error within their deadline,
//! and persistent messages in a durable queue survive.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use switchboard::{Application, CallError, Client, Server, ServerTransport, TransportError, rpc};
use switchboard_amqp::{
    AmqpClient, AmqpServer, Backoff, Binding, ClientOptions, ConnectionSettings, QueueSpec,
    ServerOptions,
};
use switchboard_json::JsonRpc;

use common::node::PrivateNode;
use common::{TestResult, message_count_at, wait_consumers_at};

/// Every token `mark` ran with.
static EXECUTED: Mutex<Option<HashSet<u64>>> = Mutex::new(None);

/// Records that `token` ran.
#[rpc(service = "recovery")]
fn mark(token: u64) -> u64 {
    let mut executed = EXECUTED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    executed.get_or_insert_with(HashSet::new).insert(token);
    token
}

const CALLS: usize = 10_000;
const IN_FLIGHT: usize = 16;
const DEADLINE: Duration = Duration::from_secs(3);
const KEPT: usize = 100;

#[derive(Debug, Default)]
struct Tally {
    ok: Vec<u64>,
    failed: Vec<(String, Duration)>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_and_client_ride_out_two_broker_restarts() -> TestResult {
    let node = PrivateNode::start("recovery", "", true)?;
    let url = node.url();
    let settings = ConnectionSettings::new(&url).with_connection_name("recovery");
    let quick = Backoff {
        initial: Duration::from_millis(50),
        max: Duration::from_millis(500),
        max_attempts: None,
    };
    let options = ServerOptions::new(Binding::work_queue(QueueSpec::new("jobs").durable(true)))
        .with_reconnect(quick);
    let app = Application::builder().services(["recovery"]).build()?;
    let serving = tokio::spawn(
        AmqpServer::new(settings.clone(), options)
            .serve(Server::new(app, JsonRpc), std::future::pending()),
    );
    wait_consumers_at(&url, "jobs", 1, Duration::from_secs(20)).await?;

    // Persistent messages in a durable queue nobody consumes.
    let kept = AmqpClient::connect(settings.clone(), ClientOptions::to_queue("kept")).await?;
    declare_durable(&settings, "kept").await?;
    for n in 0..KEPT {
        kept.publish("", "kept", "application/json", format!("{n}").as_bytes())
            .await?;
    }
    kept.close().await;

    let client = Client::new(
        Arc::new(AmqpClient::connect(settings.clone(), ClientOptions::to_queue("jobs")).await?),
        Arc::new(JsonRpc),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let mut callers = tokio::task::JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let (client, next, tally) = (client.clone(), Arc::clone(&next), Arc::clone(&tally));
        callers.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= CALLS {
                    break;
                }
                let started = Instant::now();
                let result = client
                    .call_named::<u64>("mark", &json!({"token": n}), Some(started + DEADLINE))
                    .await;
                let failed = match result {
                    Ok(token) => {
                        tally
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .ok
                            .push(token);
                        continue;
                    }
                    Err(err) => err,
                };
                let is_expected = matches!(
                    failed,
                    CallError::Transport(
                        TransportError::Timeout
                            | TransportError::Io(_)
                            | TransportError::Connect(_)
                    )
                );
                assert!(is_expected, "unexpected failure: {failed:?}");
                let entry = (format!("{failed:?}"), started.elapsed());
                tally
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .failed
                    .push(entry);
                // A caller that lost the broker tries again a bit later.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
    }
    for restart in 1..=2 {
        let goal = restart * CALLS / 3;
        common::bounded("the calls to progress", async {
            while tally.lock().map(|t| t.ok.len()).unwrap_or(0) < goal {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await?;
        node.ctl(&["stop_app"])?;
        node.ctl(&["start_app"])?;
        let started = Instant::now();
        wait_consumers_at(&url, "jobs", 1, Duration::from_secs(5)).await?;
        eprintln!(
            "restart {restart}: consuming again after {:?}",
            started.elapsed()
        );
    }
    while let Some(joined) = callers.join_next().await {
        joined?;
    }
    let tally = Arc::try_unwrap(tally)
        .map_err(|_| "tally still shared")?
        .into_inner()?;
    let executed = EXECUTED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
        .unwrap_or_default();
    assert!(
        tally.ok.iter().all(|token| executed.contains(token)),
        "a call seen to succeed was not executed"
    );
    assert!(tally.ok.len() + tally.failed.len() == CALLS);
    let slowest = tally
        .failed
        .iter()
        .map(|(_, took)| *took)
        .max()
        .unwrap_or_default();
    assert!(
        slowest <= DEADLINE + Duration::from_secs(1),
        "a failed call hung for {slowest:?}"
    );
    eprintln!(
        "{} calls succeeded, {} failed in the restarts (slowest failure {slowest:?})",
        tally.ok.len(),
        tally.failed.len()
    );
    assert!(tally.ok.len() > CALLS / 2);
    assert_eq!(
        message_count_at(&url, "kept").await? as usize,
        KEPT,
        "a persistent message was lost"
    );
    serving.abort();
    Ok(())
}

/// Declares the durable queue `name`.
async fn declare_durable(settings: &ConnectionSettings, name: &str) -> TestResult {
    let connection = settings.connect().await?;
    let channel = connection.create_channel().await?;
    let options = lapin::options::QueueDeclareOptions {
        durable: true,
        ..Default::default()
    };
    channel
        .queue_declare(name.into(), options, lapin::types::FieldTable::default())
        .await?;
    connection.close(200, "declared".into()).await?;
    Ok(())
}
