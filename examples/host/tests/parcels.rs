//! The `parcels` binary as its users run it: its own name, variables and
//! documents, and one process serving HTTP, RabbitMQ and a SQLite queue
//! until one SIGTERM stops all three.

use std::error::Error;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

type TestResult = Result<(), Box<dyn Error>>;

/// The binary, in `dir`, without any `PARCELS_*` setting of the caller's.
fn parcels(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_parcels"));
    command.current_dir(dir).stdin(Stdio::null());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PARCELS_") {
            command.env_remove(name);
        }
    }
    command
}

fn run(dir: &Path, args: &[&str]) -> Result<Output, Box<dyn Error>> {
    let output = parcels(dir).args(args).output()?;
    if !output.status.success() {
        return Err(format!(
            "parcels {args:?}: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(output)
}

fn stdout(dir: &Path, args: &[&str]) -> Result<String, Box<dyn Error>> {
    Ok(String::from_utf8(run(dir, args)?.stdout)?)
}

#[test]
fn help_names_its_own_variables_and_no_flag_it_lacks() -> TestResult {
    let dir = tempfile::tempdir()?;
    let help = stdout(dir.path(), &["--help"])?;
    assert!(help.starts_with("parcels"), "{help}");
    assert!(help.contains("PARCELS_*"), "{help}");
    for command in ["serve", "call", "consume", "enqueue", "queue", "interface"] {
        assert!(
            help.contains(&format!("\n  {command} ")),
            "{command}: {help}"
        );
        let help = stdout(dir.path(), &[command, "--help"])?;
        assert!(help.contains("[env: PARCELS_"), "{command}: {help}");
        for foreign in ["SWITCHBOARD", "switchboard", "stats", "gridmap"] {
            assert!(!help.contains(foreign), "{command} names {foreign}: {help}");
        }
    }
    let serve = stdout(dir.path(), &["serve", "--help"])?;
    assert!(serve.contains("[default: parcels.db]"), "{serve}");
    assert!(
        serve.contains("- parcels"),
        "the service is listed: {serve}"
    );
    Ok(())
}

#[test]
fn documents_carry_its_namespace_and_only_its_methods() -> TestResult {
    let dir = tempfile::tempdir()?;
    let wsdl = stdout(dir.path(), &["interface", "wsdl"])?;
    assert!(
        wsdl.contains(r#"targetNamespace="urn:example:parcels""#),
        "{wsdl}"
    );
    assert!(wsdl.contains(r#"<wsdl:service name="parcels""#), "{wsdl}");
    let openrpc: serde_json::Value =
        serde_json::from_str(&stdout(dir.path(), &["interface", "openrpc"])?)?;
    assert_eq!(openrpc["info"]["title"], "parcels: parcels");
    assert_eq!(openrpc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let mut methods: Vec<&str> = openrpc["methods"]
        .as_array()
        .ok_or("no methods")?
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    methods.sort_unstable();
    assert_eq!(methods, ["register", "rpc.discover", "scan", "track"]);
    Ok(())
}

/// A running `parcels serve`, killed when dropped if it still runs.
struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads the banner up to its last line, returning it.
fn banner(child: &mut Child) -> Result<String, Box<dyn Error>> {
    let out = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(out).lines();
    let mut banner = String::new();
    for line in lines.by_ref() {
        let line = line?;
        banner.push_str(&line);
        banner.push('\n');
        if line == "Stop with Ctrl-C." {
            // Keep reading in the background so the child never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return Ok(banner);
        }
    }
    Err(format!("serve stopped before its banner ended:\n{banner}").into())
}

/// `GET path` on 127.0.0.1:`port`: the whole response, head and body.
fn http_get(port: u16, path: &str) -> Result<String, Box<dyn Error>> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

fn free_port() -> Result<u16, Box<dyn Error>> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

#[test]
fn one_process_serves_http_amqp_and_a_queue_and_stops_on_sigterm() -> TestResult {
    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    let http = format!("http://127.0.0.1:{port}");
    let queue = format!("parcels-example-{}", std::process::id());
    let amqp = format!("amqp://guest:guest@127.0.0.1:5672/%2f?queue={queue}");
    let file = dir.path().join("scans.db");
    let sqlite = format!("sqlite:{}?worker=w1", file.display());
    let stderr = std::fs::File::create(dir.path().join("serve.log"))?;
    let child = parcels(dir.path())
        .args([
            "serve",
            "--on",
            &http,
            "--on",
            &format!("{amqp}&durable=false"),
        ])
        .args(["--on", &sqlite])
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()?;
    let mut serving = Serving(child);
    let banner = banner(&mut serving.0)?;
    assert!(
        banner.contains(&format!("parcels listening on {http}")),
        "{banner}"
    );
    assert!(
        banner.contains(&format!(
            "parcels consuming amqp://127.0.0.1:5672/%2f queue {queue}"
        )),
        "{banner}"
    );
    assert!(banner.contains("as fan-out consumer w1"), "{banner}");

    // Registered over HTTP, tracked over RabbitMQ, scanned through the queue file.
    let registered: serde_json::Value = serde_json::from_str(&stdout(
        dir.path(),
        &[
            "call",
            "register",
            "recipient=Ada",
            "weight_grams=1200",
            "--to",
            &http,
        ],
    )?)?;
    assert_eq!(registered["id"], 1);
    let tracked: serde_json::Value = serde_json::from_str(&stdout(
        dir.path(),
        &["call", "track", "id=1", "--to", &amqp],
    )?)?;
    assert_eq!(tracked["recipient"], "Ada");
    let to_queue = format!("sqlite:{}", file.display());
    let task = stdout(
        dir.path(),
        &[
            "enqueue",
            "scan",
            "id=1",
            "location=Oslo",
            "--to",
            &to_queue,
        ],
    )?;
    assert_eq!(task.trim(), "1", "the task id the queue gave");
    let mut scans = serde_json::Value::Null;
    for _ in 0..200 {
        let tracked: serde_json::Value = serde_json::from_str(&stdout(
            dir.path(),
            &["call", "track", "id=1", "--to", &http],
        )?)?;
        scans = tracked["scans"].clone();
        if scans == serde_json::json!(["Oslo"]) {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert_eq!(
        scans,
        serde_json::json!(["Oslo"]),
        "the queued scan was consumed"
    );

    // Its metrics, with no code of its own: each call by method and transport.
    let metrics = http_get(port, "/metrics")?;
    let host =
        "switchboard_build_info{version=\"0.1.0\",host=\"parcels\",host_version=\"0.1.0\"} 1";
    assert!(metrics.contains(host), "{metrics}");
    for (method, transport) in [("register", "http"), ("track", "amqp"), ("scan", "sqlite")] {
        let series = format!("rpc_method=\"parcels/{method}\",transport=\"{transport}\"");
        assert!(metrics.contains(&series), "{series}: {metrics}");
    }
    let ready = http_get(port, "/readyz")?;
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");

    // One SIGTERM stops all three.
    let pid = serving.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()?
            .success()
    );
    let status = serving.0.wait()?;
    let log = std::fs::read_to_string(dir.path().join("serve.log"))?;
    assert!(status.success(), "{status}: {log}");
    assert!(log.contains("http server stopped"), "{log}");
    assert!(log.contains("consumer stopped"), "{log}");
    let _ = Command::new("rabbitmqctl")
        .args(["delete_queue", &queue])
        .output();
    Ok(())
}
