//! The documents as `serve` publishes them: built once from the options,
//! the same bytes `switchboard interface` writes, links from
//! `--public-url` whichever host a request names, and `rpc.discover`
//! answering the OpenRPC document on the JSON-RPC endpoint.

use std::net::SocketAddr;

use serde_json::{Value, json};
use switchboard_http::{Auth, HttpConfig};
use tokio::sync::oneshot;

use crate::{TestResult, interface};

/// The public URL the server is configured with.
const PUBLIC: &str = "https://maps.example.com";

/// A running server built as `serve --public-url PUBLIC` builds it.
pub(crate) struct Running {
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts every service in every protocol on a free port.
pub(crate) async fn start(public_url: Option<&str>) -> TestResult<Running> {
    start_with(HttpConfig::default(), public_url).await
}

/// [`start`] with `config` (auth, limits).
async fn start_with(mut config: HttpConfig, public_url: Option<&str>) -> TestResult<Running> {
    let dir = tempfile::tempdir()?;
    let app = switchboard_cli::application_of(&[], &dir.path().join("state.db"), public_url)?;
    if let Some(url) = public_url {
        config = config.with_public_url(url);
    }
    let server = switchboard_cli::http_server(app, config, None)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    Ok(Running {
        addr,
        stop: Some(stop),
        _dir: dir,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_publishes_what_interface_writes() -> TestResult {
    let server = start(Some(PUBLIC)).await?;
    let client = reqwest::Client::new();
    for (path, document, media_type) in [
        ("/openapi.json", "openapi", "application/json"),
        ("/openrpc.json", "openrpc", "application/json"),
        ("/docs", "docs", "text/html; charset=utf-8"),
    ] {
        let url = format!("http://{}{path}", server.addr);
        // A request naming another host gets the same bytes.
        let response = client
            .get(&url)
            .header("Host", "elsewhere.test")
            .send()
            .await?;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], media_type, "{path}");
        let served = response.text().await?;
        assert_eq!(
            served,
            interface(&[document, "--public-url", PUBLIC])?,
            "{path}"
        );
        assert!(
            !served.contains("elsewhere.test") && !served.contains("127.0.0.1"),
            "{path}"
        );
        let head = client.head(&url).send().await?;
        assert_eq!(head.status(), 200, "{path}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_discover_answers_the_served_openrpc_document() -> TestResult {
    let server = start(Some(PUBLIC)).await?;
    let client = reqwest::Client::new();
    let published: Value = client
        .get(format!("http://{}/openrpc.json", server.addr))
        .send()
        .await?
        .json()
        .await?;
    let reply: Value = client
        .post(format!("http://{}/jsonrpc", server.addr))
        .json(&json!({"jsonrpc": "2.0", "id": 7, "method": "rpc.discover"}))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(reply["id"], 7);
    assert_eq!(reply["result"], published);
    assert_eq!(published["servers"][0]["url"], format!("{PUBLIC}/jsonrpc"));
    // Without a public URL, links are relative: right wherever it is served.
    let relative = start(None).await?;
    let reply: Value = client
        .post(format!("http://{}/jsonrpc", relative.addr))
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "rpc.discover", "params": []}))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(reply["result"]["servers"][0]["url"], "/jsonrpc");
    assert_eq!(
        reply["result"],
        serde_json::from_str::<Value>(&interface(&["openrpc"])?)?
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_the_statuses_the_openapi_document_lists() -> TestResult {
    let server = start(None).await?;
    let client = reqwest::Client::new();
    let base = format!("http://{}", server.addr);
    let openapi: Value = client
        .get(format!("{base}/openapi.json"))
        .send()
        .await?
        .json()
        .await?;
    // (verb, documented path, request path, body, expected status)
    let calls = [
        ("post", "/json/echo", "/json/echo", json!({"s": "hi"}), 200),
        ("post", "/json/echo", "/json/echo", json!({"s": 1}), 400),
        (
            "post",
            "/json/sleep",
            "/json/sleep",
            json!({"seconds": 0}),
            200,
        ),
        (
            "post",
            "/json/fail",
            "/json/fail",
            json!({"message": "no"}),
            400,
        ),
        (
            "post",
            "/json/get_map",
            "/json/get_map",
            json!({"slug": "nowhere"}),
            404,
        ),
        (
            "post",
            "/api/maps/",
            "/api/maps/",
            json!({"name": "Doc Map", "width": 3, "height": 2}),
            201,
        ),
        (
            "post",
            "/api/maps/",
            "/api/maps/",
            json!({"name": "Doc Map", "width": 3, "height": 2}),
            409,
        ),
        (
            "post",
            "/api/maps/",
            "/api/maps/",
            json!({"name": "Flat", "width": 0, "height": 2}),
            400,
        ),
        (
            "get",
            "/api/maps/{slug}/",
            "/api/maps/doc-map/",
            Value::Null,
            200,
        ),
        (
            "get",
            "/api/maps/{slug}/",
            "/api/maps/nowhere/",
            Value::Null,
            404,
        ),
        (
            "delete",
            "/api/maps/{slug}/",
            "/api/maps/doc-map/",
            Value::Null,
            204,
        ),
    ];
    for (verb, documented, path, body, expected) in calls {
        let url = format!("{base}{path}");
        let request = match verb {
            "get" => client.get(&url),
            "delete" => client.delete(&url),
            _ => client.post(&url).json(&body),
        };
        let status = request.send().await?.status().as_u16();
        assert_eq!(status, expected, "{verb} {path} {body}");
        let responses = &openapi["paths"][documented][verb]["responses"];
        assert!(
            responses.get(status.to_string()).is_some(),
            "{verb} {documented} answered {status}, which the document does not list: {responses}"
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_auth_on_the_documents_name_the_scheme_and_stay_readable() -> TestResult {
    let config = HttpConfig::default().with_auth(Auth::Bearer {
        token: "t0ken-in-test".into(),
    });
    let server = start_with(config, None).await?;
    let client = reqwest::Client::new();
    let base = format!("http://{}", server.addr);
    // The documents are public; the methods are not.
    let openapi = client.get(format!("{base}/openapi.json")).send().await?;
    assert_eq!(openapi.status(), 200);
    let openapi = openapi.text().await?;
    assert!(!openapi.contains("t0ken-in-test"));
    assert_eq!(openapi, interface(&["openapi", "--auth-scheme", "bearer"])?);
    let openapi: Value = serde_json::from_str(&openapi)?;
    assert_eq!(openapi["security"], json!([{"bearerAuth": []}]));
    let docs = client
        .get(format!("{base}/docs"))
        .send()
        .await?
        .text()
        .await?;
    assert!(docs.contains("id=\"authorization\""));
    let call = client
        .post(format!("{base}/json/echo"))
        .json(&json!({"s": "x"}));
    assert_eq!(call.send().await?.status(), 401);
    let call = client
        .post(format!("{base}/json/echo"))
        .bearer_auth("t0ken-in-test")
        .json(&json!({"s": "x"}));
    assert_eq!(call.send().await?.status(), 200);
    Ok(())
}
