//! A server on 127.0.0.1:0 for each test, and raw HTTP helpers.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;

use switchboard::Application;
use switchboard_http::{HttpConfig, HttpServer};
use switchboard_json::{JsonDocument, JsonRpc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running server; dropping `stop` (or sending on it) shuts it down.
pub struct Running {
    pub addr: SocketAddr,
    pub stop: Option<oneshot::Sender<()>>,
    pub task: JoinHandle<Result<(), switchboard::TransportError>>,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.await.expect("server task").expect("server ran");
    }
}

/// Every protocol mounted as `switchboard serve` does: JSON-RPC at
/// `/jsonrpc`, the JSON document at `/json`, REST bindings.
pub fn server(app: Application, config: HttpConfig) -> HttpServer {
    HttpServer::builder(app)
        .config(config)
        .endpoint("/jsonrpc", JsonRpc)
        .endpoint("/json", JsonDocument)
        .rest(JsonDocument)
        .build()
        .expect("routes are valid")
}

/// Binds 127.0.0.1:0 and serves until stopped.
pub async fn start(server: HttpServer) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        stop: Some(stop),
        task,
    }
}

/// Sends raw bytes and reads until the server closes or `limit` bytes.
pub async fn raw(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out).into_owned()
}
