//! The reconnect loop on the shared broker, without disturbing other
//! tests: connections cut by a TCP proxy inside the test, and the server's
//! own queue deleted under it (the broker cancels its consumer). Each time
//! the server comes back, declares its queue again and serves.

mod common;

use std::io;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use lapin::options::QueueDeleteOptions;
use serde_json::json;
use switchboard::{Application, Client, Server};
use switchboard_amqp::{
    AmqpClient, Backoff, Binding, ClientOptions, ConnectionSettings, QueueSpec, ServerOptions,
};
use switchboard_demo as _;
use switchboard_json::JsonRpc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use common::{PATIENCE, Running, TestResult, addr, connect, settings, unique, wait_consumers};

/// A TCP proxy to the broker whose connections can all be cut at once.
struct Proxy {
    port: u16,
    cut: watch::Sender<u64>,
}

impl Proxy {
    async fn start(target: String) -> Result<Self, std::io::Error> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let (cut, cuts) = watch::channel(0u64);
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let (target, mut cuts) = (target.clone(), cuts.clone());
                cuts.mark_unchanged();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cuts.changed() => {} // dropping both sockets cuts the connection
                    }
                });
            }
        });
        Ok(Self { port, cut })
    }

    /// Cuts every connection open now.
    fn cut(&self) {
        self.cut.send_modify(|n| *n += 1);
    }
}

/// `host:port` of the broker in `AMQP_ADDR`.
fn broker_host_port() -> Result<String, String> {
    let uri = ConnectionSettings::new(addr())
        .uri()
        .map_err(|e| e.to_string())?;
    Ok(format!("{}:{}", uri.authority.host, uri.authority.port))
}

/// What the process logged at `info` and above, as text without colours:
/// the reconnect loop's lines (installed on the first call).
fn logged() -> String {
    static LOGGED: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    #[derive(Clone)]
    struct Capture(Arc<Mutex<Vec<u8>>>);
    impl io::Write for Capture {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            let mut into = self.0.lock().map_err(|_| io::Error::other("poisoned"))?;
            into.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let buffer = LOGGED.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Capture(Arc::clone(&buffer));
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init();
        buffer
    });
    let bytes = buffer.lock().map(|b| b.clone()).unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn quick() -> Backoff {
    Backoff {
        initial: Duration::from_millis(20),
        max: Duration::from_millis(200),
        max_attempts: None,
    }
}

async fn echo(client: &Client, s: &str) -> Result<String, switchboard::CallError> {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    client
        .call_named("echo", &json!({"s": s}), Some(deadline))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_cut_by_a_proxy_are_reopened_and_serving_resumes() -> TestResult {
    logged();
    connect("probe").await?;
    let target = broker_host_port()?;
    let proxy = Proxy::start(target).await?;
    let uri = ConnectionSettings::new(addr()).uri()?;
    let via_proxy = format!(
        "amqp://{}:{}@127.0.0.1:{}/{}",
        uri.authority.userinfo.username,
        uri.authority.userinfo.password,
        proxy.port,
        uri.vhost.replace('/', "%2f")
    );
    let queue = unique("proxied");
    let options = ServerOptions::new(Binding::work_queue(
        QueueSpec::new(&queue).auto_delete(true),
    ))
    .with_reconnect(quick());
    let app = Application::builder().services(["demo"]).build()?;
    let server = switchboard_amqp::AmqpServer::new(ConnectionSettings::new(&via_proxy), options);
    let serving = tokio::spawn(switchboard::ServerTransport::serve(
        server,
        Server::new(app, JsonRpc),
        std::future::pending(),
    ));
    wait_consumers(&queue, 1).await?;
    // The client goes through the proxy too, and sends again after a cut.
    let transport = AmqpClient::connect(
        ConnectionSettings::new(&via_proxy),
        ClientOptions::to_queue(&queue).with_idempotent(["echo"], 3),
    )
    .await?;
    let client = Client::new(Arc::new(transport), Arc::new(JsonRpc));
    assert_eq!(echo(&client, "before").await?, "before");
    for round in 0..3 {
        proxy.cut();
        // The auto-delete queue went with its consumer; the server declares
        // it again when it is back.
        wait_consumers(&queue, 1).await?;
        let answer = common::bounded("a call after the cut", async {
            loop {
                match echo(&client, "after").await {
                    Ok(answer) => break answer,
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
        })
        .await?;
        assert_eq!(answer, "after", "round {round}");
    }
    serving.abort();
    // Each cut is logged: the link dropped (warn), and back (info), with
    // the attempt that brought it back.
    let logged = logged();
    let proxied = format!("127.0.0.1:{}", proxy.port);
    let back = logged
        .lines()
        .filter(|l| l.contains("reconnected to the broker") && l.contains(&proxied))
        .collect::<Vec<_>>();
    assert!(back.len() >= 3, "{logged}");
    assert!(
        back.iter()
            .all(|l| l.contains(" INFO ") && l.contains("attempt=")),
        "{back:?}"
    );
    assert!(
        logged
            .lines()
            .any(|l| l.contains(" WARN ") && l.contains("the connection or channel dropped")),
        "{logged}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_deleted_under_the_server_is_declared_again() -> TestResult {
    let connection = connect("probe").await?;
    let queue = unique("deleted");
    let options =
        ServerOptions::new(Binding::work_queue(QueueSpec::new(&queue))).with_reconnect(quick());
    let app = Application::builder().services(["demo"]).build()?;
    let running = Running::start("deleted", options, Server::new(app, JsonRpc));
    wait_consumers(&queue, 1).await?;
    let channel = connection.create_channel().await?;
    channel
        .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
        .await?;
    wait_consumers(&queue, 1).await?;
    let transport =
        AmqpClient::connect(settings("deleted"), ClientOptions::to_queue(&queue)).await?;
    let client = Client::new(Arc::new(transport), Arc::new(JsonRpc));
    assert_eq!(
        tokio::time::timeout(PATIENCE, echo(&client, "back")).await??,
        "back"
    );
    running.stop().await?;
    common::delete(&[&queue], &[]).await;
    Ok(())
}
