//! The `switchboard` binary's exit codes end to end, where no server is
//! needed: usage errors (2) for every duration flag, `name=value` and
//! catalog name, as clap reports them and never as a panic; a server that
//! cannot be reached or does not answer in time (3); the table in `--help`.

use std::error::Error;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};

// Links the shipped services, protocols and transports, whose names the
// expected messages list.
use switchboard_cli as _;

/// The names of `entries` as clap lists them in an error.
fn names<'a>(entries: impl Iterator<Item = &'a str>) -> String {
    entries.collect::<Vec<_>>().join(", ")
}

/// What a test returns.
type TestResult = Result<(), Box<dyn Error>>;

/// Runs the binary with `args` in `dir`, with no `SWITCHBOARD_*` setting
/// inherited, and collects its output.
fn run(dir: &Path, args: &[&str]) -> Result<Output, Box<dyn Error>> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command.current_dir(dir).args(["--log", "warn"]).args(args);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SWITCHBOARD_") {
            command.env_remove(name);
        }
    }
    Ok(command.stdin(Stdio::null()).output()?)
}

/// Runs `args` and checks the exit code is `code` and that nothing
/// panicked; returns standard error.
fn exits_with(dir: &Path, args: &[&str], code: i32) -> Result<String, Box<dyn Error>> {
    let output = run(dir, args)?;
    let stderr = String::from_utf8(output.stderr)?;
    assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    Ok(stderr)
}

/// `serve` that fails at once (exit 4) if its flags parse: its state
/// cannot be opened. A test expecting a usage error then fails instead of
/// waiting on a server.
const SERVE: &[&str] = &[
    "serve",
    "--listen",
    "127.0.0.1:0",
    "--db",
    "/nonexistent/x.db",
];
/// `consume` likewise.
const CONSUME: &[&str] = &["consume", "--worker", "w", "--db", "/nonexistent/x.db"];
/// `call` that fails at once (exit 3) if its flags parse.
const CALL: &[&str] = &["call", "echo", "s=x", "--url", "http://127.0.0.1:1"];

/// Every duration flag, with the rest of a command line that would
/// otherwise be valid.
const DURATION_FLAGS: [(&[&str], &str); 6] = [
    (SERVE, "--request-timeout"),
    (CALL, "--timeout"),
    (&["enqueue", "echo", "s=x"], "--ttl"),
    (CONSUME, "--lease"),
    (CONSUME, "--poll-max"),
    (CONSUME, "--backoff"),
];

#[test]
fn call_with_a_nan_timeout_is_a_usage_error_not_a_panic() -> TestResult {
    let dir = tempfile::tempdir()?;
    let stderr = exits_with(dir.path(), &[CALL, &["--timeout", "NaN"]].concat(), 2)?;
    assert!(stderr.contains("--timeout"), "{stderr}");
    assert!(
        stderr.contains("500ms, 1.5s, 2m, 1h"),
        "says what is accepted: {stderr}"
    );
    Ok(())
}

#[test]
fn every_duration_flag_refuses_what_is_not_a_duration() -> TestResult {
    let dir = tempfile::tempdir()?;
    for (command, flag) in DURATION_FLAGS {
        for bad in ["NaN", "inf", "-1", "-2s", "abc", "5 parsecs", "", "1e300"] {
            let args = [command, &[flag, bad]].concat();
            let stderr = exits_with(dir.path(), &args, 2)?;
            assert!(stderr.contains(flag), "{args:?}: {stderr}");
        }
    }
    // Nothing ran: no queue, no state, no server.
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 0);
    Ok(())
}

#[test]
fn flags_that_need_more_than_zero_refuse_zero() -> TestResult {
    let dir = tempfile::tempdir()?;
    for (command, flag, value) in [
        (SERVE, "--request-timeout", "0"),
        (CONSUME, "--lease", "0s"),
        (CONSUME, "--poll-max", "0"),
        (CONSUME, "--poll-max", "0.5ms"),
    ] {
        let args = [command, &[flag, value]].concat();
        exits_with(dir.path(), &args, 2)?;
    }
    Ok(())
}

#[test]
fn a_bad_name_value_is_a_usage_error_for_call_and_enqueue() -> TestResult {
    let dir = tempfile::tempdir()?;
    for command in [CALL, &["enqueue", "echo", "s=x"]] {
        for bad in ["novalue", "=1"] {
            let stderr = exits_with(dir.path(), &[command, &[bad]].concat(), 2)?;
            assert!(stderr.contains(bad), "{command:?} {bad}: {stderr}");
        }
        let no_method = [&[command[0], ""][..], &command[2..]].concat();
        let stderr = exits_with(dir.path(), &no_method, 2)?;
        assert!(stderr.contains("<METHOD>"), "{no_method:?}: {stderr}");
    }
    assert!(!dir.path().join("switchboard-queue.db").exists());
    Ok(())
}

