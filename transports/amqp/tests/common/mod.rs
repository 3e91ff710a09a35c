//! What the broker tests share: the broker address (`AMQP_ADDR`), unique
//! names, a bounded wait for a consumer, and a server started in the
//! background with its shutdown handle.

#![allow(dead_code, unreachable_pub)]

// The private node lives in the test kit, shared with the CLI's tests;
// only the tests that stop or reconfigure a broker use it.
#[allow(unused_imports)]
pub use switchboard_testing::rabbitmq as node;

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use lapin::options::{
    BasicConsumeOptions, ExchangeDeleteOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::FieldTable;
use switchboard::{Server, ServerTransport, TransportError};
use switchboard_amqp::{AmqpServer, ConnectionSettings, ServerOptions};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A venv with pika, created once per test binary (its tests share it);
/// its python. The interop tests' Python programs run with it.
pub async fn pika_python() -> Result<std::path::PathBuf, String> {
    static VENV: tokio::sync::OnceCell<Result<std::path::PathBuf, String>> =
        tokio::sync::OnceCell::const_new();
    VENV.get_or_init(|| async {
        let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pika-venv");
        tokio::task::spawn_blocking(move || {
            switchboard_testing::python_venv(&dir, &["pika"], "import pika")
        })
        .await
        .map_err(|e| format!("venv setup panicked: {e}"))?
    })
    .await
    .clone()
}

/// A test's result.
pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// How long a test waits for the broker to do something.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The broker address: `AMQP_ADDR`, or the local RabbitMQ.
pub fn addr() -> String {
    std::env::var("AMQP_ADDR").unwrap_or_else(|_| "amqp://127.0.0.1:5672/%2f".to_owned())
}

/// Settings for the test broker, with a connection named after the test.
pub fn settings(name: &str) -> ConnectionSettings {
    ConnectionSettings::new(addr()).with_connection_name(format!("switchboard-test {name}"))
}

/// Connects, or fails saying how to start the broker.
pub async fn connect(name: &str) -> Result<lapin::Connection, String> {
    settings(name).connect().await.map_err(|err| {
        format!(
            "no RabbitMQ broker at {} ({err}: {:?}). Start it with `rabbitmq-server -detached` \
             (or `apt-get install rabbitmq-server` first), or set AMQP_ADDR; `.ci/run` starts it",
            addr(),
            std::error::Error::source(&err).map(ToString::to_string)
        )
    })
}

/// A name no other test (or run) uses.
pub fn unique(name: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "sbtest-{name}-{}-{}-{:x}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        fastrand::u32(..)
    )
}

/// Waits (bounded) until `queue` has at least `consumers` consumers.
pub async fn wait_consumers(queue: &str, consumers: u32) -> Result<(), String> {
    wait_consumers_at(&addr(), queue, consumers, PATIENCE).await
}

/// Waits (at most `patience`) until `queue` on the broker at `url` has at
/// least `consumers` consumers.
pub async fn wait_consumers_at(
    url: &str,
    queue: &str,
    consumers: u32,
    patience: Duration,
) -> Result<(), String> {
    let start = Instant::now();
    let connection = loop {
        match ConnectionSettings::new(url).connect().await {
            Ok(connection) => break connection,
            Err(err) if start.elapsed() > patience => {
                return Err(format!("cannot connect to {url}: {err}"));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    let start = Instant::now();
    let result = loop {
        let channel = connection
            .create_channel()
            .await
            .map_err(|e| e.to_string())?;
        let passive = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        if let Ok(q) = channel
            .queue_declare(queue.into(), passive, FieldTable::default())
            .await
            && q.consumer_count() >= consumers
        {
            break Ok(());
        }
        if start.elapsed() > PATIENCE {
            break Err(format!(
                "queue {queue} did not get {consumers} consumers within {PATIENCE:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let _ = connection.close(200, "done".into()).await;
    result
}

/// How many messages `queue` holds (ready), or an error if it is missing.
pub async fn message_count(queue: &str) -> Result<u32, String> {
    message_count_at(&addr(), queue).await
}

/// How many messages `queue` on the broker at `url` holds (ready).
pub async fn message_count_at(url: &str, queue: &str) -> Result<u32, String> {
    let connection = ConnectionSettings::new(url)
        .connect()
        .await
        .map_err(|e| e.to_string())?;
    let channel = connection
        .create_channel()
        .await
        .map_err(|e| e.to_string())?;
    let passive = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    let q = channel
        .queue_declare(queue.into(), passive, FieldTable::default())
        .await
        .map_err(|e| e.to_string())?;
    let _ = connection.close(200, "done".into()).await;
    Ok(q.message_count())
}

/// Deletes queues and exchanges a test declared.
pub async fn delete(queues: &[&str], exchanges: &[&str]) {
    let Ok(connection) = connect("cleanup").await else {
        return;
    };
    for queue in queues {
        if let Ok(channel) = connection.create_channel().await {
            let _ = channel
                .queue_delete((*queue).into(), QueueDeleteOptions::default())
                .await;
        }
    }
    for exchange in exchanges {
        if let Ok(channel) = connection.create_channel().await {
            let _ = channel
                .exchange_delete((*exchange).into(), ExchangeDeleteOptions::default())
                .await;
        }
    }
    let _ = connection.close(200, "done".into()).await;
}

/// A server serving in the background.
pub struct Running {
    stop: Option<oneshot::Sender<()>>,
    pub serving: JoinHandle<Result<(), TransportError>>,
}

impl Running {
    /// Starts `options` serving `server`.
    pub fn start(name: &str, options: ServerOptions, server: Server) -> Self {
        let (stop, stopped) = oneshot::channel::<()>();
        let transport = AmqpServer::new(settings(name), options);
        let serving = tokio::spawn(transport.serve(server, async move {
            let _ = stopped.await;
        }));
        Self {
            stop: Some(stop),
            serving,
        }
    }

    /// Shuts the server down and waits (bounded) for `serve` to return.
    pub async fn stop(mut self) -> TestResult {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(PATIENCE, &mut self.serving)
            .await??
            .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
    }
}

/// Runs `f` with a deadline of [`PATIENCE`].
pub async fn bounded<T>(what: &str, f: impl Future<Output = T>) -> Result<T, String> {
    tokio::time::timeout(PATIENCE, f)
        .await
        .map_err(|_| format!("{what} did not finish within {PATIENCE:?}"))
}

/// A consumer of RabbitMQ's direct reply-to pseudo-queue on `channel`, for
/// tests that publish raw requests with `reply_to = amq.rabbitmq.reply-to`
/// (the broker requires `no_ack` on it).
pub async fn reply_consumer(channel: &lapin::Channel) -> Result<lapin::Consumer, lapin::Error> {
    let no_ack = BasicConsumeOptions {
        no_ack: true,
        ..BasicConsumeOptions::default()
    };
    channel
        .basic_consume(
            "amq.rabbitmq.reply-to".into(),
            "".into(),
            no_ack,
            FieldTable::default(),
        )
        .await
}
