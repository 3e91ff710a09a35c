use serde_json::{Value, json};
use switchboard::interface::DocumentInfo;
use switchboard::{Application, RequestInfo, Server, TransportFacts};
use switchboard_demo as _;

use super::*;
use crate::{JsonDocument, JsonRpc};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn settings() -> OpenRpcSettings {
    OpenRpcSettings::new(DocumentInfo::new("demo", "1.2.3"))
}

fn demo() -> Result<Application, switchboard::BuildError> {
    discoverable(Application::builder().services(["demo"]), settings()).build()
}

fn method<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let methods = doc["methods"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    methods
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or(&Value::Null)
}

#[test]
fn methods_carry_docs_params_constraints_results_and_errors() -> TestResult {
    let doc = openrpc_document(&demo()?, &settings());
    assert_eq!(doc["info"], json!({"title": "demo", "version": "1.2.3"}));
    let names: Vec<&str> = doc["methods"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["echo", "fail", "sleep", "subtract", "sum", "rpc.discover"]
    );
    let subtract = method(&doc, "subtract");
    assert_eq!(subtract["tags"], json!([{"name": "demo"}]));
    assert_eq!(subtract["params"][0]["name"], "minuend");
    assert_eq!(subtract["params"][0]["required"], true);
    assert_eq!(subtract["params"][0]["schema"]["type"], "integer");
    assert_eq!(subtract["result"]["schema"]["type"], "integer");
    assert!(
        subtract["summary"]
            .as_str()
            .is_some_and(|s| s.starts_with("Subtracts"))
    );
    let sleep = method(&doc, "sleep");
    assert_eq!(sleep["params"][0]["schema"]["maximum"], 3600);
    assert_eq!(sleep["result"]["schema"], json!({"type": "null"}));
    let fail = method(&doc, "fail");
    assert_eq!(
        fail["errors"],
        json!([
            {"code": crate::APPLICATION_ERROR, "message": "Client"},
            {"code": crate::INVALID_PARAMS, "message": "Client.InvalidParams"},
        ])
    );
    assert_eq!(method(&doc, "rpc.discover")["params"], json!([]));
    Ok(())
}

#[test]
fn servers_follow_the_base_url_and_the_endpoint() -> TestResult {
    let app = demo()?;
    let relative = openrpc_document(&app, &settings());
    assert_eq!(
        relative["servers"],
        json!([{"name": "jsonrpc", "url": "/jsonrpc"}])
    );
    let info = DocumentInfo::new("demo", "1").with_base_url("https://rpc.example.com/");
    let public = OpenRpcSettings::new(info).with_endpoint("api/rpc");
    let doc = openrpc_document(&app, &public);
    assert_eq!(doc["servers"][0]["url"], "https://rpc.example.com/api/rpc");
    // The same application and settings give the same bytes.
    assert_eq!(openrpc(&app, &public), openrpc(&demo()?, &public));
    Ok(())
}

async fn call(server: &Server, body: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let request = RequestInfo::new(body.as_bytes().to_vec(), TransportFacts::NONE);
    let response = server.process(request).await;
    Ok(serde_json::from_slice(&response.body.unwrap_or_default())?)
}

#[tokio::test]
async fn rpc_discover_answers_the_document() -> TestResult {
    let app = demo()?;
    let expected = app.state::<Discovery>()?.document(&app).as_ref().clone();
    let server = Server::new(app.clone(), JsonRpc);
    for params in ["", ", \"params\": []", ", \"params\": {}"] {
        let body =
            format!("{{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"rpc.discover\"{params}}}");
        let reply = call(&server, &body).await?;
        assert_eq!(reply["result"], expected, "{body}");
    }
    let body = r#"{"jsonrpc": "2.0", "id": 2, "method": "rpc.discover", "params": {"x": 1}}"#;
    let reply = call(&server, body).await?;
    assert_eq!(reply["error"]["code"], crate::INVALID_PARAMS);
    Ok(())
}

#[tokio::test]
async fn only_discoverable_applications_serve_it() -> TestResult {
    let app = Application::builder().services(["demo"]).build()?;
    assert!(app.method(discover::METHOD_NAME).is_none());
    let server = Server::new(app, JsonRpc);
    let body = r#"{"jsonrpc": "2.0", "id": 1, "method": "rpc.discover"}"#;
    let reply = call(&server, body).await?;
    assert_eq!(reply["error"]["code"], crate::METHOD_NOT_FOUND);
    // A discoverable application answers it in the JSON document too.
    let server = Server::new(demo()?, JsonDocument);
    let reply = call(&server, r#"{"rpc.discover": {}}"#).await?;
    assert_eq!(reply["openrpc"], OPENRPC_VERSION);
    Ok(())
}
