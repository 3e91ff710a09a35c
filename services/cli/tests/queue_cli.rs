//! The queue commands of the `switchboard` binary end to end: `enqueue`,
//! `consume` and `queue status|failures|retry|gc` as child processes on a
//! queue file in a temporary directory.

use std::error::Error;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

/// What a test returns.
type TestResult = Result<(), Box<dyn Error>>;

/// The binary, run in `dir` with no `SWITCHBOARD_*` setting inherited and
/// logging only warnings.
fn switchboard(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command.current_dir(dir).args(["--log", "warn"]);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SWITCHBOARD_") {
            command.env_remove(name);
        }
    }
    command
}

/// Runs `switchboard ARGS...` in `dir` and collects its output.
fn run(dir: &Path, args: &[&str]) -> Result<Output, Box<dyn Error>> {
    Ok(switchboard(dir).args(args).stdin(Stdio::null()).output()?)
}

/// Standard output as text, after checking the command succeeded.
fn stdout_of(dir: &Path, args: &[&str]) -> Result<String, Box<dyn Error>> {
    let output = run(dir, args)?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{args:?}: {}: {stderr}",
        output.status
    );
    Ok(String::from_utf8(output.stdout)?)
}

/// The whitespace-separated cells of the first line of `text` whose first
/// cell is `key`.
fn row<'a>(text: &'a str, key: &str) -> Option<Vec<&'a str>> {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .find(|cells| cells.first() == Some(&key))
}

/// A child process, killed when dropped if it still runs.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        // Does nothing if the child was already waited for.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `consume --drain` with the demo service, its state in `dir`.
const DRAIN: &[&str] = &[
    "consume",
    "--worker",
    "w1",
    "--services",
    "demo",
    "--db",
    "state.db",
    "--drain",
];

#[test]
fn a_drained_queue_shows_its_consumer_and_failure_and_retries_it() -> TestResult {
    let dir = tempfile::tempdir()?;
    let dir = dir.path();
    for i in 1..=5 {
        let id = stdout_of(dir, &["enqueue", "echo", &format!("s=hello {i}")])?;
        assert_eq!(id.trim(), i.to_string());
    }
    assert_eq!(
        stdout_of(dir, &["enqueue", "fail", "message=boom"])?.trim(),
        "6"
    );
    assert!(
        dir.join("switchboard-queue.db").exists(),
        "the default queue file"
    );

    let drained = run(dir, DRAIN)?;
    let progress = String::from_utf8(drained.stderr)?;
    assert!(drained.status.success(), "{}: {progress}", drained.status);
    assert!(
        progress.contains("drain: 6/6 tasks done, backlog 0"),
        "{progress}"
    );

    let status = stdout_of(dir, &["queue", "status"])?;
    assert_eq!(row(&status, "w1"), Some(vec!["w1", "6", "0"]), "{status}");
    assert_eq!(
        row(&status, "failures:"),
        Some(vec!["failures:", "1"]),
        "{status}"
    );

    let failures = stdout_of(dir, &["queue", "failures"])?;
    let failed = row(&failures, "6").ok_or(failures.clone())?;
    assert_eq!((failed[1], failed[3]), ("w1", "Client"), "{failures}");
    assert_eq!(failed.last(), Some(&"boom"), "{failures}");

    // Task 1 never failed: not enqueued again, unless forced.
    let never = run(dir, &["queue", "retry", "1"])?;
    assert_eq!(never.status.code(), Some(1), "{never:?}");
    let said = String::from_utf8(never.stderr)?;
    assert!(said.contains("task 1 has no recorded failure"), "{said}");
    assert!(said.contains("--force"), "{said}");

    let retried = run(dir, &["queue", "retry", "6"])?;
    assert_eq!(String::from_utf8(retried.stdout)?.trim(), "7");
    let said = String::from_utf8(retried.stderr)?;
    assert!(said.contains("task 6 enqueued again as task 7"), "{said}");
    // The same retry again enqueues nothing and names the first retry.
    let again = run(dir, &["queue", "retry", "6"])?;
    assert_eq!(again.status.code(), Some(1), "{again:?}");
    let said = String::from_utf8(again.stderr)?;
    assert!(said.contains("already retried, as task 7"), "{said}");
    let status = stdout_of(dir, &["queue", "status"])?;
    assert_eq!(row(&status, "w1"), Some(vec!["w1", "6", "1"]), "{status}");
    // Tasks 1-5 were passed; 6 was retried, so it no longer needs keeping.
    assert_eq!(stdout_of(dir, &["queue", "gc"])?.trim(), "deleted 6 tasks");
    let status = stdout_of(dir, &["queue", "status"])?;
    assert_eq!(
        row(&status, "tasks"),
        Some(vec!["tasks", "stored:", "1"]),
        "{status}"
    );
    Ok(())
}

