//! The two servers, each run in a child process: `switchboard serve`'s
//! router (every service and protocol, as the binary mounts them) and bare
//! axum handlers doing the same JSON-RPC and SOAP work by hand.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use switchboard_http::HttpConfig;

/// Serves `name` on 127.0.0.1:0, printing the address on the first line.
pub(crate) fn serve(name: &str) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        println!("{}", listener.local_addr()?);
        match name {
            "switchboard" => {
                let app = switchboard_cli::application(&dir.path().join("bench.db"))?;
                let server = switchboard_cli::http_server(app, HttpConfig::default(), None)?;
                server.serve(listener, std::future::pending()).await?;
            }
            "component" => serve_component(listener, dir.path(), true).await?,
            "no-metrics" => serve_component(listener, dir.path(), false).await?,
            "bare-axum" => {
                let router = Router::new()
                    .route("/jsonrpc", post(bare_echo))
                    .route("/soap", post(super::bare_soap::echo));
                let router = Arc::new(router);
                axum::serve(listener, (*router).clone()).await?;
            }
            other => return Err(format!("unknown server `{other}`").into()),
        }
        Ok(())
    })
}

/// `switchboard` as `serve` runs it: calls counted, a component
/// announcing itself every second on a SQLite status bus in `dir`, and
/// metrics recorded and served at `/metrics` unless not `metered`
/// (`serve --no-metrics`).
async fn serve_component(
    listener: tokio::net::TcpListener,
    dir: &std::path::Path,
    metered: bool,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    use switchboard_host::components::{CallCounts, Component, ComponentSettings, Served};
    let counts = Arc::new(CallCounts::default());
    let host = switchboard_cli::host();
    let services = switchboard_cli::services();
    let app = switchboard_host::hosting::application_counted(
        host.info(),
        &services,
        &dir.join("bench.db"),
        None,
        &counts,
        metered,
    )?;
    let metrics = switchboard_host::telemetry::Metrics::new(host.info(), metered);
    let me = Arc::new(switchboard::Fingerprint::new("bench", "service", "0"));
    let bus = format!(
        "sqlite:{}?events={}",
        dir.join("status-queue.db").display(),
        dir.join("status-events.db").display()
    );
    let protocol = switchboard::catalog::protocol("json").ok_or("no json protocol")?;
    let settings =
        switchboard::catalog::BusSettings::new(protocol).with_fingerprint(Arc::clone(&me));
    let bus = switchboard::catalog::open_bus(bus.parse()?, settings)?;
    let component = ComponentSettings {
        fingerprint: me,
        bus,
        heartbeat: std::time::Duration::from_secs(1),
        secret: None,
    };
    let methods = app.methods().map(|m| m.name.to_owned()).collect();
    let served = Served {
        transports: vec![format!("http://{}", listener.local_addr()?)],
        methods,
    };
    let _component = Component::start(component, served, counts).await;
    let mut config = HttpConfig::default().with_draining(switchboard::catalog::Draining::new());
    if let Some(page) = metrics.page() {
        config = config.with_metrics(page.clone());
    }
    let server = switchboard_cli::http_server(app, config, None)?;
    server.serve(listener, std::future::pending()).await?;
    Ok(())
}

#[derive(Deserialize)]
struct Request<'a> {
    jsonrpc: &'a str,
    method: &'a str,
    #[serde(borrow)]
    params: &'a RawValue,
    #[serde(borrow)]
    id: &'a RawValue,
}

#[derive(Deserialize)]
struct EchoParams {
    s: String,
}

#[derive(Serialize)]
struct Reply<'a> {
    jsonrpc: &'static str,
    result: String,
    id: &'a RawValue,
}

/// The hand-written JSON-RPC `echo` endpoint.
async fn bare_echo(body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<Request<'_>>(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if request.jsonrpc != "2.0" || request.method != "echo" {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let Ok(params) = serde_json::from_str::<EchoParams>(request.params.get()) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let reply = Reply {
        jsonrpc: "2.0",
        result: params.s,
        id: request.id,
    };
    match serde_json::to_vec(&reply) {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
