//! Postage's exact message shapes through the whole pipeline: what a
//! Python program with pika sends, and the result it reads back.

use serde_json::{Value, json};
use switchboard::TransportFacts;
use switchboard::{Application, Fingerprint, RequestInfo, Server};
use switchboard_postage::Postage;

use switchboard_demo as _;

fn server(postage: Postage) -> Result<Server, Box<dyn std::error::Error>> {
    let app = Application::builder().services(["demo"]).build()?;
    Ok(Server::new(app, postage))
}

/// The reply to `message`, as JSON; `Value::Null` when nothing is sent.
async fn answer(server: &Server, message: &Value) -> Result<Value, Box<dyn std::error::Error>> {
    let request = RequestInfo::new(serde_json::to_vec(message)?, TransportFacts::NONE);
    let response = server.process(request).await;
    Ok(match response.body {
        Some(body) => serde_json::from_slice(&body)?,
        None => Value::Null,
    })
}

fn rpc(name: &str, parameters: Value) -> Value {
    json!({"type": "command", "name": name, "category": "rpc", "version": "2",
        "fingerprint": {"name": "echo_send", "type": "application", "pid": "4242",
                        "host": "box", "user": "ana", "vhost": "/"},
        "content": {"parameters": parameters}, "_reserved": {}})
}

#[tokio::test]
async fn a_success_is_postages_message_result() -> Result<(), Box<dyn std::error::Error>> {
    let server = server(Postage::new())?;
    let reply = answer(&server, &rpc("echo", json!({"s": "hi"}))).await?;
    assert_eq!(
        reply,
        json!({"type": "result", "name": "none", "category": "message", "version": "2",
            "fingerprint": {}, "content": {"type": "success", "value": "hi", "message": ""},
            "_reserved": {}})
    );
    // Postage's `message_echo("A test message")`: one positional value.
    let positional = answer(&server, &rpc("echo", json!("A test message"))).await?;
    assert_eq!(positional["content"]["value"], "A test message");
    let listed = answer(&server, &rpc("sum", json!([1, 2]))).await?;
    assert_eq!(listed["content"]["value"], 3.0);
    Ok(())
}

#[tokio::test]
async fn a_declared_fault_is_an_error_and_others_are_exceptions()
-> Result<(), Box<dyn std::error::Error>> {
    let me = Fingerprint::new("maps", "service", "1.0");
    let server = server(Postage::new().with_fingerprint(&me))?;
    // `fail` declares `throws = ["Client"]`.
    let error = answer(&server, &rpc("fail", json!({"message": "no"}))).await?;
    assert_eq!(
        error["content"],
        json!({"type": "error", "value": null, "message": "no"})
    );
    assert_eq!(error["_reserved"]["fault"]["code"], "Client");
    assert_eq!(error["fingerprint"]["name"], "maps");
    assert_eq!(error["fingerprint"]["pid"], std::process::id().to_string());
    let unknown = answer(&server, &rpc("nothing", json!({}))).await?;
    assert_eq!(unknown["content"]["type"], "exception");
    assert_eq!(unknown["content"]["value"], "Client.UnknownMethod");
    let mistyped = answer(&server, &rpc("sum", json!({"a": "one", "b": 2}))).await?;
    assert_eq!(mistyped["content"]["value"], "Client.InvalidParams");
    Ok(())
}

#[tokio::test]
async fn a_message_gets_no_reply_and_bad_input_gets_an_exception()
-> Result<(), Box<dyn std::error::Error>> {
    let server = server(Postage::new())?;
    let mut one_way = rpc("echo", json!({"s": "hi"}));
    one_way["category"] = json!("message");
    assert_eq!(answer(&server, &one_way).await?, Value::Null);
    for (body, code) in [
        (&b"not json"[..], "Client.Malformed"),
        (b"[1]", "Client.InvalidRequest"),
        (
            br#"{"type": "status", "name": "online"}"#,
            "Client.InvalidRequest",
        ),
        (br#"{"type": "command"}"#, "Client.InvalidRequest"),
        (&[0xff, 0xfe], "Client.Malformed"),
    ] {
        let response = server
            .process(RequestInfo::new(body.to_vec(), TransportFacts::NONE))
            .await;
        let reply: Value = serde_json::from_slice(&response.body.unwrap_or_default())?;
        assert_eq!(reply["type"], "result");
        assert_eq!(reply["content"]["type"], "exception", "{reply}");
        assert_eq!(reply["content"]["value"], code, "{reply}");
    }
    let deep = format!(
        r#"{{"type":"command","name":"echo","category":"rpc","content":{{"parameters":{{"s":{}1{}}}}}}}"#,
        "[".repeat(100),
        "]".repeat(100)
    );
    let response = server
        .process(RequestInfo::new(deep.into_bytes(), TransportFacts::NONE))
        .await;
    let reply: Value = serde_json::from_slice(&response.body.unwrap_or_default())?;
    assert_eq!(reply["content"]["value"], "Client.LimitExceeded");
    Ok(())
}

/// What a client reads from the result `reply`: the value or the fault.
fn read(reply: &Value) -> Result<Result<Value, switchboard::Fault>, Box<dyn std::error::Error>> {
    use switchboard::ClientProtocol;
    let mut value = Value::Null;
    let bytes = serde_json::to_vec(reply)?;
    let outcome = Postage::new().decode_reply(&bytes, &mut |de| {
        value = erased_serde::deserialize(de)?;
        Ok(())
    })?;
    Ok(outcome.map(|()| value))
}

fn python_result(content: Value) -> Value {
    json!({"type": "result", "name": "none", "category": "message", "version": "2",
        "fingerprint": {}, "content": content, "_reserved": {}})
}

#[test]
fn results_from_python_programs_read_as_values_and_faults() -> Result<(), Box<dyn std::error::Error>>
{
    let ok = read(&python_result(
        json!({"type": "success", "value": "RPC message received", "message": ""}),
    ))?;
    assert_eq!(ok?, json!("RPC message received"));
    let cases = [
        (
            json!({"type": "error", "value": null, "message": "no map"}),
            "Client",
            "no map",
        ),
        (
            json!({"type": "exception", "value": "TimeoutError", "message": ""}),
            "Server.TimeoutError",
            "",
        ),
        (
            json!({"type": "exception", "value": "ValueError", "message": "bad"}),
            "Server.ValueError",
            "bad",
        ),
        (
            json!({"type": "exception", "value": "Client.NotFound", "message": "x"}),
            "Client.NotFound",
            "x",
        ),
        (
            json!({"type": "exception", "value": "not a name!", "message": "y"}),
            "Server",
            "y",
        ),
    ];
    for (content, code, message) in cases {
        let fault = read(&python_result(content.clone()))?.err();
        let got = fault.as_ref().map(|f| (f.code(), f.message()));
        assert_eq!(got, Some((code, message)), "{content}");
    }
    assert!(read(&json!({"type": "command", "name": "echo"})).is_err());
    assert!(read(&python_result(json!({"type": "maybe"}))).is_err());
    Ok(())
}
