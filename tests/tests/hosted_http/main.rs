//! `switchboard serve`'s server on a real socket, in process: the
//! application and HTTP server the `switchboard` binary builds
//! (`switchboard_cli::{application, http_server}`), on 127.0.0.1:0 with a
//! SQLite file in a temporary directory. Cross-crate: the host, the HTTP
//! transport, the JSON protocols and the gridmap service together.
//!
//! - `steps`: one walk through the 14 gridmap methods, with the results
//!   and REST routes expected.
//! - `methods`: that walk at `/jsonrpc`, `/json`, `/json/{method}` and
//!   over the REST routes.
//! - `client`: the typed client over HTTP in both JSON protocols.
//! - `concurrency`: many REST creations at once.
//! - `bad_input`: malformed bodies, wrong types and media types at each
//!   endpoint kind.
//! - `limits`: bodies over the limit, declared or sent slowly.

mod bad_input;
mod client;
mod concurrency;
mod limits;
mod methods;
mod steps;

use std::error::Error;
use std::net::SocketAddr;

use reqwest::Method;
use serde_json::Value;
use switchboard::TransportError;
use switchboard_http::HttpConfig;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// What a test returns.
type TestResult = Result<(), Box<dyn Error>>;

/// A server as `switchboard serve` builds it, serving until stopped or
/// dropped; the database lives as long as it.
struct Running {
    addr: SocketAddr,
    http: reqwest::Client,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), TransportError>>,
    _dir: TempDir,
}

/// Every shipped service with every protocol, on 127.0.0.1:0. The listener
/// is bound before this returns, so the server is ready: connections wait
/// in its backlog until the accept loop takes them.
async fn start(config: HttpConfig) -> Result<Running, Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let app = switchboard_cli::application(&dir.path().join("switchboard.db"))?;
    let server = switchboard_cli::http_server(app, config, None)?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    Ok(Running {
        addr,
        http: reqwest::Client::new(),
        stop,
        task,
        _dir: dir,
    })
}

/// An HTTP answer: status, `Location` header, body as text.
#[derive(Debug)]
struct Reply {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Reply {
    /// The body as JSON.
    fn json(&self) -> Result<Value, Box<dyn Error>> {
        serde_json::from_str(&self.body).map_err(|err| format!("{err}: {}", self.body).into())
    }
}

impl Running {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends `body` as `content_type` (none when `None`) with `verb` to `path`.
    async fn send(
        &self,
        verb: Method,
        path: &str,
        content_type: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Reply, Box<dyn Error>> {
        let mut request = self.http.request(verb, self.url(path));
        if let Some(body) = body {
            request = request.header("content-type", content_type).body(body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|value| value.to_str().map(str::to_owned))
            .transpose()?;
        let body = response.text().await?;
        Ok(Reply {
            status,
            location,
            body,
        })
    }

    /// `POST`s `body` to `path` as `application/json`.
    async fn post(&self, path: &str, body: &Value) -> Result<Reply, Box<dyn Error>> {
        let bytes = serde_json::to_vec(body)?;
        self.send(Method::POST, path, "application/json", Some(bytes))
            .await
    }

    /// Shuts the server down and checks it stopped cleanly.
    async fn shutdown(self) -> TestResult {
        let _ = self.stop.send(());
        self.task.await??;
        Ok(())
    }
}

/// The kinds of endpoint a body reaches, each with the method it calls:
/// `create_map` at the RPC endpoints and `POST /api/maps/`, `update_map` of
/// map `target` at `PUT /api/maps/target/`.
#[derive(Debug, Clone, Copy)]
enum Endpoint {
    JsonRpc,
    Json,
    JsonMethod,
    RestPost,
    RestPut,
}

impl Endpoint {
    const ALL: [Self; 5] = [
        Self::JsonRpc,
        Self::Json,
        Self::JsonMethod,
        Self::RestPost,
        Self::RestPut,
    ];

    fn verb(self) -> Method {
        match self {
            Self::RestPut => Method::PUT,
            _ => Method::POST,
        }
    }

    fn path(self) -> &'static str {
        match self {
            Self::JsonRpc => "/jsonrpc",
            Self::Json => "/json",
            Self::JsonMethod => "/json/create_map",
            Self::RestPost => "/api/maps/",
            Self::RestPut => "/api/maps/target/",
        }
    }

    /// The request body carrying `params` (a JSON object as text).
    fn wrap(self, params: &str) -> String {
        match self {
            Self::JsonRpc => {
                format!(r#"{{"jsonrpc":"2.0","method":"create_map","params":{params},"id":7}}"#)
            }
            Self::Json => format!(r#"{{"create_map":{params}}}"#),
            Self::JsonMethod | Self::RestPost | Self::RestPut => params.to_owned(),
        }
    }

    /// The status of a successful call.
    fn ok_status(self) -> u16 {
        match self {
            Self::RestPost => 201,
            Self::RestPut => 204,
            _ => 200,
        }
    }

    /// Checks `reply` is `status` with this protocol's error body for
    /// `fault`: a JSON-RPC error object with `rpc_code` at `/jsonrpc`
    /// (its `data`, when sent, naming the fault) with `rpc_status` (`200`
    /// for an error response, the refusal's status for a refusal before
    /// the protocol ran), `{"faultcode": ...}` everywhere else.
    fn check_fault(
        self,
        reply: &Reply,
        (status, rpc_status): (u16, u16),
        fault: &str,
        rpc_code: i64,
    ) -> TestResult {
        let status = match self {
            Self::JsonRpc => rpc_status,
            _ => status,
        };
        assert_eq!(reply.status, status, "{self:?}: {reply:?}");
        let body = reply.json()?;
        if let Self::JsonRpc = self {
            let error = &body["error"];
            assert_eq!(error["code"], rpc_code, "{self:?}: {body}");
            let data = &error["data"];
            assert!(data.is_null() || data["faultcode"] == fault, "{body}");
        } else {
            assert_eq!(body["faultcode"], fault, "{self:?}: {body}");
            assert!(body["faultstring"].is_string(), "{self:?}: {body}");
        }
        Ok(())
    }

    /// Checks the endpoint still serves a valid call; `n` makes the map
    /// name unique.
    async fn check_alive(self, running: &Running, n: usize) -> TestResult {
        let params = format!(r#"{{"name":"Alive {n}","width":4,"height":4}}"#);
        let body = self.wrap(&params).into_bytes();
        let reply = running
            .send(self.verb(), self.path(), "application/json", Some(body))
            .await?;
        assert_eq!(reply.status, self.ok_status(), "{self:?}: {reply:?}");
        Ok(())
    }
}

/// A server with map `target` (for [`Endpoint::RestPut`]).
async fn start_with_target(config: HttpConfig) -> Result<Running, Box<dyn Error>> {
    let running = start(config).await?;
    let create = serde_json::json!({"name": "Target", "width": 8, "height": 8});
    let reply = running.post("/api/maps/", &create).await?;
    assert_eq!(reply.status, 201, "{reply:?}");
    Ok(running)
}
