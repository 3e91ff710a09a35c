//! The `demo` service: small methods that show each kind of call.
//!
//! | method | kind |
//! |---|---|
//! | `echo(s)` | returns its argument |
//! | `sum(a, b)` | plain function, two numbers |
//! | `subtract(minuend, subtrahend)` | the JSON-RPC specification's example method |
//! | `fail(message)` | always answers a `Client` fault |
//! | `sleep(seconds)` | one-way: sleeps, answers nothing (rpclib's queue example) |

use std::time::Duration;

use switchboard::{Fault, rpc};

/// The service name.
pub const SERVICE: &str = "demo";

/// Returns `s` unchanged.
#[rpc(service = "demo")]
pub fn echo(s: String) -> String {
    s
}

/// Adds two numbers.
#[rpc(service = "demo")]
pub fn sum(a: f64, b: f64) -> f64 {
    a + b
}

/// Subtracts `subtrahend` from `minuend` (integers, as in the JSON-RPC 2.0
/// specification's examples).
#[rpc(service = "demo")]
pub fn subtract(minuend: i64, subtrahend: i64) -> Result<i64, Fault> {
    minuend
        .checked_sub(subtrahend)
        .ok_or_else(|| Fault::validation("the difference does not fit in a 64-bit integer"))
}

/// Always fails with a `Client` fault carrying `message`.
#[rpc(service = "demo", throws = ["Client"])]
pub fn fail(message: String) -> Result<(), Fault> {
    Err(Fault::client(message))
}

/// Sleeps for `seconds` (at most an hour), then returns nothing. One-way:
/// callers do not wait for it.
#[rpc(service = "demo", one_way)]
pub async fn sleep(#[schemars(range(min = 0, max = 3600))] seconds: f64) {
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
}
