//! Components: `serve` and `consume` processes announce themselves on the
//! status bus; `status` lists them (lost when killed, offline when
//! stopped); `ctl` drains, quits and restarts them, and is refused without
//! the shared secret. On the embedded backend (SQLite files beside the
//! state file) and on RabbitMQ (`AMQP_ADDR`, default the local broker).

mod common;

use std::error::Error;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::{TestResult, switchboard};
use serde_json::Value;

/// Seconds between heartbeats in these tests.
const BEAT: &str = "0.5";

/// A child process, killed when dropped if it still runs.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Running {
    fn pid(&self) -> u32 {
        self.0.id()
    }

    /// Waits (at most `limit`) for the process to exit; its status code.
    fn exited_within(&mut self, limit: Duration) -> Result<Option<i32>, Box<dyn Error>> {
        let until = std::time::Instant::now() + limit;
        while std::time::Instant::now() < until {
            if let Some(status) = self.0.try_wait()? {
                return Ok(status.code());
            }
            thread::sleep(Duration::from_millis(50));
        }
        Err("the process did not exit".into())
    }
}

/// Starts `switchboard ARGS` in `dir` and waits for the first line of its
/// banner; returns it with that line.
fn start(dir: &Path, args: &[&str]) -> Result<(Running, String), Box<dyn Error>> {
    let mut child = switchboard(dir)
        .args(["--log", "warn"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("stdout is piped")?;
    let running = Running(child);
    let mut lines = BufReader::new(stdout);
    let mut first = String::new();
    lines.read_line(&mut first)?;
    // Keep reading the banner so the child never blocks on a full pipe.
    thread::spawn(move || for _ in lines.lines() {});
    Ok((running, first))
}

/// `switchboard ARGS` in `dir`, to the end.
fn run(dir: &Path, args: &[&str]) -> Result<Output, Box<dyn Error>> {
    Ok(switchboard(dir).args(args).stdin(Stdio::null()).output()?)
}

/// `status --json` in `dir`: the components, by name.
fn status(dir: &Path, extra: &[&str]) -> Result<Vec<Value>, Box<dyn Error>> {
    let out = run(
        dir,
        &[&["status", "--json", "--wait", "1.5"], extra].concat(),
    )?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(serde_json::from_slice(&out.stdout)?)
}

fn named<'a>(list: &'a [Value], name: &str) -> Option<&'a Value> {
    list.iter().find(|c| c["fingerprint"]["name"] == name)
}

/// The lines a `status --watch` prints, as they come.
fn watch(dir: &Path, extra: &[&str]) -> Result<(Running, mpsc::Receiver<String>), Box<dyn Error>> {
    let mut child = switchboard(dir)
        .args(["status", "--watch"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout: ChildStdout = child.stdout.take().ok_or("stdout is piped")?;
    let (send, lines) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                return;
            }
        }
    });
    Ok((Running(child), lines))
}

