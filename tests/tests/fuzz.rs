//! Arbitrary input to both JSON protocols: every request gets an error or a
//! valid reply (or, for JSON-RPC notifications, nothing), and nothing panics.

use proptest::prelude::*;
use serde_json::Value;
use switchboard::Server;
use switchboard_tests::{checks_app, document_server, exchange, exchange_named, jsonrpc_server};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime")
}

/// Runs `body` through `server`; the reply, if any, must be JSON.
fn reply_is_json_or_nothing(server: &Server, body: Vec<u8>, named: Option<&str>) -> Option<Value> {
    let reply = runtime().block_on(async {
        match named {
            Some(method) => exchange_named(server, method, &String::from_utf8_lossy(&body)).await,
            None => exchange(server, body).await,
        }
    });
    reply.map(|text| {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("reply is not JSON ({e}): {text}"))
    })
}

/// JSON values of any shape, up to a modest size.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-z_.]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("2.0"),
            Just("echo"),
            Just("sum"),
            Just("create_map"),
            Just("explode")
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("jsonrpc".to_owned()),
                    Just("method".to_owned()),
                    Just("params".to_owned()),
                    Just("id".to_owned()),
                    Just("s".to_owned()),
                    Just("a".to_owned()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..6
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Request-shaped JSON-RPC values with random parts.
fn jsonrpc_like() -> impl Strategy<Value = Value> {
    (json_value(), json_value(), json_value(), json_value()).prop_map(
        |(v, m, p, i)| serde_json::json!({"jsonrpc": v, "method": m, "params": p, "id": i}),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn jsonrpc_survives_arbitrary_bytes(body in prop::collection::vec(any::<u8>(), 0..256)) {
        let server = jsonrpc_server(checks_app());
        if let Some(reply) = reply_is_json_or_nothing(&server, body, None) {
            prop_assert!(reply.is_object() || reply.is_array());
        }
    }

    #[test]
    fn json_document_survives_arbitrary_bytes(body in prop::collection::vec(any::<u8>(), 0..256)) {
        let server = document_server(checks_app());
        prop_assert!(reply_is_json_or_nothing(&server, body.clone(), None).is_some());
        prop_assert!(reply_is_json_or_nothing(&server, body, Some("create_map")).is_some());
    }

    #[test]
    fn jsonrpc_survives_arbitrary_json(value in prop_oneof![json_value(), jsonrpc_like()]) {
        let server = jsonrpc_server(checks_app());
        let body = serde_json::to_vec(&value).expect("serializable");
        if let Some(reply) = reply_is_json_or_nothing(&server, body, None) {
            let replies = match reply { Value::Array(items) => items, one => vec![one] };
            for reply in replies {
                prop_assert_eq!(&reply["jsonrpc"], "2.0");
                prop_assert!(reply.get("result").is_some() != reply.get("error").is_some(), "{}", reply);
            }
        }
    }

    #[test]
    fn json_document_survives_arbitrary_json(value in json_value(), method in "[a-z_]{1,12}") {
        let server = document_server(checks_app());
        let body = serde_json::to_vec(&serde_json::json!({ method: value.clone() })).expect("serializable");
        prop_assert!(reply_is_json_or_nothing(&server, body, None).is_some());
        let body = serde_json::to_vec(&value).expect("serializable");
        prop_assert!(reply_is_json_or_nothing(&server, body, Some("create_map")).is_some());
    }
}