#[test]
fn json_rpc_notifications_run_on_a_json_rpc_consumer() -> TestResult {
    let dir = tempfile::tempdir()?;
    let dir = dir.path();
    let queue = ["--queue", "rpc.db", "--protocol", "jsonrpc"];
    stdout_of(
        dir,
        &[&["enqueue", "echo", "s=hi"][..], &queue[..]].concat(),
    )?;
    stdout_of(
        dir,
        &[&["enqueue", "sum", "a=1", "b=2"][..], &queue[..]].concat(),
    )?;
    stdout_of(dir, &[DRAIN, &queue[..]].concat())?;
    let status = stdout_of(dir, &["queue", "status", "--queue", "rpc.db"])?;
    assert_eq!(row(&status, "w1"), Some(vec!["w1", "2", "0"]), "{status}");
    assert_eq!(
        row(&status, "failures:"),
        Some(vec!["failures:", "0"]),
        "{status}"
    );
    Ok(())
}

#[test]
fn queue_commands_on_a_missing_file_say_how_to_create_it() -> TestResult {
    let dir = tempfile::tempdir()?;
    for args in [
        &["queue", "status"][..],
        &["queue", "failures"],
        &["queue", "retry", "1"],
        &["queue", "gc"],
    ] {
        let output = run(dir.path(), args)?;
        let stderr = String::from_utf8(output.stderr)?;
        assert_eq!(output.status.code(), Some(4), "a missing file: {args:?}");
        assert!(
            stderr.contains("no queue file at switchboard-queue.db")
                && stderr.contains("switchboard enqueue"),
            "{args:?}: {stderr}"
        );
    }
    assert!(!dir.path().join("switchboard-queue.db").exists());
    Ok(())
}

#[test]
fn retrying_an_unknown_task_fails_clearly() -> TestResult {
    let dir = tempfile::tempdir()?;
    stdout_of(dir.path(), &["enqueue", "echo", "s=x"])?;
    let output = run(dir.path(), &["queue", "retry", "99"])?;
    let stderr = String::from_utf8(output.stderr)?;
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot retry task 99: no task 99 in the queue"),
        "{stderr}"
    );
    Ok(())
}

