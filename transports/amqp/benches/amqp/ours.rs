//! Our side: `AmqpServer` serving the demo `echo` (and a one-way `tick`),
//! called through `AmqpClient` and the typed `Client`, in JSON-RPC or in
//! Postage.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use switchboard::signing::{Secret, Secrets, Signer, Verifier};
use switchboard::{Application, Client, ClientProtocol, Protocols, Server, ServerTransport, rpc};
use switchboard_amqp::{
    AmqpClient, AmqpServer, Binding, ClientOptions, ConnectionSettings, QueueSpec, ServerOptions,
};
use switchboard_demo as _;
use switchboard_json::JsonRpc;
use switchboard_postage::Postage;
use tokio::sync::oneshot;

use super::{BenchResult, IN_FLIGHT, Measure, PREFETCH, Work};

/// One-way calls run so far.
static TICKS: AtomicUsize = AtomicUsize::new(0);

/// Counts a one-way call.
#[rpc(service = "bench", one_way)]
fn tick(n: u64) {
    let _ = n;
    TICKS.fetch_add(1, Ordering::Relaxed);
}

/// The protocol both sides speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    /// JSON-RPC 2.0.
    JsonRpc,
    /// Postage's message dictionary.
    Postage,
    /// JSON-RPC 2.0, every call signed by the client and checked by the
    /// server ([`switchboard::signing`]).
    SignedJsonRpc,
}

impl Wire {
    fn protocols(self) -> (Protocols, Arc<dyn ClientProtocol>) {
        match self {
            Self::JsonRpc | Self::SignedJsonRpc => (JsonRpc.into(), Arc::new(JsonRpc)),
            Self::Postage => (Postage::new().into(), Arc::new(Postage::new())),
        }
    }
}

pub(crate) async fn run(url: &str, work: Work, count: usize) -> BenchResult<Measure> {
    run_in(url, work, count, Wire::JsonRpc).await
}

pub(crate) async fn run_in(
    url: &str,
    work: Work,
    count: usize,
    wire: Wire,
) -> BenchResult<Measure> {
    let (protocols, codec) = wire.protocols();
    let queue = format!(
        "sbbench-ours-{}-{:x}",
        std::process::id(),
        fastrand::u64(..)
    );
    let settings = ConnectionSettings::new(url).with_connection_name("bench ours");
    let secrets = Secrets::new(Secret::new("the bench's shared secret, 32 bytes")?);
    let mut app = Application::builder().services(["demo", "bench"]);
    if wire == Wire::SignedJsonRpc {
        app = app.signatures(Verifier::new(&secrets));
    }
    let app = app.build()?;
    let options = ServerOptions::new(Binding::work_queue(
        QueueSpec::new(&queue).auto_delete(true),
    ))
    .with_prefetch(PREFETCH);
    let server = AmqpServer::new(settings.clone(), options);
    server.declare().await?;
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(Server::new(app, protocols), async move {
        let _ = stopped.await;
    }));
    let transport = AmqpClient::connect(
        settings,
        ClientOptions::to_queue(&queue).with_persistent(false),
    )
    .await?;
    let mut client = Client::new(Arc::new(transport), codec);
    if wire == Wire::SignedJsonRpc {
        client = client.with_signer(Signer::new(secrets.signing()));
    }
    // Warm up: the consumer is attached and the path is hot.
    for _ in 0..50 {
        let _: String = client
            .call_named("echo", &json!({"s": "warm"}), None)
            .await?;
    }
    let measure = match work {
        Work::Rpc(in_flight) => rpc(&client, in_flight, count).await?,
        Work::OneWay => one_way(&client, count).await?,
    };
    let _ = stop.send(());
    serving.await??;
    Ok(measure)
}

async fn rpc(client: &Client, in_flight: usize, count: usize) -> BenchResult<Measure> {
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..in_flight {
        let client = client.clone();
        let share = count / in_flight + usize::from(worker < count % in_flight);
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(share);
            for _ in 0..share {
                let t = Instant::now();
                let _: String = client
                    .call_named("echo", &json!({"s": "hello"}), None)
                    .await?;
                latencies.push(t.elapsed());
            }
            Ok::<_, switchboard::CallError>(latencies)
        });
    }
    let mut latencies = Vec::with_capacity(count);
    while let Some(joined) = tasks.join_next().await {
        latencies.extend(joined??);
    }
    Ok(Measure::new(count, started.elapsed(), latencies))
}

async fn one_way(client: &Client, count: usize) -> BenchResult<Measure> {
    let base = TICKS.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..IN_FLIGHT {
        let client = client.clone();
        let share = count / IN_FLIGHT + usize::from(worker < count % IN_FLIGHT);
        tasks.spawn(async move {
            for n in 0..share {
                client.notify_named("tick", &json!({"n": n}), None).await?;
            }
            Ok::<_, switchboard::CallError>(())
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined??;
    }
    while TICKS.load(Ordering::Relaxed) - base < count {
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    Ok(Measure::new(count, started.elapsed(), Vec::new()))
}
