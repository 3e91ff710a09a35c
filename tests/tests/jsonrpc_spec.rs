//! Every example of section 7 of the JSON-RPC 2.0 specification, through the
//! loopback pipeline, compared with the specified response (or none).

use serde_json::Value;
use switchboard_tests::{exchange, jsonrpc_server, spec_app};

/// Sends `request` and compares the reply with `expected` as JSON values
/// (`None`: nothing may come back).
async fn check(request: &str, expected: Option<&str>) {
    let server = jsonrpc_server(spec_app());
    let reply = exchange(&server, request).await;
    match (reply, expected) {
        (None, None) => {}
        (Some(reply), Some(expected)) => {
            let reply: Value = serde_json::from_str(&reply).expect("reply is JSON");
            let expected: Value = serde_json::from_str(expected).expect("expected is JSON");
            assert_eq!(reply, expected, "request: {request}");
        }
        (reply, expected) => panic!("request {request}: got {reply:?}, expected {expected:?}"),
    }
}

#[tokio::test]
async fn positional_parameters() {
    check(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}"#,
        Some(r#"{"jsonrpc": "2.0", "result": 19, "id": 1}"#),
    )
    .await;
    check(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}"#,
        Some(r#"{"jsonrpc": "2.0", "result": -19, "id": 2}"#),
    )
    .await;
}

#[tokio::test]
async fn named_parameters() {
    check(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}"#,
        Some(r#"{"jsonrpc": "2.0", "result": 19, "id": 3}"#),
    )
    .await;
    check(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}"#,
        Some(r#"{"jsonrpc": "2.0", "result": 19, "id": 4}"#),
    )
    .await;
}

#[tokio::test]
async fn notifications() {
    check(
        r#"{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}"#,
        None,
    )
    .await;
    check(r#"{"jsonrpc": "2.0", "method": "foobar"}"#, None).await;
}

#[tokio::test]
async fn non_existent_method() {
    check(
        r#"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#,
        Some(r#"{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"}"#),
    )
    .await;
}

#[tokio::test]
async fn invalid_json() {
    check(
        r#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#,
        Some(r#"{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}"#),
    )
    .await;
}

#[tokio::test]
async fn invalid_request_object() {
    check(
        r#"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#,
        Some(r#"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"#),
    )
    .await;
}

#[tokio::test]
async fn batch_invalid_json() {
    check(
        r#"[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]"#,
        Some(r#"{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}"#),
    )
    .await;
}

#[tokio::test]
async fn empty_array() {
    check(
        "[]",
        Some(r#"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"#),
    )
    .await;
}

#[tokio::test]
async fn invalid_batch_but_not_empty() {
    check(
        "[1]",
        Some(r#"[{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}]"#),
    )
    .await;
}

#[tokio::test]
async fn invalid_batch() {
    let invalid = r#"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"#;
    check("[1,2,3]", Some(&format!("[{invalid},{invalid},{invalid}]"))).await;
}

#[tokio::test]
async fn mixed_batch() {
    check(
        r#"[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
        {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]"#,
        Some(
            r#"[
        {"jsonrpc": "2.0", "result": 7, "id": "1"},
        {"jsonrpc": "2.0", "result": 19, "id": "2"},
        {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
        {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "5"},
        {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}
    ]"#,
        ),
    )
    .await;
}

#[tokio::test]
async fn all_notification_batch() {
    check(
        r#"[
        {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
    ]"#,
        None,
    )
    .await;
}
