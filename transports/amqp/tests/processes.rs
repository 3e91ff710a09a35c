//! Consumers in processes of their own: a work queue shared by three
//! processes (each of 3 000 messages runs exactly once, in fair shares), a
//! broadcast to three processes (each gets every message), and `kill -9`
//! of a consumer in the middle of a message (another one runs it).
//!
//! There is no separate binary: the test binary re-executes itself with
//! `SBA_CHILD` set and the arguments `child_entry --exact --nocapture`, so
//! the harness runs only [`child_entry`], which serves until killed. In the
//! parent `SBA_CHILD` is unset and `child_entry` returns at once.
//!
//! | env | meaning |
//! |---|---|
//! | `SBA_CHILD` | `work` (consume the queue `SBA_QUEUE`) or `broadcast` (the fanout exchange `SBA_EXCHANGE`) |
//! | `SBA_RESULTS` | the directory where each child appends `start|done token redelivered` lines to `<pid>.txt` |

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use switchboard::{Application, Client, MethodContext, Server, ServerTransport, rpc};
use switchboard_amqp::{
    AmqpClient, AmqpFacts, AmqpServer, Binding, ClientOptions, ExchangeSpec, QueueSpec,
    ServerOptions,
};
use switchboard_json::JsonRpc;

use common::{TestResult, bounded, connect, delete, settings, unique, wait_consumers};

