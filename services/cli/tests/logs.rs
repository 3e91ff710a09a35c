//! What `serve` logs about a failed call, at the default filter: in JSON
//! (`--log-format json` or `SWITCHBOARD_LOG_FORMAT=json`) one object per
//! line whose span names the call's method, transport and trace id; in
//! text, the same fields and no colour codes when standard error is not a
//! terminal.

mod common;

use std::error::Error;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use common::{TestResult, switchboard};

/// The `traceparent` every call here sends.
const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
/// Its trace id.
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// A `switchboard serve` on 127.0.0.1:0 whose standard error goes to a
/// file (not a terminal), killed when dropped if it still runs.
struct Server {
    child: Child,
    addr: String,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `switchboard [global...] serve ...` with the demo service
    /// and a 300 ms request timeout, and waits for its listener.
    fn start(global: &[&str], env: &[(&str, &str)]) -> Result<Self, Box<dyn Error>> {
        let dir = tempfile::tempdir()?;
        let log = dir.path().join("serve.log");
        let mut command = switchboard(dir.path());
        command
            .args(global)
            .args(["serve", "--on", "http://127.0.0.1:0", "--services", "demo"])
            .args(["--request-timeout", "300ms", "--db", "x.db"])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log)?);
        let mut child = command.spawn()?;
        let stdout = child.stdout.take().ok_or("stdout is piped")?;
        let mut first = String::new();
        BufReader::new(stdout).read_line(&mut first)?;
        let addr = first
            .trim_end()
            .rsplit("http://")
            .next()
            .ok_or_else(|| format!("unexpected first line: {first:?}"))?
            .to_owned();
        Ok(Self {
            child,
            addr,
            log,
            _dir: dir,
        })
    }

    /// Posts a JSON-RPC call with [`TRACEPARENT`]; the answer's body.
    fn call(&self, method: &str, params: &str) -> Result<String, Box<dyn Error>> {
        let body = format!(r#"{{"jsonrpc":"2.0","method":"{method}","params":{params},"id":1}}"#);
        let mut stream = TcpStream::connect(&self.addr)?;
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
        write!(
            stream,
            "POST /jsonrpc HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             traceparent: {TRACEPARENT}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer)
    }

    /// Stops the server (SIGTERM) and returns what it logged.
    fn stop(mut self) -> Result<String, Box<dyn Error>> {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()?
                .success()
        );
        let status = self.child.wait()?;
        let logged = std::fs::read_to_string(&self.log)?;
        assert!(status.success(), "{status}:\n{logged}");
        Ok(logged)
    }
}

/// Every line of `logged` as a JSON object.
fn json_lines(logged: &str) -> Result<Vec<Value>, Box<dyn Error>> {
    let mut lines = Vec::new();
    for line in logged.lines().filter(|l| !l.trim().is_empty()) {
        let value: Value =
            serde_json::from_str(line).map_err(|err| format!("not JSON ({err}): {line}"))?;
        for key in ["timestamp", "level", "target"] {
            assert!(value[key].is_string(), "no {key}: {line}");
        }
        assert!(value["fields"].is_object(), "no fields: {line}");
        assert!(value["fields"]["message"].is_string(), "no message: {line}");
        assert_eq!(value["component"], "switchboard", "{line}");
        assert!(value["instance"].is_string(), "no instance: {line}");
        lines.push(value);
    }
    Ok(lines)
}

/// The line whose message is `message` and whose span is the request's.
fn line_of<'a>(lines: &'a [Value], message: &str, logged: &str) -> Result<&'a Value, String> {
    lines
        .iter()
        .find(|l| l["fields"]["message"] == message && l["span"]["name"] == "request")
        .ok_or_else(|| format!("no {message:?} line in a request span:\n{logged}"))
}

