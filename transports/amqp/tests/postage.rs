//! Interop with Postage components written from Postage's README with pika
//! and plain dictionaries (`tests/pika/postage.py`, in a venv the test
//! makes): Postage's echo examples (fire-and-forget, fingerprint, shared
//! and private queues, RPC with its three result kinds), a Python receiver
//! reading what switchboard sends, and Postage's producer timing out after
//! its retries when the service is gone.

mod common;

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use switchboard::{Application, Client, Fault, Fingerprint, MethodContext, Server, State, rpc};
use switchboard_amqp::{
    AmqpClient, AmqpFacts, Binding, ClientOptions, ExchangeSpec, QueueSpec, ServerOptions,
};
use switchboard_postage::Postage;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use common::{
    PATIENCE, Running, TestResult, addr, connect, delete, settings, unique, wait_consumers,
};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pika/postage.py");

/// Which server ran a call.
#[derive(Debug)]
struct Tag(&'static str);

/// One `echo` as the service saw it.
#[derive(Debug, Clone)]
struct Seen {
    text: String,
    server: &'static str,
    queue: String,
    caller: Option<Fingerprint>,
}

static SEEN: Mutex<Vec<Seen>> = Mutex::new(Vec::new());

/// The test service: Postage's echo, a declared fault, an undeclared one.
mod interop {
    use super::*;

    /// Records what it got and who sent it; answers it.
    #[rpc(service = "postage_interop")]
    pub(crate) fn echo(ctx: &MethodContext, tag: State<Tag>, s: String) -> String {
        let seen = Seen {
            text: s.clone(),
            server: tag.0,
            queue: ctx
                .facts::<AmqpFacts>()
                .map(|f| f.queue.to_string())
                .unwrap_or_default(),
            caller: ctx.caller().cloned(),
        };
        SEEN.lock().unwrap_or_else(|e| e.into_inner()).push(seen);
        s
    }

    /// Fails with a fault it declares: Postage's `MessageResultError`.
    #[rpc(service = "postage_interop", throws = ["Client.NotFound"])]
    pub(crate) fn find(name: String) -> Result<String, Fault> {
        Err(Fault::not_found(format!("no {name} here")))
    }

    /// Fails with a fault it does not declare: `MessageResultException`.
    #[rpc(service = "postage_interop")]
    pub(crate) fn explode() -> Result<String, Fault> {
        Err(Fault::server("kaput"))
    }
}

/// What the service saw of `text`.
fn seen(text: &str) -> Vec<Seen> {
    let all = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    all.iter().filter(|s| s.text == text).cloned().collect()
}

/// Waits (bounded) until the service saw `text` `times` times.
async fn wait_seen(text: &str, times: usize) -> Result<Vec<Seen>, String> {
    let start = std::time::Instant::now();
    loop {
        let now = seen(text);
        if now.len() >= times {
            return Ok(now);
        }
        if start.elapsed() > PATIENCE {
            return Err(format!("`{text}` seen {} times, not {times}", now.len()));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The Postage program receiving on `queue` (bound to `exchange` by
/// `echo-rk`) in mode `mode`, once it says it is ready: the child (killed
/// when dropped) and its output lines.
async fn python_receiver(
    exchange: &str,
    queue: &str,
    mode: &str,
) -> Result<
    (
        tokio::process::Child,
        tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    ),
    Box<dyn std::error::Error + Send + Sync>,
> {
    let mut child = Command::new(common::pika_python().await?)
        .args([SCRIPT, &addr(), "receive", exchange, queue, "echo-rk", mode])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
    let ready = tokio::time::timeout(PATIENCE, lines.next_line()).await??;
    assert_eq!(ready.as_deref(), Some("ready"));
    Ok((child, lines))
}

/// Runs the Postage program with `args` and returns its JSON line.
async fn postage(args: &[&str]) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    let out = Command::new(common::pika_python().await?)
        .arg(SCRIPT)
        .arg(addr())
        .args(args)
        .output()
        .await?;
    if !out.status.success() {
        return Err(format!(
            "postage.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// Postage's EchoExchange.
fn echo_exchange(name: &str) -> ExchangeSpec {
    ExchangeSpec::new(name, "direct").durable(true)
}

/// A server of the test service in Postage, tagged `tag`, on `binding`.
fn serve(tag: &'static str, binding: Binding) -> Result<Running, switchboard::BuildError> {
    let app = Application::builder()
        .services(["postage_interop"])
        .state(Tag(tag))
        .build()?;
    let me = Fingerprint::new("echo_receive", "controller", "1.0");
    let server = Server::new(app, Postage::new().with_fingerprint(&me));
    Ok(Running::start(tag, ServerOptions::new(binding), server))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_basic_echo_reaches_the_method_with_the_senders_fingerprint() -> TestResult {
    connect("probe").await?;
    let (exchange, queue) = (unique("echo-exchange"), unique("echo-queue"));
    let server = serve(
        "basic",
        Binding::routed(
            echo_exchange(&exchange),
            ["echo-rk"],
            QueueSpec::new(&queue),
        ),
    )?;
    wait_consumers(&queue, 1).await?;
    let text = unique("A test message");
    // `producer.message_echo("A test message")`: the one value is the parameters.
    let sent = postage(&[
        "send",
        &exchange,
        "echo-rk",
        "echo",
        &json!(text).to_string(),
    ])
    .await?;
    let got = wait_seen(&text, 1).await?;
    let caller = got[0].caller.as_ref().ok_or("the method saw no caller")?;
    assert_eq!(
        (caller.name.as_str(), caller.kind.as_str()),
        ("echo_send", "application")
    );
    assert_eq!(Some(u64::from(caller.pid)), sent["pid"].as_u64());
    assert_eq!(caller.vhost.as_deref(), Some("/"));
    // By name too, as a dictionary of parameters.
    let named = unique("named");
    postage(&[
        "send",
        &exchange,
        "echo-rk",
        "echo",
        &json!({"s": named}).to_string(),
    ])
    .await?;
    wait_seen(&named, 1).await?;
    server.stop().await?;
    delete(&[&queue], &[&exchange]).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_queue_takes_turns_and_private_queues_each_get_every_message() -> TestResult {
    connect("probe").await?;
    let exchange = unique("echo-exchange");
    let shared = unique("echo-queue");
    let private = [format!("{shared}-a"), format!("{shared}-b")];
    let mine = |name: &str| QueueSpec::new(name).auto_delete(true);
    let ex = || echo_exchange(&exchange);
    let servers = [
        serve(
            "a",
            Binding::routed(ex(), ["echo-rk"], QueueSpec::new(&shared)),
        )?,
        serve(
            "b",
            Binding::routed(ex(), ["echo-rk"], QueueSpec::new(&shared)),
        )?,
        serve(
            "a",
            Binding::routed(ex(), ["echo-fanout-rk"], mine(&private[0])),
        )?,
        serve(
            "b",
            Binding::routed(ex(), ["echo-fanout-rk"], mine(&private[1])),
        )?,
    ];
    wait_consumers(&shared, 2).await?;
    wait_consumers(&private[0], 1).await?;
    wait_consumers(&private[1], 1).await?;
    let single = unique("A single test message");
    let fanout = unique("A fanout test message");
    for i in 0..6 {
        let text = json!(format!("{single}-{i}")).to_string();
        postage(&["send", &exchange, "echo-rk", "echo", &text]).await?;
        let text = json!(format!("{fanout}-{i}")).to_string();
        postage(&["send", &exchange, "echo-fanout-rk", "echo", &text]).await?;
    }
    let mut by_server = Vec::new();
    for i in 0..6 {
        let once = wait_seen(&format!("{single}-{i}"), 1).await?;
        let twice = wait_seen(&format!("{fanout}-{i}"), 2).await?;
        by_server.push(once[0].server);
        let mut queues: Vec<&str> = twice.iter().map(|s| s.queue.as_str()).collect();
        queues.sort_unstable();
        assert_eq!(queues, [private[0].as_str(), private[1].as_str()], "{i}");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    for i in 0..6 {
        assert_eq!(
            seen(&format!("{single}-{i}")).len(),
            1,
            "shared: exactly once"
        );
        assert_eq!(
            seen(&format!("{fanout}-{i}")).len(),
            2,
            "private: once each"
        );
    }
    assert!(
        by_server.contains(&"a") && by_server.contains(&"b"),
        "{by_server:?}"
    );
    for server in servers {
        server.stop().await?;
    }
    delete(&[&shared], &[&exchange]).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_rpc_echo_gets_a_success_an_error_and_an_exception() -> TestResult {
    connect("probe").await?;
    let (exchange, queue) = (unique("echo-exchange"), unique("echo-queue"));
    let server = serve(
        "rpc",
        Binding::routed(
            echo_exchange(&exchange),
            ["echo-rk"],
            QueueSpec::new(&queue),
        ),
    )?;
    wait_consumers(&queue, 1).await?;
    let rpc = |name: &'static str, parameters: Value| {
        let exchange = exchange.clone();
        async move {
            let parameters = parameters.to_string();
            postage(&["rpc", &exchange, "echo-rk", name, &parameters, "10", "0"]).await
        }
    };
    let ok = rpc("echo", json!("RPC test message")).await?;
    assert_eq!(ok["reply"]["type"], "result");
    assert_eq!(
        ok["reply"]["content"],
        json!({"type": "success", "value": "RPC test message", "message": ""})
    );
    assert_eq!(ok["reply"]["fingerprint"]["name"], "echo_receive");
    let error = rpc("find", json!({"name": "map"})).await?;
    assert_eq!(
        error["reply"]["content"],
        json!({"type": "error", "value": null, "message": "no map here"})
    );
    let exception = rpc("explode", json!({})).await?;
    assert_eq!(
        exception["reply"]["content"],
        json!({"type": "exception", "value": "Server", "message": "kaput"})
    );
    server.stop().await?;
    delete(&[&queue], &[&exchange]).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_receiver_reads_the_commands_switchboard_sends() -> TestResult {
    connect("probe").await?;
    let (exchange, queue) = (unique("echo-exchange"), unique("echo-queue"));
    let (mut child, mut lines) = python_receiver(&exchange, &queue, "1").await?;
    let transport = AmqpClient::connect(
        settings("postage send"),
        ClientOptions::to_exchange(&exchange, "echo-rk"),
    )
    .await?;
    let me = Fingerprint::new("echo_send", "application", "1.0");
    let client = Client::new(
        Arc::new(transport),
        Arc::new(Postage::new().with_fingerprint(&me)),
    );
    client
        .notify_named("echo", &json!({"s": "from switchboard"}), None)
        .await?;
    let line = tokio::time::timeout(PATIENCE, lines.next_line())
        .await??
        .ok_or("no message line")?;
    let got: Value = serde_json::from_str(&line)?;
    assert_eq!(got["content_type"], "application/json");
    let body = &got["body"];
    assert_eq!(
        (
            &body["type"],
            &body["name"],
            &body["category"],
            &body["version"]
        ),
        (
            &json!("command"),
            &json!("echo"),
            &json!("message"),
            &json!("2")
        )
    );
    assert_eq!(
        body["content"],
        json!({"parameters": {"s": "from switchboard"}})
    );
    assert_eq!(body["fingerprint"]["name"], "echo_send");
    assert_eq!(body["fingerprint"]["pid"], std::process::id().to_string());
    assert_eq!(body["_reserved"], json!({}));
    assert!(
        tokio::time::timeout(PATIENCE, child.wait())
            .await??
            .success()
    );
    delete(&[&queue], &[&exchange]).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postage_producer_gets_timeout_error_after_its_retries_when_the_service_is_stopped()
-> TestResult {
    connect("probe").await?;
    let (exchange, queue) = (unique("echo-exchange"), unique("echo-queue"));
    let server = serve(
        "stopped",
        Binding::routed(
            echo_exchange(&exchange),
            ["echo-rk"],
            QueueSpec::new(&queue),
        ),
    )?;
    wait_consumers(&queue, 1).await?;
    server.stop().await?;
    let started = std::time::Instant::now();
    let answer = postage(&[
        "rpc",
        &exchange,
        "echo-rk",
        "echo",
        "\"anyone?\"",
        "0.3",
        "2",
    ])
    .await?;
    assert_eq!(
        answer["reply"]["content"],
        json!({"type": "exception", "value": "TimeoutError", "message": ""})
    );
    assert_eq!(
        answer["attempts"], 3,
        "sent once, then again max_retry times"
    );
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert!(seen("anyone?").is_empty());
    delete(&[&queue], &[&exchange]).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_switchboard_caller_gets_the_answer_of_a_python_receiver_on_a_queue_per_call()
-> TestResult {
    use switchboard::catalog::{self, Address, ConnectSettings};
    connect("probe").await?;
    let (exchange, queue) = (unique("echo-exchange"), unique("echo-queue"));
    let (mut child, mut lines) = python_receiver(&exchange, &queue, "2").await?;
    // Postage answers `reply_to` with no correlation id: only a queue of
    // the call's own sees it.
    let address = Address::parse(&format!(
        "{}?exchange={exchange}&routing_key=echo-rk&reply=per_call",
        addr()
    ))?;
    let postage = catalog::protocol("postage").ok_or("postage is not linked")?;
    let me = Fingerprint::new("echo_send", "application", "1.0");
    let settings = ConnectSettings::new(postage).with_fingerprint(me.clone());
    let transport = catalog::connect(address, settings).await?;
    let client = Client::new(transport, Arc::new(Postage::new().with_fingerprint(&me)))
        .with_timeout(PATIENCE);
    let value: Value = client
        .call_named("echo", &json!({"s": "per call"}), None)
        .await?;
    assert_eq!(value, json!({"s": "per call"}));
    // A MessageResultError is the `Client` fault, with its message.
    let failed = client
        .call_named::<Value>("fail", &json!({}), None)
        .await
        .err()
        .ok_or("a MessageResultError came back as a success")?;
    let fault = failed
        .fault()
        .ok_or_else(|| format!("not a fault: {failed}"))?;
    assert_eq!(
        (fault.code(), fault.message()),
        ("Client", "it failed, as foreseen")
    );
    for _ in 0..2 {
        let line = tokio::time::timeout(PATIENCE, lines.next_line())
            .await??
            .ok_or("no message line")?;
        let got: Value = serde_json::from_str(&line)?;
        assert_eq!(got["body"]["category"], "rpc");
    }
    assert!(
        tokio::time::timeout(PATIENCE, child.wait())
            .await??
            .success()
    );
    delete(&[&queue], &[&exchange]).await;
    Ok(())
}