/// Appends `line` to this process's results file.
fn note(line: &str) {
    let Ok(dir) = std::env::var("SBA_RESULTS") else {
        return;
    };
    let path = Path::new(&dir).join(format!("{}.txt", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        // One `write` per line: with O_APPEND, lines of concurrent calls
        // do not interleave (`writeln!` would write in pieces).
        .and_then(|mut file| file.write_all(format!("{line}\n").as_bytes()));
    if let Err(err) = written {
        eprintln!("cannot record: {err}");
        std::process::exit(18);
    }
}

/// Records its start, holds for `hold_ms`, records its end.
#[rpc(service = "proc", one_way)]
async fn work(ctx: &MethodContext, token: String, hold_ms: u64) {
    let redelivered = ctx.facts::<AmqpFacts>().is_some_and(|f| f.redelivered);
    note(&format!("start {token} {redelivered}"));
    tokio::time::sleep(Duration::from_millis(hold_ms)).await;
    note(&format!("done {token} {redelivered}"));
}

/// The children's entry point (returns at once in the parent).
#[test]
fn child_entry() -> TestResult {
    let Ok(mode) = std::env::var("SBA_CHILD") else {
        return Ok(());
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let binding = match mode.as_str() {
        "work" => Binding::work_queue(QueueSpec::new(std::env::var("SBA_QUEUE")?).durable(true)),
        _ => Binding::broadcast(ExchangeSpec::fanout(std::env::var("SBA_EXCHANGE")?)),
    };
    let app = Application::builder().services(["proc"]).build()?;
    let server = AmqpServer::new(
        settings("child"),
        ServerOptions::new(binding).with_prefetch(10),
    );
    runtime.block_on(server.serve(Server::new(app, JsonRpc), std::future::pending()))?;
    Ok(())
}

/// Child processes, killed when dropped.
struct Children(Vec<Child>);

impl Children {
    fn spawn(
        n: usize,
        mode: &str,
        env: &[(&str, &str)],
        results: &Path,
    ) -> Result<Self, std::io::Error> {
        let exe = std::env::current_exe()?;
        let children = (0..n)
            .map(|_| {
                Command::new(&exe)
                    .args(["child_entry", "--exact", "--nocapture", "--test-threads=1"])
                    .env("SBA_CHILD", mode)
                    .env("SBA_RESULTS", results)
                    .envs(env.iter().copied())
                    .stdout(std::process::Stdio::null())
                    .spawn()
            })
            .collect::<Result<_, _>>()?;
        Ok(Self(children))
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `(pid, kind, token, redelivered)` of every line the children wrote.
fn results(dir: &Path) -> Vec<(u32, String, String, bool)> {
    let mut lines = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return lines;
    };
    for entry in entries.flatten() {
        let path: PathBuf = entry.path();
        let pid = path
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for line in text.lines() {
            let mut parts = line.split(' ');
            if let (Some(kind), Some(token), Some(redelivered)) =
                (parts.next(), parts.next(), parts.next())
            {
                lines.push((
                    pid,
                    kind.to_owned(),
                    token.to_owned(),
                    redelivered == "true",
                ));
            }
        }
    }
    lines
}

fn done_count(dir: &Path, prefix: &str) -> usize {
    results(dir)
        .iter()
        .filter(|(_, kind, token, _)| kind == "done" && token.starts_with(prefix))
        .count()
}

async fn client(
    options: ClientOptions,
) -> Result<Client, Box<dyn std::error::Error + Send + Sync>> {
    let transport = AmqpClient::connect(settings("processes"), options).await?;
    Ok(Client::new(Arc::new(transport), Arc::new(JsonRpc)))
}

/// Sends `tokens` one-way, 16 at a time.
async fn send_all(client: &Client, tokens: Vec<String>, hold_ms: u64) -> TestResult {
    let mut sends = tokio::task::JoinSet::new();
    for chunk in tokens.chunks(tokens.len().div_ceil(16)) {
        let (client, chunk) = (client.clone(), chunk.to_vec());
        sends.spawn(async move {
            for token in chunk {
                client
                    .notify_named("work", &json!({"token": token, "hold_ms": hold_ms}), None)
                    .await?;
            }
            Ok::<(), switchboard::CallError>(())
        });
    }
    while let Some(sent) = sends.join_next().await {
        sent??;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_work_queue_shared_by_three_processes_runs_each_message_once_in_fair_shares() -> TestResult
{
    connect("probe").await?;
    let dir = tempfile::tempdir()?;
    let queue = unique("work");
    let _children = Children::spawn(3, "work", &[("SBA_QUEUE", &queue)], dir.path())?;
    wait_consumers(&queue, 3).await?;
    let client = client(ClientOptions::to_queue(&queue)).await?;
    let tokens: Vec<String> = (0..3_000).map(|n| format!("w{n}")).collect();
    send_all(&client, tokens.clone(), 0).await?;
    bounded("3 000 messages to run", async {
        while done_count(dir.path(), "w") < 3_000 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await?;
    let done: Vec<_> = results(dir.path())
        .into_iter()
        .filter(|(_, kind, _, _)| kind == "done")
        .collect();
    let mut runs: BTreeMap<&str, usize> = BTreeMap::new();
    let mut shares: BTreeMap<u32, usize> = BTreeMap::new();
    for (pid, _, token, _) in &done {
        *runs.entry(token.as_str()).or_default() += 1;
        *shares.entry(*pid).or_default() += 1;
    }
    assert_eq!(runs.len(), 3_000);
    assert!(runs.values().all(|&n| n == 1), "some ran twice");
    assert_eq!(shares.len(), 3, "{shares:?}");
    assert!(
        shares.values().all(|&n| n >= 600),
        "unfair shares: {shares:?}"
    );
    delete(&[&queue], &[]).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_reaches_every_one_of_three_processes() -> TestResult {
    connect("probe").await?;
    let dir = tempfile::tempdir()?;
    let exchange = unique("fanout");
    let _children = Children::spawn(3, "broadcast", &[("SBA_EXCHANGE", &exchange)], dir.path())?;
    let client = client(ClientOptions::to_exchange(&exchange, "")).await?;
    // Ready once a probe reached all three (their queues are private).
    bounded("three consumers to bind", async {
        loop {
            let _ = client
                .notify_named("work", &json!({"token": "probe", "hold_ms": 0}), None)
                .await;
            let pids: BTreeSet<u32> = results(dir.path())
                .into_iter()
                .map(|(pid, _, _, _)| pid)
                .collect();
            if pids.len() == 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await?;
    let tokens: Vec<String> = (0..100).map(|n| format!("b{n}")).collect();
    send_all(&client, tokens, 0).await?;
    bounded("every process to get every message", async {
        while done_count(dir.path(), "b") < 300 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await?;
    let mut per_pid: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    for (pid, kind, token, _) in results(dir.path()) {
        if kind == "done" && token.starts_with('b') {
            per_pid.entry(pid).or_default().insert(token);
        }
    }
    assert_eq!(per_pid.len(), 3);
    assert!(
        per_pid.values().all(|tokens| tokens.len() == 100),
        "{per_pid:?}"
    );
    delete(&[], &[&exchange]).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_whose_consumer_is_killed_runs_again_on_another() -> TestResult {
    connect("probe").await?;
    let dir = tempfile::tempdir()?;
    let queue = unique("kill");
    let mut children = Children::spawn(2, "work", &[("SBA_QUEUE", &queue)], dir.path())?;
    wait_consumers(&queue, 2).await?;
    let client = client(ClientOptions::to_queue(&queue)).await?;
    client
        .notify_named("work", &json!({"token": "victim", "hold_ms": 2_000}), None)
        .await?;
    let started = bounded("the message to start", async {
        loop {
            if let Some((pid, ..)) = results(dir.path())
                .into_iter()
                .find(|(_, kind, t, _)| kind == "start" && t == "victim")
            {
                break pid;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await?;
    let victim = children
        .0
        .iter_mut()
        .find(|c| c.id() == started)
        .ok_or("no such child")?;
    victim.kill()?; // SIGKILL: no ack, no goodbye
    victim.wait()?;
    let rerun = bounded("the message to run again", async {
        loop {
            let found = results(dir.path())
                .into_iter()
                .find(|(pid, kind, t, _)| kind == "done" && t == "victim" && *pid != started);
            if let Some(found) = found {
                break found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await?;
    assert!(rerun.3, "the rerun should see `redelivered`");
    delete(&[&queue], &[]).await;
    Ok(())
}
