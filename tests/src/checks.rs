//! The `checks` service: methods with declared constraints, injected
//! parameters and deliberate failures, for the pipeline's own tests.

use std::sync::atomic::{AtomicUsize, Ordering};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard::{Fault, MethodContext, State, Validate, rpc};

/// The service name.
pub const SERVICE: &str = "checks";

/// How many times [`create_map`] ran (tests check that invalid calls never
/// reach it).
pub static CREATE_MAP_CALLS: AtomicUsize = AtomicUsize::new(0);

/// A grid size, constrained field by field.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, Validate)]
pub struct Dimensions {
    /// Columns.
    #[schemars(range(min = 1, max = 1024))]
    pub width: u32,
    /// Rows.
    #[schemars(range(min = 1, max = 1024))]
    pub height: u32,
}

/// Creates nothing, but only with valid input: returns the name.
#[rpc(service = "checks")]
pub fn create_map(
    #[schemars(length(min = 1, max = 20))] name: String,
    #[schemars(regex(pattern = "^[a-z][a-z-]*$"))] slug: String,
    #[validate(nested)] size: Dimensions,
    #[schemars(range(min = 1, max = 64))] vision: Option<u8>,
) -> String {
    let _ = (slug, size, vision);
    CREATE_MAP_CALLS.fetch_add(1, Ordering::SeqCst);
    name
}

/// A counter shared by the calls of one application.
#[derive(Debug, Default)]
pub struct Counter(pub AtomicUsize);

/// Counts its calls in the shared counter; returns the new count and the
/// request id the context carries.
#[rpc(service = "checks")]
pub async fn count(ctx: &MethodContext, counter: State<Counter>) -> (usize, u64) {
    let n = counter.0.fetch_add(1, Ordering::SeqCst) + 1;
    (n, ctx.request().id.0)
}

/// Panics, to show a panic becomes a `Server` fault.
#[rpc(service = "checks")]
pub fn explode() -> Result<(), Fault> {
    panic!("deliberate panic in a method")
}

/// Panics after an await: a panic while the future is polled.
#[rpc(service = "checks")]
pub async fn explode_later() -> Result<(), Fault> {
    tokio::task::yield_now().await;
    panic!("deliberate panic in an async method")
}

/// Fails with a not-found fault carrying detail.
#[rpc(service = "checks", throws = ["Client.NotFound"])]
pub fn find(key: String) -> Result<String, Fault> {
    Err(Fault::not_found(format!("no entry `{key}`"))
        .with_detail(serde_json::json!({ "key": key })))
}

/// The tenant a listener stored in the context's user data, if any.
#[rpc(service = "checks")]
pub fn tenant(ctx: &MethodContext) -> Option<String> {
    ctx.user_data.get::<String>()
}

/// Greets in the caller's language; the parameter is `lang` on the wire.
#[rpc(service = "checks")]
pub fn greet(#[serde(rename = "lang")] language: String) -> String {
    match language.as_str() {
        "fi" => "hei".to_owned(),
        _ => "hello".to_owned(),
    }
}
