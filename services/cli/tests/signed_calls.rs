//! Signed calls from the command line: `serve` and `consume` with
//! `--secret-file` run calls that `call` and `enqueue` sign with the same
//! file, refuse unsigned ones, and the secret itself is never sent nor
//! logged: the bytes both ways through recording TCP proxies (HTTP, and
//! the AMQP connection of the caller), the queue file, and every
//! process's output at `--log debug` are searched for it. Needs the
//! RabbitMQ broker at `AMQP_ADDR` (default the local one).

mod common;

use std::error::Error;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use common::{TestResult, switchboard};

fn broker() -> String {
    std::env::var("AMQP_ADDR").unwrap_or_else(|_| "amqp://127.0.0.1:5672/%2f".to_owned())
}

/// A secret no other text holds, so finding it anywhere is a leak.
fn unique_secret() -> Result<String, Box<dyn Error>> {
    let nanos = std::time::UNIX_EPOCH.elapsed()?.as_nanos();
    Ok(format!("canary-{}-{nanos:x}-secret", std::process::id()))
}

/// Every byte that went through a proxy, both ways.
type Recorded = Arc<Mutex<Vec<u8>>>;

/// A TCP proxy on 127.0.0.1 to `upstream`, recording what passes; its
/// port.
fn recording_proxy(upstream: String, recorded: Recorded) -> Result<u16, Box<dyn Error>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    thread::spawn(move || {
        for inbound in listener.incoming().flatten() {
            let Ok(outbound) = TcpStream::connect(&upstream) else {
                continue;
            };
            for (from, to) in [
                (inbound.try_clone(), outbound.try_clone()),
                (outbound.try_clone(), inbound.try_clone()),
            ] {
                if let (Ok(from), Ok(to)) = (from, to) {
                    let recorded = Arc::clone(&recorded);
                    thread::spawn(move || pump(from, to, &recorded));
                }
            }
        }
    });
    Ok(port)
}