#[test]
fn consume_stops_cleanly_on_sigterm() -> TestResult {
    let dir = tempfile::tempdir()?;
    let child = switchboard(dir.path())
        .args([
            "consume",
            "--worker",
            "w",
            "--services",
            "demo",
            "--db",
            "s.db",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut running = Running(child);
    // The first line comes after the signal handlers are installed.
    let mut first = String::new();
    // The reader stays open until the child exits, as a terminal would.
    let mut stdout = BufReader::new(running.0.stdout.take().ok_or("stdout is piped")?);
    stdout.read_line(&mut first)?;
    assert!(first.starts_with("switchboard consuming"), "{first:?}");
    let pid = running.0.id().to_string();
    let kill = Command::new("kill").args(["-TERM", &pid]).status()?;
    assert!(kill.success(), "kill -TERM {pid}: {kill}");
    let status = running.0.wait()?;
    assert!(status.success(), "{status}");
    Ok(())
}

#[test]
fn consume_help_explains_the_worker() -> TestResult {
    let dir = tempfile::tempdir()?;
    let help = stdout_of(dir.path(), &["consume", "--help"])?;
    for expected in ["--worker", "--queue", "--drain", "--group", "SIGTERM"] {
        assert!(help.contains(expected), "{expected} missing from:\n{help}");
    }
    Ok(())
}

#[test]
fn the_failure_flags_halt_before_a_failing_task_or_retry_it() -> TestResult {
    let dir = tempfile::tempdir()?;
    let dir = dir.path();
    stdout_of(dir, &["enqueue", "echo", "s=one"])?;
    stdout_of(dir, &["enqueue", "fail", "message=boom"])?;
    stdout_of(dir, &["enqueue", "echo", "s=three"])?;

    let halted = run(dir, &[DRAIN, &["--on-failure", "halt"]].concat())?;
    let stderr = String::from_utf8(halted.stderr)?;
    assert_eq!(halted.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("halted at task 2"), "{stderr}");
    let status = stdout_of(dir, &["queue", "status"])?;
    assert_eq!(row(&status, "w1"), Some(vec!["w1", "1", "2"]), "{status}");

    let retry = [
        "consume",
        "--worker",
        "w2",
        "--services",
        "demo",
        "--db",
        "state.db",
        "--drain",
        "--on-failure",
        "retry",
        "--attempts",
        "2",
        "--backoff",
        "1",
    ];
    stdout_of(dir, &retry)?;
    let failures = stdout_of(dir, &["queue", "failures"])?;
    let by_worker: Vec<(&str, &str, &str)> = failures
        .lines()
        .skip(1)
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter_map(|cells| Some((*cells.first()?, *cells.get(1)?, *cells.get(4)?)))
        .collect();
    assert_eq!(
        by_worker,
        [("2", "w1", "1"), ("2", "w2", "2")],
        "halted after one run; retried once: {failures}"
    );
    let status = stdout_of(dir, &["queue", "status"])?;
    assert_eq!(row(&status, "w2"), Some(vec!["w2", "3", "0"]), "{status}");
    Ok(())
}

#[test]
fn durations_take_a_unit_and_bare_numbers_keep_the_flags_own() -> TestResult {
    let dir = tempfile::tempdir()?;
    let dir = dir.path();
    stdout_of(dir, &["enqueue", "echo", "s=fresh", "--ttl", "2m"])?;
    stdout_of(dir, &["enqueue", "echo", "s=late", "--ttl", "0"])?;
    stdout_of(dir, &["enqueue", "echo", "s=bare", "--ttl", "3600"])?;
    let durations = [
        "--poll-max",
        "50ms",
        "--lease",
        "1.5s",
        "--backoff",
        "1",
        "--on-failure",
        "retry",
    ];
    stdout_of(dir, &[DRAIN, &durations[..]].concat())?;
    let failures = stdout_of(dir, &["queue", "failures"])?;
    let expired = row(&failures, "2").ok_or(failures.clone())?;
    assert_eq!(expired[3], "Client.Expired", "{failures}");
    assert_eq!(
        failures.lines().count(),
        2,
        "only the task with --ttl 0: {failures}"
    );
    Ok(())
}

#[test]
fn a_group_member_drains_the_groups_backlog() -> TestResult {
    let dir = tempfile::tempdir()?;
    let dir = dir.path();
    for i in 1..=4 {
        stdout_of(dir, &["enqueue", "echo", &format!("s=hello {i}")])?;
    }
    let member = [DRAIN, &["--group", "g"]].concat();
    let drained = run(dir, &member)?;
    let progress = String::from_utf8(drained.stderr)?;
    assert!(drained.status.success(), "{}: {progress}", drained.status);
    assert!(
        progress.contains("drain: 4/4 tasks done, backlog 0"),
        "{progress}"
    );
    let status = stdout_of(dir, &["queue", "status"])?;
    assert_eq!(
        row(&status, "g"),
        Some(vec!["g", "4", "0", "0"]),
        "{status}"
    );
    Ok(())
}

#[test]
fn enqueue_checks_the_call_before_writing_it() -> TestResult {
    let dir = tempfile::tempdir()?;
    let dir = dir.path();
    let refused: &[(&[&str], &str)] = &[
        (
            &["enqueue", "no_such_method"],
            "unknown method `no_such_method`",
        ),
        (&["enqueue", "echo"], "missing field `s`"),
        (
            &["enqueue", "echo", "s=1"],
            "invalid type: integer `1`, expected a string",
        ),
        (
            &["enqueue", "echo", "s=x", "extra=1"],
            "unknown field `extra`",
        ),
        (
            &["enqueue", "sleep", "seconds=-1"],
            "`sleep` would refuse the call",
        ),
    ];
    for (args, said) in refused {
        let output = run(dir, args)?;
        let stderr = String::from_utf8(output.stderr)?;
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(said), "{args:?}: {stderr}");
    }
    assert!(
        !dir.join("switchboard-queue.db").exists(),
        "nothing was written, not even the file"
    );
    // For a queue served by another program, the check is skipped.
    let id = stdout_of(dir, &["enqueue", "no_such_method", "--no-check"])?;
    assert_eq!(id.trim(), "1");
    Ok(())
}

#[test]
fn status_and_failures_print_json_for_scripts() -> TestResult {
    let dir = tempfile::tempdir()?;
    let dir = dir.path();
    stdout_of(dir, &["enqueue", "echo", "s=hi"])?;
    stdout_of(dir, &["enqueue", "fail", "message=boom"])?;
    let drained = run(dir, DRAIN)?;
    assert!(drained.status.success(), "{drained:?}");

    let status: serde_json::Value =
        serde_json::from_str(&stdout_of(dir, &["queue", "status", "--json"])?)?;
    assert_eq!(status["tasks"], 2, "{status}");
    assert_eq!(status["last_task_id"], 2, "{status}");
    assert_eq!(status["failures"], 1, "{status}");
    assert_eq!(
        status["consumers"],
        serde_json::json!([{"worker_id": "w1", "checkpoint": 2, "lag": 0}])
    );

    let failures: serde_json::Value =
        serde_json::from_str(&stdout_of(dir, &["queue", "failures", "--json"])?)?;
    let failure = &failures[0];
    assert_eq!(failure["task_id"], 2, "{failures}");
    assert_eq!(failure["faultcode"], "Client", "{failures}");
    assert_eq!(failure["faultstring"], "boom", "{failures}");
    assert_eq!(failure["retried_as"], serde_json::Value::Null, "{failures}");
    Ok(())
}

#[test]
fn the_queue_file_goes_before_or_after_the_operation() -> TestResult {
    let dir = tempfile::tempdir()?;
    let dir = dir.path();
    let file = dir.join("other.db");
    let file = file.to_str().ok_or("path")?;
    stdout_of(dir, &["enqueue", "echo", "s=hi", "--queue", file])?;
    for args in [
        ["queue", "--queue", file, "status"],
        ["queue", "status", "--queue", file],
    ] {
        let status = stdout_of(dir, &args)?;
        assert_eq!(
            row(&status, "last"),
            Some(vec!["last", "task", "id:", "1"]),
            "{args:?}: {status}"
        );
    }
    Ok(())
}

#[test]
fn queue_skip_passes_a_task_a_consumer_halted_on() -> TestResult {
    let dir = tempfile::tempdir()?;
    let dir = dir.path();
    stdout_of(dir, &["enqueue", "echo", "s=one"])?;
    stdout_of(dir, &["enqueue", "fail", "message=boom"])?;
    stdout_of(dir, &["enqueue", "echo", "s=three"])?;
    let halt = [DRAIN, &["--on-failure", "halt"]].concat();
    assert_eq!(run(dir, &halt)?.status.code(), Some(1), "halts at task 2");
    // Restarted, it meets the task again.
    assert_eq!(
        run(dir, &halt)?.status.code(),
        Some(1),
        "halts at task 2 again"
    );

    let wrong = run(dir, &["queue", "skip", "3", "--worker", "w1"])?;
    assert_eq!(wrong.status.code(), Some(1), "{wrong:?}");
    let said = String::from_utf8(wrong.stderr)?;
    assert!(
        said.contains("task 3 is not the next task of consumer `w1` (its checkpoint is 1)"),
        "{said}"
    );
    let skipped = stdout_of(dir, &["queue", "skip", "2", "--worker", "w1"])?;
    assert_eq!(skipped.trim(), "task 2 passed for consumer w1");

    let resumed = run(dir, &halt)?;
    assert!(resumed.status.success(), "{resumed:?}");
    let status = stdout_of(dir, &["queue", "status"])?;
    assert_eq!(row(&status, "w1"), Some(vec!["w1", "3", "0"]), "{status}");
    let failures = stdout_of(dir, &["queue", "failures"])?;
    assert!(
        row(&failures, "2").is_some(),
        "the failure stays recorded: {failures}"
    );

    // A group member halted on a task: the group skips it.
    let member = [DRAIN, &["--group", "g", "--on-failure", "halt"]].concat();
    assert_eq!(
        run(dir, &member)?.status.code(),
        Some(1),
        "the member halts at task 2"
    );
    let never_claimed = run(dir, &["queue", "skip", "3", "--group", "g"])?;
    assert_eq!(never_claimed.status.code(), Some(1), "{never_claimed:?}");
    stdout_of(dir, &["queue", "skip", "2", "--group", "g"])?;
    let resumed = run(dir, &member)?;
    assert!(resumed.status.success(), "{resumed:?}");
    let status = stdout_of(dir, &["queue", "status"])?;
    assert_eq!(
        row(&status, "g"),
        Some(vec!["g", "3", "0", "0"]),
        "{status}"
    );
    Ok(())
}

#[test]
fn a_task_in_another_protocol_is_recorded_as_such() -> TestResult {
    let dir = tempfile::tempdir()?;
    let dir = dir.path();
    stdout_of(dir, &["enqueue", "--protocol", "jsonrpc", "echo", "s=hi"])?;
    let drained = run(dir, DRAIN)?; // reads the JSON document
    assert!(drained.status.success(), "{drained:?}");
    let failures: serde_json::Value =
        serde_json::from_str(&stdout_of(dir, &["queue", "failures", "--json"])?)?;
    let failure = &failures[0];
    assert_eq!(
        failure["faultcode"], "Client.UnsupportedMediaType",
        "{failures}"
    );
    let message = failure["faultstring"].as_str().unwrap_or_default();
    for said in [
        "in protocol `jsonrpc`",
        "in protocol `json`",
        "must use the same protocol",
    ] {
        assert!(message.contains(said), "{said}: {message}");
    }
    Ok(())
}

/// Starts `serve --on ADDRESS...` (no HTTP) in `dir` and waits for the end
/// of its banner: every consumer is running.
fn serve_on(dir: &Path, addresses: &[&str]) -> Result<Running, Box<dyn Error>> {
    let mut command = switchboard(dir);
    command.args(["serve", "--services", "demo", "--db", "s.db"]);
    for address in addresses {
        command.args(["--on", address]);
    }
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut running = Running(child);
    let stdout = running.0.stdout.take().ok_or("stdout is piped")?;
    let mut lines = BufReader::new(stdout).lines();
    let ended = lines.any(|line| line.is_ok_and(|l| l == "Stop with Ctrl-C."));
    assert!(ended, "serve {addresses:?} stopped before its banner ended");
    Ok(running)
}

/// Waits until the queue in `dir` has no backlog for anyone, then returns
/// its status.
fn settled(dir: &Path) -> Result<serde_json::Value, Box<dyn Error>> {
    for _ in 0..400 {
        let status: serde_json::Value =
            serde_json::from_str(&stdout_of(dir, &["queue", "status", "--json"])?)?;
        let lags = status["consumers"]
            .as_array()
            .into_iter()
            .chain(status["groups"].as_array())
            .flatten()
            .map(|c| c["lag"].as_u64());
        if lags.clone().count() > 0 && lags.into_iter().all(|lag| lag == Some(0)) {
            return Ok(status);
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    Err("the queue did not settle".into())
}

/// Stops a `serve` with SIGTERM and checks it exits 0.
fn terminate(mut running: Running) -> TestResult {
    let pid = running.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()?
            .success()
    );
    assert!(running.0.wait()?.success());
    Ok(())
}

#[test]
fn serve_on_a_queue_file_keeps_checkpoints_across_restarts() -> TestResult {
    let dir = tempfile::tempdir()?;
    let dir = dir.path();
    let on = "sqlite:switchboard-queue.db?worker=w1";
    for message in ["a", "b"] {
        stdout_of(dir, &["enqueue", "fail", &format!("message={message}")])?;
    }
    let serving = serve_on(dir, &[on])?;
    assert_eq!(settled(dir)?["consumers"][0]["checkpoint"], 2);
    terminate(serving)?;
    stdout_of(dir, &["enqueue", "fail", "message=c"])?;
    let serving = serve_on(dir, &[on])?;
    let status = settled(dir)?;
    terminate(serving)?;
    // Resumed after its checkpoint: each task ran (and failed) once.
    assert_eq!(status["consumers"][0]["checkpoint"], 3, "{status}");
    assert_eq!(status["failures"], 3, "{status}");
    Ok(())
}

#[test]
fn serve_on_a_queue_file_group_shares_the_tasks() -> TestResult {
    let dir = tempfile::tempdir()?;
    let dir = dir.path();
    let serving = serve_on(
        dir,
        &[
            "sqlite:switchboard-queue.db?worker=a&group=g",
            "sqlite:switchboard-queue.db?worker=b&group=g",
        ],
    )?;
    for i in 0..10 {
        stdout_of(dir, &["enqueue", "fail", &format!("message=m{i}")])?;
    }
    let status = settled(dir)?;
    terminate(serving)?;
    // Each task to one member: ten failures, not twenty.
    assert_eq!(status["failures"], 10, "{status}");
    let failures: serde_json::Value =
        serde_json::from_str(&stdout_of(dir, &["queue", "failures", "--json"])?)?;
    let mut tasks: Vec<u64> = failures
        .as_array()
        .ok_or("a list")?
        .iter()
        .filter_map(|f| f["task_id"].as_u64())
        .collect();
    tasks.sort_unstable();
    assert_eq!(tasks, (1..=10).collect::<Vec<_>>(), "{failures}");
    Ok(())
}

/// `GET path` on `addr` (HTTP/1.1, the connection closed after): the
/// status code and the body.
fn http_get(addr: &str, path: &str) -> Result<(u16, String), Box<dyn Error>> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response.split_once("\r\n\r\n").ok_or("no HTTP head")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or("no status code")?;
    Ok((status, body.to_owned()))
}

/// The value of the first series of `metric` on `page` whose labels
/// include every `k="v"` of `labels`.
fn series(page: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    page.lines()
        .filter(|line| line.starts_with(&format!("{metric}{{")))
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit_once(' '))
        .and_then(|(_, value)| value.parse().ok())
}

