//! Every kind of `#[rpc]` function that must compile.

use switchboard::{Fault, MethodContext, State, rpc};

/// A counter shared by the methods below.
struct Counter(std::sync::atomic::AtomicU64);

/// A plain function.
#[rpc(service = "demo")]
fn echo(s: String) -> String {
    s
}

/// An async function.
#[rpc(service = "demo")]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Injected state and context, a `Result` return, a route and declared faults.
#[rpc(service = "demo", http = "GET /api/x/{id}/", throws = ["Client.NotFound"])]
async fn get_x(counter: State<Counter>, ctx: &MethodContext, id: u64) -> Result<u64, Fault> {
    let _ = ctx;
    let seen = counter.0.load(std::sync::atomic::Ordering::Relaxed);
    if id > seen {
        return Err(Fault::not_found("no such x"));
    }
    Ok(id)
}

/// One-way, returning `()`.
#[rpc(service = "demo", one_way)]
fn bump(counter: State<Counter>) {
    counter.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// One-way may also return `Result<(), Fault>`; renamed on the wire.
#[rpc(service = "demo", one_way, name = "reset_all", call = "ResetAll")]
async fn reset(counter: State<Counter>) -> Result<(), Fault> {
    counter.0.store(0, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

/// Constraints on parameters, and an optional one.
#[rpc(service = "demo", http = "POST /api/names/")]
fn name(
    #[schemars(length(min = 1, max = 20))] first: String,
    #[schemars(regex(pattern = "^[a-z]+$"))] last: String,
    #[schemars(range(min = 1, max = 10))] rank: u8,
    nickname: Option<String>,
) -> String {
    format!("{first} {last} {rank} {nickname:?}")
}

fn main() {
    // The generated call structs are public API: build one of each.
    let _ = Echo { s: String::new() };
    let _ = Add { a: 1, b: 2 };
    let _ = GetX { id: 1 };
    let _ = Bump {};
    let _ = ResetAll {};
    let _ = Name {
        first: "a".into(),
        last: "b".into(),
        rank: 1,
        nickname: None,
    };
}