/// Waits for a watched line naming `name` in `state`.
fn wait_for(
    lines: &mpsc::Receiver<String>,
    name: &str,
    state: &str,
) -> Result<String, Box<dyn Error>> {
    loop {
        let line = lines.recv_timeout(Duration::from_secs(20))?;
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.get(1) == Some(&name) && words.last() == Some(&state) {
            return Ok(line);
        }
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default()
}

#[test]
fn embedded_components_are_listed_then_lost_or_offline() -> TestResult {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let component = |name: &'static str| ["--component-name", name, "--heartbeat", BEAT];
    let (mut web, banner) = start(
        d,
        &[
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--db",
                "x.db",
                "--services",
                "demo",
            ][..],
            &component("web"),
        ]
        .concat(),
    )?;
    let url = banner
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    let consumer = |worker: &'static str, name: &'static str| {
        [
            &[
                "consume",
                "--queue",
                "q.db",
                "--worker",
                worker,
                "--db",
                "x.db",
                "--services",
                "demo",
            ][..],
            &component(name),
        ]
        .concat()
    };
    let (mut c1, _) = start(d, &consumer("w1", "c1"))?;
    let (mut c2, _) = start(d, &consumer("w2", "c2"))?;

    let list = status(d, &[])?;
    let host = host_name();
    for (name, process, transport) in [
        ("web", &web, url.as_str()),
        ("c1", &c1, "q.db?worker=w1"),
        ("c2", &c2, "q.db?worker=w2"),
    ] {
        let seen = named(&list, name).ok_or_else(|| format!("{name} not listed: {list:?}"))?;
        let fp = &seen["fingerprint"];
        assert_eq!(fp["pid"], process.pid().to_string(), "{seen}");
        assert_eq!(fp["host"], host.as_str());
        assert_eq!(fp["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(seen["state"], "online");
        let transports = seen["liveness"]["transports"].to_string();
        assert!(transports.contains(transport), "{name}: {transports}");
    }
    assert!(
        named(&list, "web").is_some_and(|w| w["liveness"]["methods"].to_string().contains("echo"))
    );

    let (_watching, lines) = watch(d, &[])?;
    // The watch lists each component as it first hears from it, in any order.
    let mut unheard = vec!["web", "c1", "c2"];
    while !unheard.is_empty() {
        let line = lines.recv_timeout(Duration::from_secs(20))?;
        unheard.retain(|name| line.split_whitespace().nth(1) != Some(name));
    }
    // Killed without a word: lost once two heartbeats are missed.
    c1.0.kill()?;
    wait_for(&lines, "c1", "lost")?;
    // Told to quit: it answers, says offline and exits cleanly.
    let quit = run(d, &["ctl", "quit", "c2"])?;
    let said = String::from_utf8_lossy(&quit.stdout);
    assert!(
        quit.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&quit.stderr)
    );
    assert!(
        said.starts_with(&format!("c2 {}@{host} ", c2.pid()))
            && said.trim_end().ends_with(" quitting"),
        "{said}"
    );
    wait_for(&lines, "c2", "offline")?;
    assert_eq!(c2.exited_within(Duration::from_secs(10))?, Some(0));
    // SIGTERM does what quit does.
    Command::new("kill")
        .args(["-TERM", &web.pid().to_string()])
        .status()?;
    wait_for(&lines, "web", "offline")?;
    assert_eq!(web.exited_within(Duration::from_secs(10))?, Some(0));
    Ok(())
}

#[test]
fn control_commands_need_the_shared_secret_when_one_is_set() -> TestResult {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let (mut web, banner) = start(
        d,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--db",
            "x.db",
            "--component-name",
            "guarded",
            "--heartbeat",
            BEAT,
            "--control-secret",
            "s3cret",
        ],
    )?;
    let url = banner
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    for secret in [None, Some("wrong")] {
        let mut args = vec!["ctl", "quit", "guarded", "--timeout", "5"];
        if let Some(secret) = secret {
            args.extend(["--control-secret", secret]);
        }
        let refused = run(d, &args)?;
        let said = String::from_utf8_lossy(&refused.stdout);
        assert_eq!(refused.status.code(), Some(1), "{said}");
        assert!(said.contains(" refused: "), "{said}");
        let healthy = http_get::healthy(&format!("{url}/healthz"));
        assert!(healthy, "the target stopped serving after a refused quit");
    }
    let quit = run(d, &["ctl", "quit", "guarded", "--control-secret", "s3cret"])?;
    assert!(
        quit.status.success(),
        "{}",
        String::from_utf8_lossy(&quit.stdout)
    );
    assert_eq!(web.exited_within(Duration::from_secs(10))?, Some(0));
    Ok(())
}

/// A tiny blocking GET through a real socket: whether it answered 200.
mod http_get {
    pub(crate) fn healthy(url: &str) -> bool {
        let Some(rest) = url.strip_prefix("http://") else {
            return false;
        };
        let (addr, path) = rest.split_once('/').map_or((rest, "/"), |(a, p)| (a, p));
        let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
            return false;
        };
        use std::io::{Read, Write};
        let request = format!("GET /{path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        let mut answer = String::new();
        stream.write_all(request.as_bytes()).is_ok()
            && stream.read_to_string(&mut answer).is_ok()
            && answer.starts_with("HTTP/1.1 200")
    }
}

/// Kills a process by pid when dropped (one this test did not start
/// itself: the process a `restart` started).
struct KillOnDrop(String);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-KILL", &self.0]).status();
    }
}

