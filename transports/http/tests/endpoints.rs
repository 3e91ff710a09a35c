//! The RPC endpoints over a real socket: each protocol, the typed client in
//! each protocol, statuses for faults, limits, auth and shutdown.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{raw, server, start};
use serde_json::{Value, json};
use switchboard::{Application, Client};
use switchboard_demo::{Echo, Fail, Sleep, Subtract, Sum};
use switchboard_http::{Auth, HttpClient, HttpConfig};
use switchboard_json::{JsonDocument, JsonRpc};

fn demo() -> Application {
    Application::builder()
        .services(["demo"])
        .build()
        .expect("demo")
}

async fn post(url: &str, content_type: &str, body: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// Signals when a call starts running.
struct CallStarted(Arc<tokio::sync::Notify>);

#[switchboard::async_trait]
impl switchboard::EventListener for CallStarted {
    async fn on_event(&self, event: switchboard::Event, _ctx: &switchboard::MethodContext) {
        if event == switchboard::Event::MethodCall {
            self.0.notify_one();
        }
    }
}

#[tokio::test]
async fn each_protocol_endpoint_answers() {
    let running = start(server(demo(), HttpConfig::default())).await;
    let (status, body) = post(
        &running.url("/jsonrpc"),
        "application/json",
        r#"{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}"#,
    )
    .await;
    assert_eq!(
        (status, serde_json::from_str::<Value>(&body).unwrap()),
        (200, json!({"jsonrpc":"2.0","result":19,"id":1}))
    );
    let (status, body) = post(
        &running.url("/json"),
        "application/json",
        r#"{"echo": {"s": "hi"}}"#,
    )
    .await;
    assert_eq!((status, body.as_str()), (200, r#""hi""#));
    let (status, body) = post(
        &running.url("/json/echo"),
        "application/json; charset=utf-8",
        r#"{"s": "hi"}"#,
    )
    .await;
    assert_eq!((status, body.as_str()), (200, r#""hi""#));
    let (status, _) = post(
        &running.url("/jsonrpc"),
        "application/json",
        r#"{"jsonrpc":"2.0","method":"echo","params":["x"]}"#,
    )
    .await;
    assert_eq!(status, 204, "a notification gets no body");
    running.shutdown().await;
}

#[tokio::test]
async fn faults_become_statuses_with_protocol_bodies() {
    let running = start(server(demo(), HttpConfig::default())).await;
    // JSON-RPC error responses are responses: `200` (see
    // `fault_statuses.rs` for the option that maps them to statuses).
    let cases = [
        (
            "/jsonrpc",
            r#"{"jsonrpc":"2.0","method":"nope","id":1}"#,
            200,
            "Method not found",
        ),
        (
            "/jsonrpc",
            r#"{"jsonrpc":"2.0","method":"fail","params":["no"],"id":1}"#,
            200,
            "\"faultcode\":\"Client\"",
        ),
        ("/jsonrpc", "{truncated", 200, "Parse error"),
        (
            "/json",
            r#"{"sum": {"a": "x", "b": 1}}"#,
            400,
            "Client.InvalidParams",
        ),
        ("/json/nope", "{}", 404, "Client.UnknownMethod"),
        ("/json", "\u{0}\u{1}", 400, "Client.Malformed"),
    ];
    for (path, body, status, needle) in cases {
        let (got, text) = post(&running.url(path), "application/json", body).await;
        assert_eq!(got, status, "{path} {body}: {text}");
        assert!(text.contains(needle), "{path} {body}: {text}");
    }
    let response = reqwest::Client::new()
        .post(running.url("/json"))
        .header("content-type", "application/json")
        .body(vec![b'{', 0xff, 0xfe, b'}'])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 400, "invalid UTF-8");
    let (status, body) = post(&running.url("/jsonrpc"), "text/plain", "{}").await;
    assert_eq!(status, 415);
    assert!(body.contains("Client.UnsupportedMediaType"), "{body}");
    let (status, body) = post(
        &running.url("/json/echo"),
        "application/json",
        r#"{"s": "still here"}"#,
    )
    .await;
    assert_eq!((status, body.as_str()), (200, r#""still here""#));
    running.shutdown().await;
}

#[tokio::test]
async fn the_typed_client_works_in_every_protocol() -> Result<(), Box<dyn std::error::Error>> {
    let running = start(server(demo(), HttpConfig::default())).await;
    let clients = [
        Client::new(
            Arc::new(HttpClient::new(running.url("/jsonrpc"))?),
            Arc::new(JsonRpc),
        ),
        Client::new(
            Arc::new(HttpClient::new(running.url("/json"))?),
            Arc::new(JsonDocument),
        ),
        Client::new(
            Arc::new(HttpClient::new(running.url("/json"))?.with_method_in_path(true)),
            Arc::new(JsonDocument),
        ),
    ];
    for client in clients {
        assert_eq!(client.call(Echo { s: "hé".into() }).await?, "hé");
        assert_eq!(client.call(Sum { a: 1.0, b: 2.5 }).await?, 3.5);
        assert_eq!(
            client
                .call(Subtract {
                    minuend: 5,
                    subtrahend: 7
                })
                .await?,
            -2
        );
        let err = client
            .call(Fail {
                message: "boom".into(),
            })
            .await
            .unwrap_err();
        assert_eq!(
            err.fault()
                .map(|f| (f.code().to_owned(), f.message().to_owned())),
            Some(("Client".into(), "boom".into()))
        );
        client.call(Sleep { seconds: 0.0 }).await?;
    }
    running.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn bodies_over_the_limit_get_413_even_when_sent_slowly() {
    let config = HttpConfig::default().with_max_body_bytes(1024);
    let running = start(server(demo(), config)).await;
    let big = format!(r#"{{"echo": {{"s": "{}"}}}}"#, "x".repeat(2000));
    let (status, body) = post(&running.url("/json"), "application/json", &big).await;
    assert_eq!(status, 413);
    assert!(body.contains("Client.LimitExceeded"), "{body}");
    // Chunked, no Content-Length: the limit is enforced while reading.
    let head = "POST /json HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n";
    let mut request = head.as_bytes().to_vec();
    for _ in 0..3 {
        request.extend_from_slice(format!("{:x}\r\n{}\r\n", 600, "y".repeat(600)).as_bytes());
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let reply = raw(running.addr, &request).await;
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    running.shutdown().await;
}

#[tokio::test]
async fn a_stalled_body_is_cut_off_and_the_server_keeps_serving() {
    let config = HttpConfig::default().with_request_timeout(Duration::from_millis(300));
    let running = start(server(demo(), config)).await;
    let stalled = b"POST /json/echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"s\":";
    let reply = tokio::time::timeout(Duration::from_secs(10), raw(running.addr, stalled))
        .await
        .expect("the server answered before the test gave up");
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains("Client.Timeout"), "{reply}");
    let (status, _) = post(
        &running.url("/json/echo"),
        "application/json",
        r#"{"s": "ok"}"#,
    )
    .await;
    assert_eq!(status, 200);
    running.shutdown().await;
}

#[tokio::test]
async fn auth_is_required_when_configured() -> Result<(), Box<dyn std::error::Error>> {
    let config = HttpConfig::default().with_auth(Auth::Bearer {
        token: "s3cret".into(),
    });
    let running = start(server(demo(), config)).await;
    let response = reqwest::Client::new()
        .post(running.url("/json/echo"))
        .header("content-type", "application/json")
        .body(r#"{"s": "hi"}"#)
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert!(response.text().await?.contains("Client.Unauthorized"));
    let health = reqwest::get(running.url("/healthz")).await?;
    assert_eq!(health.status().as_u16(), 200, "the health check stays open");
    let client = Client::new(
        Arc::new(HttpClient::new(running.url("/jsonrpc"))?.with_bearer_token("s3cret")),
        Arc::new(JsonRpc),
    );
    assert_eq!(client.call(Echo { s: "in".into() }).await?, "in");
    let wrong = Client::new(
        Arc::new(HttpClient::new(running.url("/jsonrpc"))?.with_bearer_token("guess")),
        Arc::new(JsonRpc),
    );
    let err = wrong.call(Echo { s: "in".into() }).await.unwrap_err();
    assert_eq!(
        err.fault().map(|f| f.code().to_owned()).as_deref(),
        Some("Client.Unauthorized")
    );
    running.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn unknown_paths_wrong_verbs_head_and_options() -> Result<(), Box<dyn std::error::Error>> {
    let running = start(server(demo(), HttpConfig::default())).await;
    let http = reqwest::Client::new();
    assert_eq!(
        http.get(running.url("/nowhere"))
            .send()
            .await?
            .status()
            .as_u16(),
        404
    );
    let wrong = http.get(running.url("/jsonrpc")).send().await?;
    assert_eq!(wrong.status().as_u16(), 405);
    let allow = wrong.headers()["allow"].to_str()?.to_owned();
    assert!(allow.contains("POST"), "{allow}");
    let options = http
        .request(reqwest::Method::OPTIONS, running.url("/jsonrpc"))
        .send()
        .await?;
    assert_eq!(options.status().as_u16(), 204);
    assert_eq!(options.headers()["allow"], "POST, OPTIONS");
    let head = http.head(running.url("/healthz")).send().await?;
    assert_eq!(head.status().as_u16(), 200);
    assert_eq!(head.text().await?, "");
    running.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn shutdown_lets_requests_in_flight_finish() -> Result<(), Box<dyn std::error::Error>> {
    let started = Arc::new(tokio::sync::Notify::new());
    let app = Application::builder()
        .services(["demo"])
        .listener(CallStarted(Arc::clone(&started)))
        .build()?;
    let running = start(server(app, HttpConfig::default())).await;
    let url = running.url("/jsonrpc");
    let slow = tokio::spawn(async move {
        post(
            &url,
            "application/json",
            r#"{"jsonrpc":"2.0","method":"sleep","params":[0.5],"id":1}"#,
        )
        .await
    });
    // The call is running once its `MethodCall` event fires.
    started.notified().await;
    let addr = running.addr;
    running.shutdown().await;
    let (status, body) = slow.await?;
    assert_eq!(
        (status, body.contains("\"result\":null")),
        (200, true),
        "{body}"
    );
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
    Ok(())
}
