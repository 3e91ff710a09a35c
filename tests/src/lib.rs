//! Shared pieces of the cross-crate tests: a service with the extra methods
//! the JSON-RPC 2.0 specification's examples call, and helpers that run raw
//! bytes through the loopback pipeline.
//!
//! The `jsonrpc-spec` and `checks` services are registered here, in a
//! library crate, and found by applications built in the test binaries:
//! that is the cross-crate registration the tests rely on.

pub mod checks;
pub mod spec;

// Link the shipped services so their registrations are present.
#[allow(unused_extern_crates)]
extern crate switchboard_demo;

use switchboard::{Application, RequestInfo, Server, TransportFacts};
use switchboard_json::{JsonDocument, JsonRpc};

/// The application the specification examples run against: the spec
/// service plus `demo.subtract`.
///
/// # Panics
/// If the services are not registered (a broken build, not input).
pub fn spec_app() -> Application {
    Application::builder()
        .services([spec::SERVICE])
        .method("demo.subtract")
        .build()
        .expect("spec services are registered")
}

/// The `checks` and `demo` services, with the state `checks` needs.
///
/// # Panics
/// If the services are not registered (a broken build, not input).
pub fn checks_app() -> Application {
    Application::builder()
        .services([checks::SERVICE, "demo"])
        .state(checks::Counter::default())
        .build()
        .expect("checks services are registered")
}

/// A JSON-RPC server for `app`.
pub fn jsonrpc_server(app: Application) -> Server {
    Server::new(app, JsonRpc)
}

/// A JSON document server for `app`.
pub fn document_server(app: Application) -> Server {
    Server::new(app, JsonDocument)
}

/// Runs `body` through `server` as the loopback transport does; returns the
/// reply as text, `None` for no reply.
pub async fn exchange(server: &Server, body: impl Into<Vec<u8>>) -> Option<String> {
    let request = RequestInfo::new(body.into(), TransportFacts::NONE);
    let response = server.process(request).await;
    response
        .body
        .map(|bytes| String::from_utf8(bytes).expect("replies are UTF-8"))
}

/// As [`exchange`], with the method named by the transport.
pub async fn exchange_named(server: &Server, method: &str, body: &str) -> Option<String> {
    let request =
        RequestInfo::new(body.as_bytes().to_vec(), TransportFacts::NONE).with_method(method);
    let response = server.process(request).await;
    response
        .body
        .map(|bytes| String::from_utf8(bytes).expect("replies are UTF-8"))
}