fn broker() -> String {
    std::env::var("AMQP_ADDR").unwrap_or_else(|_| "amqp://127.0.0.1:5672/%2f".to_owned())
}

/// `echo` `n` times over RabbitMQ, 16 at once, calling `midway` (on a
/// blocking thread) once `at` answers came; every answer checked.
async fn echo_stream(
    client: std::sync::Arc<switchboard::Client>,
    n: usize,
    at: usize,
    midway: impl FnOnce() + Send + 'static,
) -> Result<(), String> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let answered = std::sync::Arc::new(AtomicUsize::new(0));
    let next = std::sync::Arc::new(AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (client, answered, next) = (client.clone(), answered.clone(), next.clone());
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= n {
                    return Ok::<(), String>(());
                }
                let s = format!("call {i}");
                let params = serde_json::json!({ "s": s });
                let got: String = client
                    .call_named("echo", &params, None)
                    .await
                    .map_err(|err| format!("call {i}: {err}"))?;
                if got != s {
                    return Err(format!("call {i} answered {got:?}"));
                }
                answered.fetch_add(1, Ordering::SeqCst);
            }
        });
    }
    let watcher = {
        let answered = answered.clone();
        tokio::spawn(async move {
            while answered.load(Ordering::SeqCst) < at {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            tokio::task::spawn_blocking(midway)
                .await
                .map_err(|err| err.to_string())
        })
    };
    while let Some(joined) = workers.join_next().await {
        joined.map_err(|err| err.to_string())??;
    }
    watcher.await.map_err(|err| err.to_string())??;
    assert_eq!(answered.load(Ordering::SeqCst), n);
    Ok(())
}