#[test]
fn a_failed_call_is_one_json_line_naming_method_transport_and_trace() -> TestResult {
    // Set by the variable: the format follows `--log`'s naming.
    let server = Server::start(&[], &[("SWITCHBOARD_LOG_FORMAT", "json")])?;
    let answer = server.call("sleep", r#"{"seconds":5}"#)?;
    assert!(answer.contains("Server.Timeout"), "{answer}");
    let logged = server.stop()?;
    let lines = json_lines(&logged)?;
    let failed = line_of(&lines, "call failed", &logged)?;
    assert_eq!(failed["level"], "WARN", "{failed}");
    assert_eq!(failed["target"], "switchboard::server::call", "{failed}");
    assert_eq!(failed["fields"]["code"], "Server.Timeout", "{failed}");
    let span = &failed["span"];
    assert_eq!(span["rpc.method"], "demo/sleep", "{failed}");
    assert_eq!(span["transport"], "http", "{failed}");
    assert_eq!(span["protocol"], "jsonrpc", "{failed}");
    assert_eq!(span["trace_id"], TRACE_ID, "{failed}");
    assert!(span["id"].is_u64(), "{failed}");
    assert_eq!(failed["spans"][0]["trace_id"], TRACE_ID, "{failed}");
    Ok(())
}

#[test]
fn an_unknown_method_is_named_as_sent() -> TestResult {
    // A caller's mistake is logged at debug only.
    let server = Server::start(
        &[
            "--log-format",
            "json",
            "--log",
            "info,switchboard::server=debug",
        ],
        &[],
    )?;
    let answer = server.call("no.such_method", "{}")?;
    assert!(answer.contains("Method not found"), "{answer}");
    let logged = server.stop()?;
    let lines = json_lines(&logged)?;
    let failed = line_of(&lines, "call failed", &logged)?;
    assert_eq!(failed["level"], "DEBUG", "{failed}");
    assert_eq!(failed["fields"]["code"], "Client.UnknownMethod", "{failed}");
    assert_eq!(failed["span"]["rpc.method"], "no.such_method", "{failed}");
    assert_eq!(failed["span"]["trace_id"], TRACE_ID, "{failed}");
    Ok(())
}

#[test]
fn text_logs_to_a_file_name_the_call_and_have_no_colour_codes() -> TestResult {
    let server = Server::start(&[], &[])?;
    server.call("sleep", r#"{"seconds":5}"#)?;
    let logged = server.stop()?;
    assert!(
        !logged.contains("\u{1b}["),
        "colour codes in a file: {logged:?}"
    );
    let failed = logged
        .lines()
        .find(|l| l.contains("call failed"))
        .ok_or_else(|| format!("no failed call logged:\n{logged}"))?;
    assert!(failed.starts_with("switchboard["), "{failed}");
    assert!(failed.contains(" WARN "), "{failed}");
    for field in [
        "rpc.method=demo/sleep",
        "transport=http",
        &format!("trace_id={TRACE_ID}"),
        "code=Server.Timeout",
    ] {
        assert!(failed.contains(field), "no {field}: {failed}");
    }
    Ok(())
}

#[test]
fn a_failed_queue_task_is_a_warning_naming_task_method_and_fault() -> TestResult {
    let dir = tempfile::tempdir()?;
    let queue = dir.path().join("q.db");
    let queue = queue.to_str().ok_or("path")?;
    let run = |args: &[&str]| {
        switchboard(dir.path())
            .args(args)
            .stdin(Stdio::null())
            .output()
    };
    let enqueued = run(&["enqueue", "fail", "message=boom", "--queue", queue])?;
    assert!(enqueued.status.success(), "{enqueued:?}");
    let consumed = run(&[
        "--log-format",
        "json",
        "consume",
        "--worker",
        "w",
        "--queue",
        queue,
        "--drain",
        "--services",
        "demo",
    ])?;
    let logged = String::from_utf8(consumed.stderr)?;
    assert!(consumed.status.success(), "{logged}");
    // The drain's progress display is not a log line.
    let lines: Vec<Value> = logged
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    let recorded = lines
        .iter()
        .find(|l| l["fields"]["message"] == "task failed; recorded")
        .ok_or_else(|| format!("no recorded failure:\n{logged}"))?;
    assert_eq!(recorded["level"], "WARN", "{recorded}");
    assert_eq!(recorded["fields"]["task_id"], 1, "{recorded}");
    assert_eq!(recorded["fields"]["method"], "fail", "{recorded}");
    assert_eq!(
        recorded["fields"]["transport"], "sqlite-queue",
        "{recorded}"
    );
    assert_eq!(recorded["fields"]["code"], "Client", "{recorded}");
    Ok(())
}

#[test]
fn an_unknown_log_format_is_a_usage_error() -> TestResult {
    let dir = tempfile::tempdir()?;
    let output = switchboard(dir.path())
        .args(["--log-format", "xml", "interface", "openrpc"])
        .stdin(Stdio::null())
        .output()?;
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("json"), "the values are named: {stderr}");
    Ok(())
}
