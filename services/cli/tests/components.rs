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