#[test]
fn on_rabbitmq_drain_quit_and_restart_lose_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let d = dir.path().to_owned();
    let unique = format!(
        "{}-{:x}",
        std::process::id(),
        std::time::UNIX_EPOCH.elapsed()?.as_millis()
    );
    let queue = format!("sbtest-components-{unique}");
    let (a_name, b_name) = (format!("a-{unique}"), format!("b-{unique}"));
    let on = format!("{}?queue={queue}", broker());
    let bus = broker();
    let serve = |name: &str| -> Result<(Running, String), Box<dyn Error>> {
        start(
            &d,
            &[
                "serve",
                "--on",
                &on,
                "--db",
                "x.db",
                "--services",
                "demo",
                "--component-name",
                name,
                "--heartbeat",
                BEAT,
            ],
        )
    };
    let (mut a, _) = serve(&a_name)?;
    let (mut b, _) = serve(&b_name)?;
    let status_of = |name: &str| -> Result<Value, Box<dyn Error>> {
        let list = status(&d, &["--status-bus", &bus])?;
        named(&list, name)
            .cloned()
            .ok_or_else(|| format!("{name} not listed: {list:?}").into())
    };
    assert_eq!(status_of(&a_name)?["fingerprint"]["vhost"], "/");

    // Drain A in the middle of 1 000 calls: every call is answered once.
    let runtime = tokio::runtime::Runtime::new()?;
    let client = runtime.block_on(async {
        let address = switchboard::catalog::Address::parse(&on)?;
        let protocol = switchboard::catalog::protocol("jsonrpc").ok_or("no jsonrpc")?;
        let info = switchboard_host::HostInfo::new("components-test", "1.0.0");
        switchboard_host::tools::client(&info, &address, protocol, None)
            .await
            .map_err(|err| Box::<dyn Error>::from(err.to_string()))
    })?;
    let client = std::sync::Arc::new(client);
    let (d2, a2, bus2) = (d.clone(), a_name.clone(), bus.clone());
    let drained = std::sync::Arc::new(std::sync::Mutex::new(None));
    let drained_out = drained.clone();
    runtime.block_on(echo_stream(client.clone(), 1000, 300, move || {
        let out = run(&d2, &["ctl", "drain", &a2, "--status-bus", &bus2]);
        *drained_out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some(out.map_err(|e| e.to_string()));
    }))?;
    let drained = drained
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
        .ok_or("no drain")??;
    assert!(
        String::from_utf8_lossy(&drained.stdout)
            .trim_end()
            .ends_with(" drained"),
        "{drained:?}"
    );
    // Heartbeats carry the counts: wait for one after the last call.
    thread::sleep(Duration::from_millis(1200));
    let (sa, sb) = (status_of(&a_name)?, status_of(&b_name)?);
    assert_eq!(sa["state"], "drained");
    let done = |s: &Value| s["liveness"]["done"].as_u64().unwrap_or(0);
    assert_eq!(
        done(&sa) + done(&sb),
        1000,
        "a call ran twice or not at all: {sa} {sb}"
    );
    assert!(done(&sb) > 0, "B took nothing");

    // Restart B: a new process, pid and instance, serving again.
    let (old_pid, old_instance) = (b.pid().to_string(), sb["fingerprint"]["instance"].clone());
    let restarted = run(&d, &["ctl", "restart", &b_name, "--status-bus", &bus])?;
    assert!(
        String::from_utf8_lossy(&restarted.stdout)
            .trim_end()
            .ends_with(" restarting"),
        "{restarted:?}"
    );
    assert_eq!(b.exited_within(Duration::from_secs(10))?, Some(0));
    let mut fresh = Value::Null;
    for _ in 0..20 {
        fresh = status_of(&b_name).unwrap_or(Value::Null);
        if fresh["fingerprint"]["pid"] != old_pid.as_str() && fresh["state"] == "online" {
            break;
        }
    }
    let new_pid = fresh["fingerprint"]["pid"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let _b2 = KillOnDrop(new_pid.clone());
    assert!(!new_pid.is_empty() && new_pid != old_pid, "{fresh}");
    assert_ne!(fresh["fingerprint"]["instance"], old_instance);
    runtime.block_on(echo_stream(client, 10, 0, || {}))?;

    // The broker shows who is connected.
    let connections = Command::new("rabbitmqctl")
        .args(["-q", "list_connections", "client_properties"])
        .output()?;
    let instance = fresh["fingerprint"]["instance"].as_str().unwrap_or("?");
    assert!(
        String::from_utf8_lossy(&connections.stdout).contains(instance),
        "rabbitmqctl does not show {instance}"
    );

    for name in [&a_name, &b_name] {
        let quit = run(&d, &["ctl", "quit", name, "--status-bus", &bus])?;
        assert!(quit.status.success(), "{quit:?}");
    }
    assert_eq!(a.exited_within(Duration::from_secs(10))?, Some(0));
    Ok(())
}

/// The guide's Python example (`docs/examples/components.py`, pika only).
/// The python of a venv with pika, made once for the tests of this file
/// (they run in parallel, and two pip runs in one venv would race).
fn pika() -> Result<std::path::PathBuf, String> {
    static VENV: std::sync::OnceLock<Result<std::path::PathBuf, String>> =
        std::sync::OnceLock::new();
    VENV.get_or_init(|| {
        let venv =
            std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pika-venv-components");
        switchboard_testing::python_venv(&venv, &["pika"], "import pika")
    })
    .clone()
}

const PIKA_EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/examples/components.py"
);

#[test]
fn a_python_program_with_pika_lists_components_and_quits_one() -> TestResult {
    let python = pika()?;
    let dir = tempfile::tempdir()?;
    let unique = format!(
        "{}-{:x}",
        std::process::id(),
        std::time::UNIX_EPOCH.elapsed()?.as_millis()
    );
    let name = format!("py-{unique}");
    let on = format!("{}?queue=sbtest-py-{unique}", broker());
    let (mut served, _) = start(
        dir.path(),
        &[
            "serve",
            "--on",
            &on,
            "--db",
            "x.db",
            "--component-name",
            &name,
            "--heartbeat",
            BEAT,
        ],
    )?;
    let url = broker().replace("amqp://", "amqp://guest:guest@");
    let out = Command::new(python)
        .arg(PIKA_EXAMPLE)
        .args([&url, &name])
        .env("LISTEN_SECONDS", "1.5")
        .output()?;
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = format!("{name} service {}@{} ", served.pid(), host_name());
    assert!(
        said.lines()
            .any(|line| line.starts_with(&listed) && line.contains(" serving ")),
        "{said}"
    );
    assert_eq!(
        said.lines().last(),
        Some(format!("{name} quitting").as_str()),
        "{said}"
    );
    assert_eq!(served.exited_within(Duration::from_secs(10))?, Some(0));
    Ok(())
}

