//! Fixed documents on `GET`: on their own path (`/openapi.json`), and on an
//! endpoint's path behind a query key (`/json?schema`, as `/soap?wsdl`),
//! where `POST` still reaches the endpoint.

mod common;

use common::start;
use serde_json::Value;
use switchboard::Application;
use switchboard_demo as _; // links the `demo` service
use switchboard_http::{Document, HttpServer, RouteError};
use switchboard_json::JsonDocument;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn app() -> Application {
    Application::builder()
        .services(["demo"])
        .build()
        .expect("demo")
}

fn server() -> Result<HttpServer, RouteError> {
    HttpServer::builder(app())
        .endpoint("/json", JsonDocument)
        .rest(JsonDocument)
        .document(Document::new(
            "/openapi.json",
            "application/json",
            r#"{"openapi":"3.1.0"}"#,
        ))
        .document(Document::new("/json", "text/plain", "the schema").on_query("schema"))
        .build()
}

#[tokio::test]
async fn a_document_is_served_with_its_media_type_and_length() -> TestResult {
    let running = start(server()?).await;
    let http = reqwest::Client::new();
    let reply = http.get(running.url("/openapi.json")).send().await?;
    assert_eq!(reply.status().as_u16(), 200);
    assert_eq!(reply.headers()["content-type"], "application/json");
    assert_eq!(reply.text().await?, r#"{"openapi":"3.1.0"}"#);

    let head = http.head(running.url("/openapi.json")).send().await?;
    assert_eq!(head.status().as_u16(), 200);
    assert_eq!(head.headers()["content-length"], "19");

    let post = http.post(running.url("/openapi.json")).send().await?;
    assert_eq!(post.status().as_u16(), 405);
    assert_eq!(post.headers()["allow"], "GET, HEAD, OPTIONS");
    running.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_document_behind_a_query_shares_its_path_with_the_endpoint() -> TestResult {
    let running = start(server()?).await;
    let http = reqwest::Client::new();
    for query in ["schema", "SCHEMA", "schema="] {
        let reply = http
            .get(running.url(&format!("/json?{query}")))
            .send()
            .await?;
        assert_eq!(reply.status().as_u16(), 200, "?{query}");
        assert_eq!(reply.text().await?, "the schema");
    }
    let bare = http.get(running.url("/json")).send().await?;
    assert_eq!(bare.status().as_u16(), 404);
    let fault: Value = bare.json().await?;
    assert!(
        fault["faultstring"]
            .as_str()
            .is_some_and(|s| s.contains("`GET /json?schema`")),
        "{fault}"
    );
    let call = http
        .post(running.url("/json/echo"))
        .json(&serde_json::json!({"s": "still here"}))
        .send()
        .await?;
    assert_eq!(call.json::<String>().await?, "still here");
    let whole = http
        .post(running.url("/json"))
        .json(&serde_json::json!({"echo": {"s": "and here"}}))
        .send()
        .await?;
    assert_eq!(whole.json::<String>().await?, "and here");
    let options = http
        .request(reqwest::Method::OPTIONS, running.url("/json"))
        .send()
        .await?;
    assert_eq!(options.headers()["allow"], "POST, GET, HEAD, OPTIONS");
    running.shutdown().await;
    Ok(())
}

#[test]
fn a_document_cannot_take_a_path_twice() {
    let twice = HttpServer::builder(app())
        .document(Document::new("/docs", "text/html", "a"))
        .document(Document::new("docs", "text/html", "b"))
        .build();
    assert!(matches!(twice, Err(RouteError::DocumentTaken(path)) if path == "/docs"));
    let on_health = HttpServer::builder(app())
        .document(Document::new("/healthz", "text/plain", "mine"))
        .build();
    assert!(matches!(on_health, Err(RouteError::DocumentTaken(_))));
}