/// Polls `GET /metrics` on `addr` until `done` holds for the page (5 s at
/// most), and returns it.
fn metrics_until(addr: &str, done: impl Fn(&str) -> bool) -> Result<String, Box<dyn Error>> {
    let mut page = String::new();
    for _ in 0..200 {
        page = http_get(addr, "/metrics")?.1;
        if done(&page) {
            return Ok(page);
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    Err(format!("the metrics never got there:\n{page}").into())
}

/// Starts `switchboard ARGS... --metrics-listen 127.0.0.1:0` in `dir` and
/// returns it with the address its metrics listener took (its first line).
fn with_metrics_listener(dir: &Path, args: &[&str]) -> Result<(Running, String), Box<dyn Error>> {
    let child = switchboard(dir)
        .args(args)
        .args(["--metrics-listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut running = Running(child);
    let stdout = running.0.stdout.take().ok_or("stdout is piped")?;
    let mut first = String::new();
    let mut reader = BufReader::new(stdout);
    reader.read_line(&mut first)?;
    // Read on (and dropped) meanwhile, so that the child never blocks on
    // a full pipe.
    std::thread::spawn(move || reader.lines().for_each(drop));
    let addr = first
        .trim()
        .strip_prefix("metrics listening on http://")
        .and_then(|rest| rest.strip_suffix("/metrics"))
        .ok_or_else(|| format!("not the listener's line: {first:?}"))?
        .to_owned();
    Ok((running, addr))
}

#[test]
fn consume_exports_every_consumers_lag_and_its_readiness() -> TestResult {
    let dir = tempfile::tempdir()?;
    let dir = dir.path();
    // w2 registers, then stops: its lag is exported by w1's process.
    let w2_drain = [
        "consume",
        "--worker",
        "w2",
        "--services",
        "demo",
        "--db",
        "s.db",
        "--drain",
    ];
    let drained = run(dir, &w2_drain)?;
    assert!(drained.status.success(), "{drained:?}");
    for i in 1..=3 {
        stdout_of(dir, &["enqueue", "echo", &format!("s=hello {i}")])?;
    }
    let consume = [
        "consume",
        "--worker",
        "w1",
        "--services",
        "demo",
        "--db",
        "s.db",
    ];
    let (running, addr) = with_metrics_listener(dir, &consume)?;
    let lag = "switchboard_queue_consumer_lag_tasks";
    let (w1, w2) = ("consumer=\"w1\"", "consumer=\"w2\"");
    let page = metrics_until(&addr, |page| series(page, lag, &[w1]) == Some(0.0))?;
    assert_eq!(series(&page, lag, &[w2]), Some(3.0), "{page}");
    assert_eq!(
        series(&page, "switchboard_queue_depth", &[]),
        Some(3.0),
        "{page}"
    );
    assert_eq!(
        series(&page, "switchboard_queue_enqueued_total", &[]),
        Some(3.0),
        "{page}"
    );
    assert_eq!(
        series(&page, "switchboard_queue_pickup_seconds_count", &[w1]),
        Some(3.0),
        "{page}"
    );

    let (status, body) = http_get(&addr, "/readyz")?;
    assert_eq!(status, 200, "{body}");
    let report: serde_json::Value = serde_json::from_str(&body)?;
    let name = report["checks"][0]["name"].as_str().unwrap_or_default();
    assert!(
        name.starts_with("sqlite /") && name.ends_with("switchboard-queue.db worker w1"),
        "{report}"
    );

    // w2 catches up: its lag is 0 at the next scrape.
    let drained = run(dir, &w2_drain)?;
    assert!(drained.status.success(), "{drained:?}");
    let page = http_get(&addr, "/metrics")?.1;
    assert_eq!(series(&page, lag, &[w2]), Some(0.0), "{page}");
    assert_eq!(
        series(&page, "switchboard_queue_depth", &[]),
        Some(0.0),
        "{page}"
    );
    terminate(running)
}

#[test]
fn serve_on_a_queue_file_is_ready_once_its_consumer_runs() -> TestResult {
    let dir = tempfile::tempdir()?;
    let dir = dir.path();
    let serve = [
        "serve",
        "--services",
        "demo",
        "--db",
        "s.db",
        "--on",
        "sqlite:switchboard-queue.db?worker=w1",
    ];
    let (running, addr) = with_metrics_listener(dir, &serve)?;
    let mut answer = (0, String::new());
    for _ in 0..200 {
        answer = http_get(&addr, "/readyz")?;
        if answer.0 == 200 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let (status, body) = answer;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("switchboard-queue.db worker w1"), "{body}");
    let page = http_get(&addr, "/metrics")?.1;
    assert_eq!(
        series(
            &page,
            "switchboard_queue_consumer_checkpoint",
            &["consumer=\"w1\""]
        ),
        Some(0.0),
        "{page}"
    );
    terminate(running)
}