/// `n` `echo` tasks for the JSON document protocol, as `enqueue` writes them.
fn echo_tasks(from: usize, n: usize) -> Vec<switchboard_sqlite_queue::NewTask> {
    (from..from + n)
        .map(|i| switchboard_sqlite_queue::NewTask {
            method: "echo".into(),
            content_type: switchboard_sqlite_queue::task_content_type("application/json", "json")
                .into(),
            data: format!(r#"{{"s": "task {i}"}}"#).into_bytes(),
            expires_at: None,
        })
        .collect()
}

/// The calls `name` has done, as its last heartbeat said.
fn done_by(list: &[Value], name: &str) -> u64 {
    named(list, name)
        .and_then(|c| c["liveness"]["done"].as_u64())
        .unwrap_or(0)
}

#[test]
fn embedded_group_members_drain_and_restart_without_losing_a_task() -> TestResult {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let member = |worker: &'static str, name: &'static str| {
        [
            "consume",
            "--queue",
            "q.db",
            "--worker",
            worker,
            "--group",
            "g",
            "--db",
            "x.db",
            "--services",
            "demo",
            "--component-name",
            name,
            "--heartbeat",
            BEAT,
            "--poll-max",
            "20",
        ]
    };
    let (mut m1, _) = start(d, &member("w1", "m1"))?;
    let (mut m2, _) = start(d, &member("w2", "m2"))?;
    let runtime = tokio::runtime::Runtime::new()?;
    let producer =
        switchboard_sqlite_queue::QueueProducer::open(d.join("q.db"), Default::default())?;
    runtime.block_on(producer.enqueue_batch(echo_tasks(0, 500)))?;
    // Drain m1 once both have done some of the work.
    let mut list = status(d, &[])?;
    while done_by(&list, "m1") + done_by(&list, "m2") < 100 {
        list = status(d, &["--wait", "0.6"])?;
    }
    let drained = run(d, &["ctl", "drain", "m1"])?;
    assert!(
        String::from_utf8_lossy(&drained.stdout)
            .trim_end()
            .ends_with(" drained"),
        "{drained:?}"
    );
    runtime.block_on(producer.enqueue_batch(echo_tasks(500, 500)))?;
    // m2 alone finishes the rest; every task runs once.
    let mut list = status(d, &[])?;
    for _ in 0..40 {
        if done_by(&list, "m1") + done_by(&list, "m2") >= 1000 {
            break;
        }
        list = status(d, &["--wait", "0.6"])?;
    }
    assert_eq!(
        named(&list, "m1").map(|c| c["state"].clone()),
        Some("drained".into())
    );
    assert_eq!(
        done_by(&list, "m1") + done_by(&list, "m2"),
        1000,
        "{list:?}"
    );
    let queue = run(d, &["queue", "status", "--queue", "q.db"])?;
    let queue = String::from_utf8_lossy(&queue.stdout);
    let failures = queue.lines().find(|l| l.starts_with("failures:"));
    assert!(
        failures.is_some_and(|l| l.trim_end().ends_with(" 0")),
        "{queue}"
    );

    // Restart m2: a new process, pid and instance.
    let old = named(&list, "m2")
        .map(|c| c["fingerprint"].clone())
        .ok_or("m2")?;
    let restarted = run(d, &["ctl", "restart", "m2"])?;
    assert!(
        String::from_utf8_lossy(&restarted.stdout)
            .trim_end()
            .ends_with(" restarting"),
        "{restarted:?}"
    );
    assert_eq!(m2.exited_within(Duration::from_secs(10))?, Some(0));
    let mut fresh = Value::Null;
    for _ in 0..20 {
        fresh = status(d, &[])?
            .into_iter()
            .find(|c| c["fingerprint"]["name"] == "m2" && c["fingerprint"]["pid"] != old["pid"])
            .unwrap_or(Value::Null);
        if fresh["state"] == "online" {
            break;
        }
    }
    let _m2_again = KillOnDrop(
        fresh["fingerprint"]["pid"]
            .as_str()
            .unwrap_or("0")
            .to_owned(),
    );
    assert_eq!(fresh["state"], "online", "{fresh}");
    assert_ne!(fresh["fingerprint"]["instance"], old["instance"]);
    for name in ["m1", "m2"] {
        assert!(run(d, &["ctl", "quit", name])?.status.success());
    }
    assert_eq!(m1.exited_within(Duration::from_secs(10))?, Some(0));
    Ok(())
}

#[test]
fn a_status_bus_that_is_down_never_holds_the_process_up() -> TestResult {
    let dir = tempfile::tempdir()?;
    // Nothing listens on port 1: every announcement fails.
    let (mut web, banner) = start(
        dir.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--db",
            "x.db",
            "--heartbeat",
            BEAT,
            "--status-bus",
            "amqp://127.0.0.1:1/%2f",
        ],
    )?;
    let url = banner
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(http_get::healthy(&format!("{url}/healthz")));
    Command::new("kill")
        .args(["-TERM", &web.pid().to_string()])
        .status()?;
    assert_eq!(web.exited_within(Duration::from_secs(15))?, Some(0));
    Ok(())
}

