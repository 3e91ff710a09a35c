//! `GET /readyz` of `switchboard serve --on http://… --on amqp://…`
//! follows the AMQP link: 200 while it consumes, 503 naming the link (and
//! why) while its broker is stopped, 200 again once the broker is back,
//! with no restart of `serve`. The broker is a private RabbitMQ node (its
//! own name, ports and directory), never the shared one.

use std::error::Error;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use switchboard_testing::rabbitmq::PrivateNode;

type TestResult = Result<(), Box<dyn Error>>;

/// How long a change of the link may take to show in `/readyz`.
const PATIENCE: Duration = Duration::from_secs(20);

/// The binary in `dir`, with no `SWITCHBOARD_*` setting inherited.
fn switchboard(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command.current_dir(dir);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SWITCHBOARD_") {
            command.env_remove(name);
        }
    }
    command
}

/// Kills the server when the test ends.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET {path}` on `host:port`: the status code and the body.
fn get(host_port: &str, path: &str) -> Result<(u16, String), Box<dyn Error>> {
    let mut stream = TcpStream::connect(host_port)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host_port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("no status line in {response:?}"))?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// Polls `/readyz` (bounded) until it answers `status`; its body then.
fn readyz_until(host_port: &str, status: u16) -> Result<Value, Box<dyn Error>> {
    let start = Instant::now();
    loop {
        let (got, body) = get(host_port, "/readyz")?;
        if got == status {
            return Ok(serde_json::from_str(&body)?);
        }
        if start.elapsed() > PATIENCE {
            return Err(format!("/readyz is still {got} ({body}), not {status}").into());
        }
        thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn readyz_names_the_amqp_link_while_its_broker_is_stopped() -> TestResult {
    let node = PrivateNode::start("readyz", "", true)?;
    let dir = tempfile::tempdir()?;
    let queue = format!("sbtest-readyz-{}", std::process::id());
    let amqp = format!("{}?queue={queue}&durable=false", node.url());
    let child = switchboard(dir.path())
        .args([
            "--log",
            "error",
            "serve",
            "--on",
            "http://127.0.0.1:0",
            "--on",
        ])
        .arg(&amqp)
        .arg("--db")
        .arg(dir.path().join("x.db"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut served = Guard(child);
    let stdout = served.0.stdout.take().ok_or("stdout is piped")?;
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines.next().ok_or("serve exited before its banner")??;
        if let Some(url) = line.strip_prefix("switchboard listening on ") {
            break url.trim().to_owned();
        }
    };
    // The rest of the banner, read so the child never blocks on the pipe.
    thread::spawn(move || for _ in lines {});
    let host_port = base
        .strip_prefix("http://")
        .ok_or_else(|| format!("not an http URL: {base}"))?
        .to_owned();
    let link = format!("amqp 127.0.0.1:{}/%2f queue {queue}", node.port);

    let up = readyz_until(&host_port, 200)?;
    let checks = up["checks"].as_array().ok_or("no checks")?;
    assert!(
        checks
            .iter()
            .any(|c| c["name"] == link.as_str() && c["ready"] == true),
        "{up}"
    );

    node.stop_app()?;
    let down = readyz_until(&host_port, 503)?;
    eprintln!("/readyz with the broker stopped: {down}");
    assert_eq!(down["ready"], false, "{down}");
    let checks = down["checks"].as_array().ok_or("no checks")?;
    let amqp_check = checks
        .iter()
        .find(|c| c["name"] == link.as_str())
        .ok_or_else(|| format!("the AMQP link is not named: {down}"))?;
    assert_eq!(amqp_check["ready"], false, "{down}");
    assert!(
        amqp_check["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "no reason: {down}"
    );
    // The HTTP listener itself is fine: only the link is named.
    assert!(
        checks
            .iter()
            .filter(|c| c["ready"] == false)
            .all(|c| c["name"] == link.as_str()),
        "{down}"
    );

    node.start_app()?;
    let back = readyz_until(&host_port, 200)?;
    assert_eq!(back["ready"], true, "{back}");
    assert!(
        served.0.try_wait()?.is_none(),
        "serve exited while the broker was away"
    );
    Ok(())
}