#[test]
fn unknown_names_are_usage_errors_listing_the_known_ones() -> TestResult {
    let dir = tempfile::tempdir()?;
    for (args, known) in [
        (
            &["--protocols", "jsonrpc,nope"][..],
            names(switchboard::catalog::protocols().iter().map(|p| p.name())),
        ),
        (
            &["--services", "demo,nope"],
            names(switchboard::services().into_iter()),
        ),
        (
            &["--transport", "nope"],
            names(["http", "amqp"].into_iter()),
        ),
    ] {
        let stderr = exits_with(dir.path(), &[SERVE, args].concat(), 2)?;
        let listed = format!("[possible values: {known}]");
        assert!(stderr.contains(&listed), "{args:?}: {stderr}");
    }
    // REST has no client: call, enqueue and consume refuse it.
    let callable = names(
        switchboard::catalog::protocols()
            .iter()
            .filter(|p| p.is_callable())
            .map(|p| p.name()),
    );
    assert!(!callable.contains("rest"), "{callable}");
    for command in [CALL, &["enqueue", "echo", "s=x"], CONSUME] {
        let args = [command, &["--protocol", "rest"]].concat();
        let stderr = exits_with(dir.path(), &args, 2)?;
        let listed = format!("[possible values: {callable}]");
        assert!(stderr.contains(&listed), "{args:?}: {stderr}");
    }
    exits_with(
        dir.path(),
        &[SERVE, &["--auth-basic", "nocolon"]].concat(),
        2,
    )?;
    Ok(())
}

#[test]
fn a_server_nobody_listens_on_is_unreachable() -> TestResult {
    let dir = tempfile::tempdir()?;
    // A port that was free a moment ago, and is again once this is dropped.
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let url = format!("http://127.0.0.1:{port}");
    let stderr = exits_with(dir.path(), &["call", "echo", "s=x", "--url", &url], 3)?;
    assert!(stderr.starts_with("error: the call failed"), "{stderr}");
    let stderr = exits_with(dir.path(), &["gridmap", "export", "m", "--url", &url], 3)?;
    assert!(stderr.starts_with("error: cannot export `m`"), "{stderr}");
    Ok(())
}

#[test]
fn a_server_that_does_not_answer_in_time_is_unreachable() -> TestResult {
    let dir = tempfile::tempdir()?;
    // Connections wait in the listener's backlog; none is ever answered.
    let silent = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", silent.local_addr()?);
    let args = ["call", "echo", "s=x", "--url", &url, "--timeout", "200ms"];
    let stderr = exits_with(dir.path(), &args, 3)?;
    assert!(stderr.contains("no reply before the deadline"), "{stderr}");
    Ok(())
}

#[test]
fn help_shows_the_exit_codes_and_defaults_that_can_be_typed_back() -> TestResult {
    let dir = tempfile::tempdir()?;
    let help = String::from_utf8(run(dir.path(), &["--help"])?.stdout)?;
    for line in [
        "Exit status:",
        "  0  success",
        "  1  the operation failed",
        "  2  usage error",
        "  3  the server or queue could not be reached",
        "  4  a local resource failed",
    ] {
        assert!(help.contains(line), "{line:?} missing from:\n{help}");
    }
    let serve = String::from_utf8(run(dir.path(), &["serve", "--help"])?.stdout)?;
    // Defaults as they are typed: comma-separated, the whole catalog.
    let services = switchboard::services().join(",");
    let protocols: Vec<&str> = switchboard::catalog::protocols()
        .iter()
        .map(|p| p.name())
        .collect();
    let protocols = protocols.join(",");
    assert!(services.contains(',') && protocols.contains(','));
    for expected in [
        &format!("[default: {services}]"),
        &format!("[default: {protocols}]"),
        "[default: http]",
        "--transport",
        "jsonrpc: JSON-RPC 2.0",
    ] {
        assert!(
            serve.contains(expected),
            "{expected:?} missing from:\n{serve}"
        );
    }
    let consume = String::from_utf8(run(dir.path(), &["consume", "--help"])?.stdout)?;
    assert!(consume.contains("--poll-max <MS>"), "{consume}");
    assert!(
        consume.contains("milliseconds, or a number with a unit"),
        "{consume}"
    );
    Ok(())
}
