//! Interop with Python's pika in a venv the test creates (under Cargo's
//! target tmp dir, reused across runs): a pika client calls a switchboard
//! server in JSON-RPC and in the JSON document on a method-bound queue,
//! and a pika consumer decodes a switchboard one-way message.

mod common;

use std::process::Stdio;
use std::sync::Arc;

use serde_json::{Value, json};
use switchboard::{Application, Client, Server};
use switchboard_amqp::{AmqpClient, Binding, ClientOptions, QueueSpec, ServerOptions};
use switchboard_demo as _;
use switchboard_json::{JsonDocument, JsonRpc};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use common::{PATIENCE, Running, TestResult, addr, connect, settings, unique, wait_consumers};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pika/interop.py");

/// Runs the script in `call` mode and returns its JSON line.
async fn pika_call(
    queue: &str,
    content_type: &str,
    body: &str,
) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    let out = Command::new(common::pika_python().await?)
        .args([SCRIPT, &addr(), "call", queue, content_type, body])
        .output()
        .await?;
    if !out.status.success() {
        return Err(format!("pika call failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pika_client_calls_switchboard_in_json_rpc_and_on_a_method_bound_queue() -> TestResult {
    connect("probe").await?;
    let app = Application::builder().services(["demo"]).build()?;
    let rpc_queue = unique("pika-rpc");
    let echo_queue = unique("pika-echo");
    let rpc = Running::start(
        "pika rpc",
        ServerOptions::new(Binding::work_queue(
            QueueSpec::new(&rpc_queue).auto_delete(true),
        )),
        Server::new(app.clone(), JsonRpc),
    );
    let doc = Running::start(
        "pika doc",
        ServerOptions::new(
            Binding::work_queue(QueueSpec::new(&echo_queue).auto_delete(true)).with_method("echo"),
        ),
        Server::new(app, JsonDocument),
    );
    wait_consumers(&rpc_queue, 1).await?;
    wait_consumers(&echo_queue, 1).await?;
    let request =
        json!({"jsonrpc": "2.0", "method": "sum", "params": {"a": 2, "b": 3}, "id": 7}).to_string();
    let answer = pika_call(&rpc_queue, "application/json", &request).await?;
    assert_eq!(
        answer["reply"],
        json!({"jsonrpc": "2.0", "result": 5.0, "id": 7})
    );
    assert_eq!(answer["content_type"], json!("application/json"));
    // A plain JSON body, the bare parameters, as a pika program sends it.
    let answer = pika_call(&echo_queue, "application/json", r#"{"s": "from pika"}"#).await?;
    assert_eq!(answer["reply"], json!("from pika"));
    rpc.stop().await?;
    doc.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pika_consumer_decodes_a_switchboard_one_way_message() -> TestResult {
    connect("probe").await?;
    let queue = unique("pika-receive");
    let mut child = Command::new(common::pika_python().await?)
        .args([SCRIPT, &addr(), "receive", &queue])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let ready = tokio::time::timeout(PATIENCE, lines.next_line()).await??;
    assert_eq!(ready.as_deref(), Some("ready"));
    let transport =
        AmqpClient::connect(settings("pika receive"), ClientOptions::to_queue(&queue)).await?;
    let client = Client::new(Arc::new(transport), Arc::new(JsonRpc));
    client
        .notify_named("sleep", &json!({"seconds": 0}), None)
        .await?;
    let line = tokio::time::timeout(PATIENCE, lines.next_line())
        .await??
        .ok_or("no message line")?;
    let got: Value = serde_json::from_str(&line)?;
    assert_eq!(got["content_type"], json!("application/json"));
    assert_eq!(
        got["body"],
        json!({"jsonrpc": "2.0", "method": "sleep", "params": {"seconds": 0}})
    );
    let status = tokio::time::timeout(PATIENCE, child.wait()).await??;
    assert!(status.success());
    Ok(())
}
