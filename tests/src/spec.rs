//! The `jsonrpc-spec` service: the methods besides `subtract` that the
//! examples of section 7 of the JSON-RPC 2.0 specification call.

use switchboard::rpc;

/// The service name.
pub const SERVICE: &str = "jsonrpc-spec";

/// Adds three integers.
#[rpc(service = "jsonrpc-spec")]
pub fn sum(a: i64, b: i64, c: i64) -> i64 {
    a + b + c
}

/// Returns `["hello", 5]`.
#[rpc(service = "jsonrpc-spec")]
pub fn get_data() -> (String, i64) {
    ("hello".to_owned(), 5)
}

/// Takes a number; notification only.
#[rpc(service = "jsonrpc-spec", one_way)]
pub fn notify_hello(n: i64) {
    let _ = n;
}

/// Adds three integers; notification only.
#[rpc(service = "jsonrpc-spec", one_way)]
pub fn notify_sum(a: i64, b: i64, c: i64) {
    let _ = a + b + c;
}

/// Takes five numbers; notification only.
#[rpc(service = "jsonrpc-spec", one_way)]
pub fn update(a: i64, b: i64, c: i64, d: i64, e: i64) {
    let _ = (a, b, c, d, e);
}
