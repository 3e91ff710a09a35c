//! Every refusal carries the protocol's fault body: a path parameter that
//! does not parse (`400`, naming it), a path nothing is served at (`404`),
//! a verb the path does not take (`405`, with the `Allow` header `OPTIONS`
//! gives); and a route declared with a trailing slash answers `308` without
//! it.

mod common;

use common::{server, start};
use reqwest::redirect::Policy;
use serde_json::Value;
use switchboard::{Application, rpc};
use switchboard_demo as _; // links the `demo` service
use switchboard_http::HttpConfig;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A book by number.
#[rpc(service = "books", http = "GET /books/{id}")]
fn get_book(id: u32) -> String {
    format!("book {id}")
}

/// The books, from `offset`.
#[rpc(service = "books", http = "GET /api/books/")]
fn list_books(offset: Option<u32>) -> Vec<u32> {
    vec![offset.unwrap_or(0)]
}

fn app() -> Application {
    Application::builder()
        .services(["books", "demo"])
        .build()
        .expect("books")
}

/// A client that shows redirects instead of following them.
fn http() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder().redirect(Policy::none()).build()
}

#[tokio::test]
async fn a_path_parameter_that_does_not_parse_is_named() -> TestResult {
    let running = start(server(app(), HttpConfig::default())).await;
    let reply = http()?.get(running.url("/books/abc")).send().await?;
    assert_eq!(reply.status().as_u16(), 400);
    let fault: Value = reply.json().await?;
    assert_eq!(fault["faultcode"], "Client.InvalidParams", "{fault}");
    let message = fault["faultstring"].as_str().unwrap_or_default();
    assert!(
        message.contains("`id`") && message.contains("integer"),
        "{fault}"
    );
    let ok = http()?.get(running.url("/books/7")).send().await?;
    assert_eq!(ok.json::<String>().await?, "book 7");
    running.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn unmatched_paths_get_a_not_found_fault() -> TestResult {
    let running = start(server(app(), HttpConfig::default())).await;
    for path in ["/nowhere", "/books/7/pages", "/api/books/1/"] {
        let reply = http()?.get(running.url(path)).send().await?;
        assert_eq!(reply.status().as_u16(), 404, "{path}");
        let fault: Value = reply.json().await?;
        assert_eq!(fault["faultcode"], "Client.NotFound", "{path}: {fault}");
        assert!(
            fault["faultstring"]
                .as_str()
                .is_some_and(|s| s.contains(path))
        );
    }
    // Under an RPC endpoint, the fault comes in that endpoint's protocol.
    let reply = http()?.post(running.url("/jsonrpc/x")).send().await?;
    assert_eq!(reply.status().as_u16(), 404);
    let body: Value = reply.json().await?;
    assert_eq!(
        body["error"]["data"]["faultcode"], "Client.NotFound",
        "{body}"
    );
    running.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn wrong_verbs_get_a_fault_and_the_options_allow_header() -> TestResult {
    let running = start(server(app(), HttpConfig::default())).await;
    let http = http()?;
    for (path, protocol_field) in [
        ("/books/7", "faultcode"),
        ("/api/books/", "faultcode"),
        ("/json", "faultcode"),
        ("/jsonrpc", "error"),
        ("/healthz", "faultcode"),
    ] {
        let options = http
            .request(reqwest::Method::OPTIONS, running.url(path))
            .send()
            .await?;
        let allow = options.headers()["allow"].clone();
        let wrong = http.delete(running.url(path)).send().await?;
        assert_eq!(wrong.status().as_u16(), 405, "{path}");
        assert_eq!(wrong.headers()["allow"], allow, "{path}");
        let body: Value = wrong.json().await?;
        assert!(!body[protocol_field].is_null(), "{path}: {body}");
        let text = body.to_string();
        assert!(text.contains("Client.MethodNotAllowed"), "{path}: {text}");
    }
    running.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_declared_trailing_slash_redirects_without_it() -> TestResult {
    let running = start(server(app(), HttpConfig::default())).await;
    let http = http()?;
    let reply = http.get(running.url("/api/books?offset=3")).send().await?;
    assert_eq!(reply.status().as_u16(), 308);
    assert_eq!(reply.headers()["location"], "/api/books/?offset=3");
    let reply = http.get(running.url("/api/books")).send().await?;
    assert_eq!(reply.headers()["location"], "/api/books/");
    let followed = reqwest::get(running.url("/api/books?offset=3")).await?;
    assert_eq!(followed.json::<Vec<u32>>().await?, [3]);
    // Declared without a slash: no redirect the other way.
    let reply = http.get(running.url("/books/7/")).send().await?;
    assert_eq!(reply.status().as_u16(), 404);
    running.shutdown().await;
    Ok(())
}
