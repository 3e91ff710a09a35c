//! Bad input through the loopback pipeline: each kind gets its protocol's
//! error, nothing panics, and the server keeps answering afterwards.

use serde_json::{Value, json};
use switchboard::{Application, Limits};
use switchboard_tests::{checks_app, document_server, exchange, exchange_named, jsonrpc_server};

fn parse(reply: Option<String>) -> Value {
    serde_json::from_str(&reply.expect("a reply")).expect("the reply is JSON")
}

/// The JSON-RPC error code of a reply.
fn rpc_code(reply: &Value) -> i64 {
    reply["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("no error in {reply}"))
}

async fn still_serves(server: &switchboard::Server) {
    let reply = parse(
        exchange(
            server,
            r#"{"jsonrpc":"2.0","method":"echo","params":["ok"],"id":7}"#,
        )
        .await,
    );
    assert_eq!(reply, json!({"jsonrpc": "2.0", "result": "ok", "id": 7}));
}

fn small_limits_app() -> Application {
    Application::builder()
        .services(["demo"])
        .limits(Limits {
            max_body_bytes: 4096,
            max_batch_len: 3,
            max_depth: 8,
        })
        .build()
        .expect("demo is registered")
}

#[tokio::test]
async fn jsonrpc_answers_each_bad_input_with_its_error_code() {
    let server = jsonrpc_server(small_limits_app());
    let deep = format!(
        r#"{{"jsonrpc":"2.0","method":"echo","params":{{"s":{}1{}}},"id":1}}"#,
        "[".repeat(20),
        "]".repeat(20)
    );
    let big = format!(
        r#"{{"jsonrpc":"2.0","method":"echo","params":["{}"],"id":1}}"#,
        "x".repeat(5000)
    );
    let batch = r#"[{"jsonrpc":"2.0","method":"echo","params":["a"],"id":1},{"jsonrpc":"2.0","method":"echo","params":["b"],"id":2},{"jsonrpc":"2.0","method":"echo","params":["c"],"id":3},{"jsonrpc":"2.0","method":"echo","params":["d"],"id":4}]"#;
    let cases: Vec<(&str, Vec<u8>, i64)> = vec![
        (
            "invalid JSON",
            br#"{"jsonrpc":"2.0","method":"echo""#.to_vec(),
            -32700,
        ),
        (
            "invalid UTF-8",
            b"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"\xff\xfe\"],\"id\":1}"
                .to_vec(),
            -32700,
        ),
        ("not JSON at all", b"\x00\x01\x02".to_vec(), -32700),
        ("empty body", Vec::new(), -32700),
        (
            "wrong param type",
            br#"{"jsonrpc":"2.0","method":"sum","params":{"a":"one","b":2},"id":1}"#.to_vec(),
            -32602,
        ),
        (
            "missing param",
            br#"{"jsonrpc":"2.0","method":"sum","params":{"a":1},"id":1}"#.to_vec(),
            -32602,
        ),
        (
            "extra named param",
            br#"{"jsonrpc":"2.0","method":"sum","params":{"a":1,"b":2,"c":3},"id":1}"#.to_vec(),
            -32602,
        ),
        (
            "extra positional param",
            br#"{"jsonrpc":"2.0","method":"sum","params":[1,2,3],"id":1}"#.to_vec(),
            -32602,
        ),
        (
            "too few positional params",
            br#"{"jsonrpc":"2.0","method":"sum","params":[1],"id":1}"#.to_vec(),
            -32602,
        ),
        (
            "no params for a method with some",
            br#"{"jsonrpc":"2.0","method":"echo","id":1}"#.to_vec(),
            -32602,
        ),
        (
            "unknown method",
            br#"{"jsonrpc":"2.0","method":"nope","id":1}"#.to_vec(),
            -32601,
        ),
        ("nesting deeper than the limit", deep.into_bytes(), -32600),
        ("body over the limit", big.into_bytes(), -32600),
        ("batch over the limit", batch.as_bytes().to_vec(), -32600),
        (
            "wrong version",
            br#"{"jsonrpc":"1.0","method":"echo","params":["a"],"id":1}"#.to_vec(),
            -32600,
        ),
        (
            "params not structured",
            br#"{"jsonrpc":"2.0","method":"echo","params":"a","id":1}"#.to_vec(),
            -32600,
        ),
    ];
    for (what, body, code) in cases {
        let reply = parse(exchange(&server, body).await);
        assert_eq!(rpc_code(&reply), code, "{what}: {reply}");
        assert!(reply.get("result").is_none(), "{what}");
        still_serves(&server).await;
    }
}

#[tokio::test]
async fn jsonrpc_limit_and_param_errors_say_what_was_wrong() {
    let server = jsonrpc_server(small_limits_app());
    let deep = format!(
        r#"{{"jsonrpc":"2.0","method":"echo","params":[{}1{}],"id":1}}"#,
        "[".repeat(9),
        "]".repeat(9)
    );
    let reply = parse(exchange(&server, deep).await);
    assert_eq!(reply["error"]["data"]["faultcode"], "Client.LimitExceeded");
    assert!(
        reply["error"]["data"]["faultstring"]
            .as_str()
            .unwrap()
            .contains("nesting depth")
    );

    let reply = parse(
        exchange(
            &server,
            r#"{"jsonrpc":"2.0","method":"sum","params":{"a":1},"id":"x"}"#,
        )
        .await,
    );
    assert_eq!(reply["id"], "x");
    assert_eq!(reply["error"]["data"]["faultcode"], "Client.InvalidParams");
    assert!(
        reply["error"]["data"]["faultstring"]
            .as_str()
            .unwrap()
            .contains("missing field `b`")
    );
}

#[tokio::test]
async fn json_document_answers_each_bad_input_with_a_fault_object() {
    let server = document_server(small_limits_app());
    let deep = format!(
        r#"{{"echo":{{"s":{}1{}}}}}"#,
        "[".repeat(20),
        "]".repeat(20)
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "invalid JSON",
            br#"{"echo": {"s": "#.to_vec(),
            "Client.Malformed",
        ),
        (
            "invalid UTF-8",
            b"{\"echo\": {\"s\": \"\xc3\x28\"}}".to_vec(),
            "Client.Malformed",
        ),
        (
            "trailing garbage",
            br#"{"echo": {"s": "a"}} x"#.to_vec(),
            "Client.Malformed",
        ),
        (
            "two methods",
            br#"{"echo": {"s": "a"}, "sum": {"a": 1, "b": 2}}"#.to_vec(),
            "Client.InvalidRequest",
        ),
        (
            "not an object",
            br#"["echo"]"#.to_vec(),
            "Client.InvalidRequest",
        ),
        (
            "scalar params",
            br#"{"echo": "a"}"#.to_vec(),
            "Client.InvalidRequest",
        ),
        (
            "wrong param type",
            br#"{"sum": {"a": "one", "b": 2}}"#.to_vec(),
            "Client.InvalidParams",
        ),
        (
            "missing param",
            br#"{"sum": {"a": 1}}"#.to_vec(),
            "Client.InvalidParams",
        ),
        (
            "extra param",
            br#"{"echo": {"s": "a", "t": "b"}}"#.to_vec(),
            "Client.InvalidParams",
        ),
        (
            "unknown method",
            br#"{"nope": {}}"#.to_vec(),
            "Client.UnknownMethod",
        ),
        (
            "nesting deeper than the limit",
            deep.into_bytes(),
            "Client.LimitExceeded",
        ),
    ];
    for (what, body, code) in cases {
        let reply = parse(exchange(&server, body).await);
        assert_eq!(reply["faultcode"], code, "{what}: {reply}");
        assert!(reply["faultstring"].is_string(), "{what}");
        let ok = exchange(&server, r#"{"echo": {"s": "ok"}}"#).await;
        assert_eq!(ok.as_deref(), Some(r#""ok""#), "after {what}");
    }
}

#[tokio::test]
async fn json_document_with_the_method_named_by_the_transport() {
    let server = document_server(checks_app());
    assert_eq!(
        exchange_named(&server, "echo", r#"{"s": "hi"}"#)
            .await
            .as_deref(),
        Some(r#""hi""#)
    );
    assert_eq!(
        exchange_named(&server, "sum", "[1, 2]").await.as_deref(),
        Some("3.0")
    );
    let reply = parse(exchange_named(&server, "echo", r#""hi""#).await);
    assert_eq!(reply["faultcode"], "Client.InvalidRequest");
    let reply = parse(exchange_named(&server, "missing", "{}").await);
    assert_eq!(reply["faultcode"], "Client.UnknownMethod");
}

#[tokio::test]
async fn a_panicking_method_is_a_server_fault_and_the_server_lives_on() {
    let server = jsonrpc_server(checks_app());
    for method in ["explode", "explode_later"] {
        let request = format!(r#"{{"jsonrpc":"2.0","method":"{method}","id":1}}"#);
        let reply = parse(exchange(&server, request.as_str()).await);
        assert_eq!(rpc_code(&reply), -32603, "{method}");
        assert_eq!(reply["error"]["data"]["faultcode"], "Server", "{method}");
        assert!(
            !reply.to_string().contains("deliberate"),
            "panic text must not leak: {reply}"
        );
        still_serves(&server).await;
    }
}

#[tokio::test]
async fn application_faults_keep_their_code_and_detail() {
    let server = jsonrpc_server(checks_app());
    let reply = parse(
        exchange(
            &server,
            r#"{"jsonrpc":"2.0","method":"find","params":["k"],"id":1}"#,
        )
        .await,
    );
    assert_eq!(
        reply["error"],
        json!({"code": -32000, "message": "no entry `k`", "data": {"faultcode": "Client.NotFound", "faultstring": "no entry `k`", "detail": {"key": "k"}}})
    );
    let server = document_server(checks_app());
    let reply = parse(exchange(&server, r#"{"find": {"key": "k"}}"#).await);
    assert_eq!(
        reply,
        json!({"faultcode": "Client.NotFound", "faultstring": "no entry `k`", "detail": {"key": "k"}})
    );
}

#[tokio::test]
async fn the_response_fault_reflects_only_answered_calls() {
    let server = jsonrpc_server(checks_app());
    let notification = br#"{"jsonrpc":"2.0","method":"nope"}"#.to_vec();
    let response = server
        .process(switchboard::RequestInfo::new(
            notification,
            switchboard::TransportFacts::NONE,
        ))
        .await;
    assert!(response.body.is_none());
    assert!(
        response.fault.is_none(),
        "a failed notification is not the caller's fault to see"
    );
    let call = br#"{"jsonrpc":"2.0","method":"nope","id":1}"#.to_vec();
    let response = server
        .process(switchboard::RequestInfo::new(
            call,
            switchboard::TransportFacts::NONE,
        ))
        .await;
    assert_eq!(
        response.fault.map(|f| f.code().to_owned()).as_deref(),
        Some("Client.UnknownMethod")
    );
}
