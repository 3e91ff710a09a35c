//! `switchboard serve --transport http,amqp` from one process, called over
//! AMQP with `call --amqp-url` and `enqueue --amqp-url` (one-way,
//! confirmed), and over HTTP at the same time; then stopped by SIGTERM.
//! Needs the RabbitMQ broker at `AMQP_ADDR` (default the local one).

use std::error::Error;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

type TestResult = Result<(), Box<dyn Error>>;

fn addr() -> String {
    std::env::var("AMQP_ADDR").unwrap_or_else(|_| "amqp://127.0.0.1:5672/%2f".to_owned())
}

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

/// Kills the server if the test fails before SIGTERM.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_answers_over_http_and_amqp_from_one_process() -> TestResult {
    let dir = tempfile::tempdir()?;
    let queue = format!(
        "sbtest-cli-{}-{:x}",
        std::process::id(),
        std::time::UNIX_EPOCH.elapsed()?.as_nanos()
    );
    let child = switchboard(dir.path())
        .args([
            "--log",
            "warn",
            "serve",
            "--transport",
            "http,amqp",
            "--listen",
            "127.0.0.1:0",
            "--db",
        ])
        .arg(dir.path().join("x.db"))
        .env("SWITCHBOARD_AMQP_URL", addr())
        .env("SWITCHBOARD_AMQP_QUEUE", &queue)
        .args(["--amqp-prefetch", "8", "--amqp-durable", "false"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut served = Guard(child);
    let stdout = served.0.stdout.take().ok_or("stdout is piped")?;
    let mut lines = BufReader::new(stdout).lines();
    let (mut http, mut amqp) = (None, None);
    while http.is_none() || amqp.is_none() {
        let line = lines.next().ok_or(
            "serve exited before its banner; is RabbitMQ running? (`rabbitmq-server -detached`)",
        )??;
        if let Some(addr) = line.strip_prefix("switchboard listening on ") {
            http = Some(addr.to_owned());
        } else if line.starts_with("switchboard consuming") {
            assert!(line.contains(&queue), "{line}");
            amqp = Some(line);
        }
    }
    let http = http.ok_or("no http line")?;

    let run = |args: &[&str]| -> Result<String, Box<dyn Error>> {
        let out = switchboard(dir.path())
            .args(args)
            .stdin(Stdio::null())
            .output()?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {}: {stderr}", out.status);
        // A client command that worked prints its result and nothing else.
        assert!(stderr.is_empty(), "{args:?} logged: {stderr}");
        Ok(String::from_utf8(out.stdout)?)
    };
    let url = addr();
    let sum = run(&[
        "call",
        "sum",
        "a=1.5",
        "b=2",
        "--amqp-url",
        &url,
        "--queue",
        &queue,
    ])?;
    assert_eq!(sum.trim(), "3.5");
    let echo = run(&["call", "echo", "s=over http", "--url", &http])?;
    assert_eq!(echo.trim(), "\"over http\"");
    let published = run(&[
        "enqueue",
        "sleep",
        "seconds=0",
        "--amqp-url",
        &url,
        "--amqp-queue",
        &queue,
    ])?;
    assert_eq!(published.trim(), "published");
    // A fault comes back as a fault, with exit status 1.
    let failed = switchboard(dir.path())
        .args([
            "call",
            "fail",
            "message=no",
            "--amqp-url",
            &url,
            "--queue",
            &queue,
        ])
        .output()?;
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("Client: no"));
    // A queue nobody serves: unreachable (exit 3), at once.
    let nowhere = switchboard(dir.path())
        .args([
            "call",
            "echo",
            "s=x",
            "--amqp-url",
            &url,
            "--queue",
            &format!("{queue}-nowhere"),
        ])
        .output()?;
    let said = String::from_utf8_lossy(&nowhere.stderr);
    assert_eq!(nowhere.status.code(), Some(3), "{said}");
    // One line: the error, without the broker client's own warnings.
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.starts_with("error: ") && said.contains("NO_ROUTE"),
        "{said}"
    );

    let pid = served.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()?
            .success()
    );
    let status = served.0.wait()?;
    assert!(status.success(), "serve exited with {status}");
    // The queue was not auto-delete: remove it (a durable=false queue of this test).
    let _ = Command::new("rabbitmqctl")
        .args(["delete_queue", &queue])
        .output();
    Ok(())
}