/// Postage components written with pika: `MessageStatus(STATUS)` from
/// each `NAME=STATUS` argument, on the status exchange declared as our bus
/// declares it (non-durable fanout), every 100 ms for 20 s.
const POSTAGE_STATUS: &str = r#"
import getpass, json, os, socket, sys, time
import pika

connection = pika.BlockingConnection(pika.URLParameters(sys.argv[1]))
channel = connection.channel()
channel.exchange_declare(exchange="switchboard.status", exchange_type="fanout")
print("ready", flush=True)
components = [arg.split("=", 1) for arg in sys.argv[2:]]
until = time.monotonic() + 20
while time.monotonic() < until:
    for name, status in components:
        # Postage's MessageStatus(status), fingerprinted as a Producer does.
        fingerprint = {"name": name, "type": "controller", "pid": str(os.getpid()),
                       "host": socket.gethostname(), "user": getpass.getuser(), "vhost": "/"}
        body = {"type": "status", "name": status, "category": "message", "version": "2",
                "fingerprint": fingerprint, "content": {}, "_reserved": {}}
        channel.basic_publish(exchange="switchboard.status", routing_key="", body=json.dumps(body),
                              properties=pika.BasicProperties(content_type="application/json"))
    connection.process_data_events(time_limit=0.1)
"#;

#[test]
fn postage_components_announcing_their_status_are_listed() -> TestResult {
    let python = pika()?;
    let dir = tempfile::tempdir()?;
    let unique = format!(
        "{}-{:x}",
        std::process::id(),
        std::time::UNIX_EPOCH.elapsed()?.as_millis()
    );
    let (online, busy) = (format!("pg-on-{unique}"), format!("pg-busy-{unique}"));
    let url = broker().replace("amqp://", "amqp://guest:guest@");
    let mut child = Command::new(python)
        .args(["-c", POSTAGE_STATUS, &url])
        .args([format!("{online}=online"), format!("{busy}=busy")])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("stdout is piped")?;
    let python = Running(child);
    let mut ready = String::new();
    BufReader::new(stdout).read_line(&mut ready)?;
    assert_eq!(ready.trim(), "ready", "the pika program did not start");
    let list = status(dir.path(), &["--status-bus", &broker()])?;
    let host = host_name();
    for (name, state, said) in [(&online, "online", "online"), (&busy, "online", "busy")] {
        let seen = named(&list, name).ok_or_else(|| format!("{name} not listed: {list:?}"))?;
        assert_eq!(seen["fingerprint"]["pid"], python.pid().to_string());
        assert_eq!(seen["fingerprint"]["host"], host.as_str());
        assert_eq!(seen["fingerprint"]["type"], "controller");
        assert_eq!(seen["state"], state, "{seen}");
        assert_eq!(seen["status"], said, "{seen}");
        assert_eq!(seen["liveness"]["heartbeat_s"], 0.0, "{seen}");
    }
    Ok(())
}