/// Copies `from` to `to` until either closes, recording the bytes.
fn pump(mut from: TcpStream, mut to: TcpStream, recorded: &Mutex<Vec<u8>>) {
    let mut buffer = [0; 16 * 1024];
    while let Ok(n @ 1..) = from.read(&mut buffer) {
        let chunk = buffer.get(..n).unwrap_or_default();
        recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(chunk);
        if to.write_all(chunk).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// Kills the server if the test fails before it is stopped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `switchboard --log debug ARGS` in `dir`; its output.
fn run(dir: &Path, args: &[&str]) -> Result<Output, Box<dyn Error>> {
    Ok(switchboard(dir)
        .args(["--log", "debug"])
        .args(args)
        .stdin(Stdio::null())
        .output()?)
}

/// Both output streams of `output`, after checking it succeeded.
fn succeeded(output: &Output) -> Result<Vec<u8>, Box<dyn Error>> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}: {stderr}", output.status);
    Ok([output.stdout.as_slice(), &output.stderr].concat())
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
fn signed_calls_run_unsigned_ones_are_refused_and_the_secret_never_shows() -> TestResult {
    let dir = tempfile::tempdir()?;
    let secret = unique_secret()?;
    std::fs::write(dir.path().join("secret"), format!("{secret}\n"))?;
    let queue = format!("sbtest-signed-{}", std::process::id());
    let stderr_path = dir.path().join("serve.log");
    let child = switchboard(dir.path())
        .args(["--log", "debug", "serve", "--transport", "http,amqp"])
        .args([
            "--listen",
            "127.0.0.1:0",
            "--db",
            "x.db",
            "--secret-file",
            "secret",
        ])
        .args([
            "--amqp-url",
            &broker(),
            "--amqp-queue",
            &queue,
            "--amqp-durable",
            "false",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path)?)
        .spawn()?;
    let mut served = Guard(child);
    let stdout = served.0.stdout.take().ok_or("stdout is piped")?;
    let mut lines = BufReader::new(stdout).lines();
    let (mut http, mut consuming) = (None, false);
    let mut banner = Vec::new();
    while http.is_none() || !consuming {
        let line = lines.next().ok_or(
            "serve exited before its banner; is RabbitMQ running? (`rabbitmq-server -detached`)",
        )??;
        banner.extend_from_slice(line.as_bytes());
        if let Some(addr) = line.strip_prefix("switchboard listening on http://") {
            http = Some(addr.to_owned());
        }
        consuming |= line.starts_with("switchboard consuming");
    }
    let http = http.ok_or("no HTTP address")?;
    let wire: Recorded = Arc::default();
    let http_proxy = recording_proxy(http, Arc::clone(&wire))?;
    let amqp_proxy = recording_proxy("127.0.0.1:5672".to_owned(), Arc::clone(&wire))?;
    let proxied_url = format!("http://127.0.0.1:{http_proxy}");
    let proxied_broker = format!("amqp://guest:guest@127.0.0.1:{amqp_proxy}/%2f");
    let mut outputs = banner;

    // HTTP and AMQP: signed calls answer, an unsigned one is refused.
    let signed = ["--secret-file", "secret"];
    for to in [["--url", &proxied_url], ["--amqp-url", &proxied_broker]] {
        let mut args = vec!["call", "echo", "s=hello"];
        args.extend(to);
        if to[0] == "--amqp-url" {
            args.extend(["--queue", &queue]);
        }
        let unsigned = run(dir.path(), &args)?;
        assert_eq!(unsigned.status.code(), Some(1), "{to:?}");
        let refused = String::from_utf8_lossy(&unsigned.stderr);
        assert!(refused.contains("Client.Unauthorized"), "{to:?}: {refused}");
        args.extend(signed);
        let output = run(dir.path(), &args)?;
        outputs.extend(succeeded(&output)?);
        assert!(contains(&output.stdout, "\"hello\""), "{to:?}");
        outputs.extend(unsigned.stdout);
        outputs.extend(unsigned.stderr);
    }
    let wire = wire.lock().unwrap_or_else(PoisonError::into_inner).clone();
    // The capture saw the signed requests (so the search below means
    // something), and never the secret.
    assert!(
        contains(&wire, "switchboard-signature"),
        "nothing was captured"
    );
    assert!(!contains(&wire, &secret), "the secret went over the wire");

    // The SQLite queue: a signed task runs, its file never holds the secret.
    let enqueued = run(
        dir.path(),
        &[
            "enqueue",
            "echo",
            "s=queued",
            "--queue",
            "q.db",
            "--secret-file",
            "secret",
        ],
    )?;
    outputs.extend(succeeded(&enqueued)?);
    let consume = [
        "consume",
        "--queue",
        "q.db",
        "--worker",
        "w1",
        "--services",
        "demo",
        "--db",
        "s.db",
        "--drain",
        "--secret-file",
        "secret",
    ];
    outputs.extend(succeeded(&run(dir.path(), &consume)?)?);
    let failures = run(dir.path(), &["queue", "failures", "--queue", "q.db"])?;
    let failures = succeeded(&failures)?;
    assert!(
        !contains(&failures, "Client.Unauthorized"),
        "{}",
        String::from_utf8_lossy(&failures)
    );
    for file in ["q.db", "q.db-wal"] {
        let path = dir.path().join(file);
        if path.exists() {
            assert!(
                !contains(&std::fs::read(&path)?, &secret),
                "{file} holds the secret"
            );
        }
    }

    // The server's own log, at debug, after it stopped.
    let _ = served.0.kill();
    let _ = served.0.wait();
    // Not auto-delete: remove this test's queue.
    let _ = std::process::Command::new("rabbitmqctl")
        .args(["delete_queue", &queue])
        .output();
    for line in lines.map_while(Result::ok) {
        outputs.extend_from_slice(line.as_bytes());
    }
    let log = std::fs::read(&stderr_path)?;
    assert!(
        contains(&log, "signed calls required"),
        "{}",
        String::from_utf8_lossy(&log)
    );
    assert!(
        contains(&log, "signed call refused"),
        "the refusals were not logged"
    );
    outputs.extend(log);
    assert!(
        !contains(&outputs, &secret),
        "the secret was printed or logged"
    );
    Ok(())
}

#[test]
fn an_empty_or_missing_secret_file_stops_the_command_with_its_status() -> TestResult {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("empty"), "\n  \n")?;
    std::fs::write(dir.path().join("short"), "tiny-secret-x\n")?;
    let serve = |file: &str| -> Result<Output, Box<dyn Error>> {
        Ok(switchboard(dir.path())
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--db",
                "x.db",
                "--secret-file",
                file,
            ])
            .stdin(Stdio::null())
            .output()?)
    };
    for (file, status, says) in [
        ("empty", 2, "holds no secret"),
        ("short", 2, "line 1 of the secret file"),
        ("missing", 4, "cannot read the secret file"),
    ] {
        let output = serve(file)?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(status), "{file}: {stderr}");
        assert!(stderr.contains(says), "{file}: {stderr}");
        assert!(!stderr.contains("tiny-secret-x"), "{stderr}");
    }
    // The variable names the file, as the flag does.
    let output = switchboard(dir.path())
        .args(["call", "echo", "s=x", "--url", "http://127.0.0.1:9"])
        .env("SWITCHBOARD_SECRET_FILE", "empty")
        .stdin(Stdio::null())
        .output()?;
    assert_eq!(output.status.code(), Some(2));
    Ok(())
}
