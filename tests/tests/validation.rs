//! Declared constraints are checked before the function runs: a violation is
//! a `Client.Validation` fault naming the field, and the function is not
//! called. The same constraints appear in the method's schema.

use std::sync::atomic::Ordering;

use serde_json::{Value, json};
use switchboard_tests::checks::CREATE_MAP_CALLS;
use switchboard_tests::{checks_app, exchange, jsonrpc_server};

async fn create_map(params: Value) -> Value {
    let server = jsonrpc_server(checks_app());
    let request = json!({"jsonrpc": "2.0", "method": "create_map", "params": params, "id": 1});
    let reply = exchange(&server, request.to_string())
        .await
        .expect("a reply");
    serde_json::from_str(&reply).expect("JSON")
}

fn violations(reply: &Value) -> Vec<String> {
    assert_eq!(reply["error"]["code"], -32602, "{reply}");
    assert_eq!(
        reply["error"]["data"]["faultcode"], "Client.Validation",
        "{reply}"
    );
    reply["error"]["data"]["detail"]["violations"]
        .as_array()
        .expect("violations listed")
        .iter()
        .map(|v| v["field"].as_str().expect("field named").to_owned())
        .collect()
}

// One test function, so the call counter is not raced by parallel tests.
#[tokio::test]
async fn violations_name_the_field_and_skip_the_function() {
    let valid = json!({"name": "Fancy Map", "slug": "fancy-map", "size": {"width": 10, "height": 20}, "vision": 5});
    let before = CREATE_MAP_CALLS.load(Ordering::SeqCst);
    let reply = create_map(valid.clone()).await;
    assert_eq!(reply["result"], "Fancy Map", "{reply}");
    assert_eq!(CREATE_MAP_CALLS.load(Ordering::SeqCst), before + 1);

    let cases = [
        (json!({"name": ""}), vec!["name"]),
        (json!({"name": "x".repeat(21)}), vec!["name"]),
        (json!({"slug": "Fancy Map"}), vec!["slug"]),
        (
            json!({"size": {"width": 0, "height": 20}}),
            vec!["size.width"],
        ),
        (
            json!({"size": {"width": 2000, "height": 0}}),
            vec!["size.width", "size.height"],
        ),
        (json!({"vision": 65}), vec!["vision"]),
        (json!({"name": "", "vision": 0}), vec!["name", "vision"]),
    ];
    for (change, fields) in cases {
        let mut params = valid.clone();
        for (key, value) in change.as_object().expect("object") {
            params[key] = value.clone();
        }
        let calls = CREATE_MAP_CALLS.load(Ordering::SeqCst);
        let reply = create_map(params).await;
        assert_eq!(violations(&reply), fields, "{change}");
        let message = reply["error"]["data"]["faultstring"]
            .as_str()
            .expect("message");
        assert!(message.contains(&format!("`{}`", fields[0])), "{message}");
        assert_eq!(
            CREATE_MAP_CALLS.load(Ordering::SeqCst),
            calls,
            "{change}: the function ran"
        );
    }

    // Optional and absent: nothing to check.
    let mut params = valid;
    params.as_object_mut().expect("object").remove("vision");
    assert_eq!(create_map(params).await["result"], "Fancy Map");
}

#[test]
fn constraints_appear_in_the_schema() {
    let app = checks_app();
    let method = app.method("create_map").expect("served");
    let mut generator = schemars::SchemaGenerator::default();
    let schema =
        serde_json::to_value((method.args_schema)(&mut generator)).expect("schema is JSON");
    let props = &schema["properties"];
    assert_eq!(props["name"]["minLength"], 1);
    assert_eq!(props["name"]["maxLength"], 20);
    assert_eq!(props["slug"]["pattern"], "^[a-z][a-z-]*$");
    assert_eq!(props["vision"]["minimum"], 1);
    assert_eq!(props["vision"]["maximum"], 64);
    let defs = serde_json::to_value(generator.definitions()).expect("defs");
    assert_eq!(defs["Dimensions"]["properties"]["width"]["maximum"], 1024);
    let required: Vec<_> = schema["required"]
        .as_array()
        .expect("required")
        .iter()
        .collect();
    assert!(
        !required.contains(&&json!("vision")),
        "optional params are not required"
    );
}
