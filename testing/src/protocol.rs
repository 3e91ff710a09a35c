//! The protocol suite: the demo service's calls, faults and refusals,
//! through a protocol's own client side over the loopback transport.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::fixture::{MAX_BODY, PANIC};
use crate::{Checks, SuiteFailure, ensure};
use switchboard::local::LocalClient;
use switchboard::{CallError, Client, ClientProtocol, Fault, Protocols, code};

/// Runs the protocol suite: a [`Server`](switchboard::Server) speaking `protocols`, called
/// through `client` (the same protocol's [`ClientProtocol`]) over the
/// loopback transport.
///
/// Checks: every demo method round-trips (`echo` with markup, quotes and
/// non-ASCII text; `sum`; `subtract`; `fail` as a `Client` fault; `sleep` as
/// a one-way call that runs); an unknown method is `Client.UnknownMethod`;
/// wrongly typed params are `Client.InvalidParams`; a constraint violation
/// is `Client.Validation` naming the field; a panicking method is a
/// `Server` fault and the next call still works; a body over the limit and
/// params nested past the depth limit are `Client.LimitExceeded`.
///
/// ```
/// # async fn demo(
/// #     protocol: impl switchboard::InProtocol + switchboard::OutProtocol + switchboard::ClientProtocol + Clone,
/// # ) {
/// use std::sync::Arc;
///
/// switchboard_testing::protocol_suite(protocol.clone(), Arc::new(protocol))
///     .await
///     .unwrap_or_else(|failure| panic!("{failure}"));
/// # }
/// ```
///
/// # Errors
/// [`SuiteFailure`] naming every check that failed.
pub async fn protocol_suite(
    protocols: impl Into<Protocols>,
    client: Arc<dyn ClientProtocol>,
) -> Result<(), SuiteFailure> {
    let mut checks = Checks::default();
    let Some((server, record)) = checks.server(protocols) else {
        return checks.finish();
    };
    let client = Client::new(Arc::new(LocalClient::direct(server)), client);

    checks.record(
        "echo",
        round_trip(
            &client,
            "echo",
            json!({"s": TRICKY_TEXT}),
            json!(TRICKY_TEXT),
        )
        .await,
    );
    checks.record(
        "sum",
        round_trip(&client, "sum", json!({"a": 1.5, "b": 2.25}), json!(3.75)).await,
    );
    checks.record(
        "subtract",
        round_trip(
            &client,
            "subtract",
            json!({"minuend": 42, "subtrahend": 23}),
            json!(19),
        )
        .await,
    );
    checks.record(
        "fault",
        fault_is(
            call(&client, "fail", json!({"message": "no"})).await,
            code::CLIENT,
            Some("no"),
        ),
    );
    let one_way = client
        .notify_named("sleep", &json!({"seconds": 0}), None)
        .await;
    checks.record(
        "one-way call",
        match one_way {
            Ok(_receipt) => ensure(
                record
                    .snapshot()
                    .iter()
                    .any(|r| r.method == "sleep" && r.finished),
                || "the one-way call was accepted but `sleep` never ran".to_owned(),
            ),
            Err(err) => Err(format!("the one-way call failed: {err}")),
        },
    );
    checks.record(
        "unknown method",
        fault_is(
            call(&client, "no_such_method", json!({})).await,
            code::UNKNOWN_METHOD,
            None,
        ),
    );
    checks.record(
        "invalid params",
        fault_is(
            call(&client, "sum", json!({"a": "one", "b": 2})).await,
            code::INVALID_PARAMS,
            None,
        ),
    );
    checks.record("validation", validation(&client).await);
    checks.record("panic", panic(&client).await);
    let huge = "x".repeat(MAX_BODY + 1);
    checks.record(
        "oversize",
        fault_is(
            call(&client, "echo", json!({"s": huge})).await,
            code::LIMIT_EXCEEDED,
            None,
        ),
    );
    checks.record(
        "too deep",
        fault_is(
            call(&client, "sum", json!({"a": nested(200), "b": 1})).await,
            code::LIMIT_EXCEEDED,
            None,
        ),
    );
    checks.finish()
}

/// Markup, the characters every format escapes, and text beyond ASCII.
pub(super) const TRICKY_TEXT: &str = "héllo <b>&amp;</b> \"quoted\" 'single' \\ / 🎉 \t end";

pub(super) async fn call(client: &Client, method: &str, params: Value) -> Result<Value, CallError> {
    client.call_named::<Value>(method, &params, None).await
}

pub(super) async fn round_trip(
    client: &Client,
    method: &str,
    params: Value,
    expected: Value,
) -> Result<(), String> {
    match call(client, method, params).await {
        Ok(value) => ensure(value == expected, || {
            format!("expected {expected}, got {value}")
        }),
        Err(err) => Err(format!("expected {expected}, got the error: {err}")),
    }
}

/// `Ok` if `result` is a fault with exactly `code` (and, if given, `message`).
pub(super) fn fault_is(
    result: Result<Value, CallError>,
    code: &str,
    message: Option<&str>,
) -> Result<(), String> {
    match result {
        Err(CallError::Fault(fault)) => {
            ensure(fault.code() == code, || {
                format!("expected a `{code}` fault, got {}", show(&fault))
            })?;
            match message {
                Some(message) => ensure(fault.message() == message, || {
                    format!("expected the message {message:?}, got {}", show(&fault))
                }),
                None => Ok(()),
            }
        }
        Err(other) => Err(format!("expected a `{code}` fault, got the error: {other}")),
        Ok(value) => Err(format!("expected a `{code}` fault, got the result {value}")),
    }
}

fn show(fault: &Fault) -> String {
    format!("{}: {}", fault.code(), fault.message())
}

async fn validation(client: &Client) -> Result<(), String> {
    match call(client, "sleep", json!({"seconds": -1})).await {
        Err(CallError::Fault(fault)) => {
            ensure(fault.code() == code::VALIDATION, || {
                format!("expected `Client.Validation`, got {}", show(&fault))
            })?;
            let detail = fault.detail().map(Value::to_string).unwrap_or_default();
            ensure(
                fault.message().contains("seconds") || detail.contains("seconds"),
                || {
                    format!(
                        "the fault does not name the field `seconds`: {}",
                        show(&fault)
                    )
                },
            )
        }
        other => Err(format!(
            "expected a `Client.Validation` fault, got {other:?}"
        )),
    }
}

async fn panic(client: &Client) -> Result<(), String> {
    let panicked = call(client, "echo", json!({"s": PANIC})).await;
    match &panicked {
        Err(CallError::Fault(fault)) if fault.has_code(code::SERVER) => {}
        other => return Err(format!("expected a `Server` fault, got {other:?}")),
    }
    round_trip(client, "echo", json!({"s": "after"}), json!("after"))
        .await
        .map_err(|why| format!("the call after a panic failed: {why}"))
}

/// Arrays nested `depth` deep.
fn nested(depth: usize) -> Value {
    (0..depth).fold(json!(1), |inner, _| Value::Array(vec![inner]))
}
