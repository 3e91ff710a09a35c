//! What `--help` promises and what the logs look like: every option with a
//! flag names its `SWITCHBOARD_*` variable, `--help` says where settings
//! come from, and logs written to a pipe carry no colour codes.

use std::error::Error;
use std::path::Path;
use std::process::{Command, Output, Stdio};

type TestResult = Result<(), Box<dyn Error>>;

fn run(dir: &Path, args: &[&str]) -> Result<Output, Box<dyn Error>> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command.current_dir(dir).args(args);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SWITCHBOARD_") {
            command.env_remove(name);
        }
    }
    Ok(command.stdin(Stdio::null()).output()?)
}

/// Each option of a `--help` text with the lines that describe it.
fn options(help: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in help.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with('-') && indent <= 6 {
            let flag = trimmed
                .split([' ', ','])
                .find(|w| w.starts_with("--"))
                .unwrap_or(trimmed);
            out.push((flag.to_owned(), format!("{trimmed}\n")));
        } else if let Some((_, text)) = out.last_mut() {
            if trimmed.is_empty() || indent == 0 {
                continue;
            }
            text.push_str(trimmed);
            text.push('\n');
        }
    }
    out
}

/// Flags that are no setting: per-invocation output and clap's own.
const NOT_SETTINGS: &[&str] = &["--help", "--version", "--output", "--all"];

#[test]
fn every_option_names_its_variable() -> TestResult {
    let dir = tempfile::tempdir()?;
    let commands: &[&[&str]] = &[
        &["serve"],
        &["call"],
        &["consume"],
        &["enqueue"],
        &["queue", "status"],
        &["queue", "retry"],
        &["gridmap", "import"],
        &["gridmap", "export"],
        &["interface"],
        &["stats", "get"],
        &["stats", "measure"],
        &["stats", "delete"],
        &["stats", "worker"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let output = run(dir.path(), &args)?;
        assert!(output.status.success(), "{args:?}");
        let help = String::from_utf8(output.stdout)?;
        let options = options(&help);
        assert!(!options.is_empty(), "{args:?}: no options in {help}");
        for (flag, text) in options {
            if NOT_SETTINGS.contains(&flag.as_str()) {
                continue;
            }
            assert!(
                text.contains("[env: SWITCHBOARD_"),
                "{args:?} {flag} has no variable:\n{text}"
            );
        }
    }
    Ok(())
}

#[test]
fn help_says_where_settings_come_from() -> TestResult {
    let dir = tempfile::tempdir()?;
    let help = String::from_utf8(run(dir.path(), &["--help"])?.stdout)?;
    assert!(help.contains(".env file"), "{help}");
    assert!(help.contains("SWITCHBOARD_*"), "{help}");
    assert!(
        help.contains("\n  stats "),
        "the stats tools are listed: {help}"
    );
    // Each command says what it does: `interface` writes the WSDL too,
    // `serve` serves more than HTTP.
    let line = |name: &str| {
        help.lines()
            .find(|l| l.starts_with(&format!("  {name} ")))
            .unwrap_or("")
    };
    assert!(line("interface").contains("WSDL"), "{help}");
    assert!(line("serve").contains("RabbitMQ"), "{help}");
    Ok(())
}

#[test]
fn logs_to_a_pipe_have_no_colour_codes() -> TestResult {
    let dir = tempfile::tempdir()?;
    let queue = dir.path().join("q.db");
    let queue = queue.to_str().ok_or("path")?;
    let enqueued = run(dir.path(), &["enqueue", "echo", "s=hi", "--queue", queue])?;
    assert!(enqueued.status.success(), "{enqueued:?}");
    let consumed = run(
        dir.path(),
        &[
            "--log",
            "info",
            "consume",
            "--worker",
            "w",
            "--queue",
            queue,
            "--drain",
            "--services",
            "demo",
        ],
    )?;
    let stderr = String::from_utf8(consumed.stderr)?;
    assert!(consumed.status.success(), "{stderr}");
    assert!(
        stderr.contains("task done"),
        "each task is logged at info: {stderr}"
    );
    assert!(stderr.contains("method=echo"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "colour codes in a pipe: {stderr:?}"
    );
    Ok(())
}

#[test]
fn a_clean_start_and_stop_logs_nothing_at_warn_or_error() -> TestResult {
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("serve.log");
    for services in ["demo", "demo,gridmap,stats"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .current_dir(dir.path())
            .args(["serve", "--listen", "127.0.0.1:0", "--services", services])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log)?)
            .spawn()?;
        let stdout = child.stdout.take().ok_or("stdout is piped")?;
        let mut banner = std::io::BufRead::lines(std::io::BufReader::new(stdout));
        // The last banner line: every transport is serving.
        let ended = banner.any(|line| line.is_ok_and(|l| l == "Stop with Ctrl-C."));
        assert!(
            ended,
            "serve --services {services} stopped before its banner ended"
        );
        let pid = child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()?
                .success()
        );
        assert!(child.wait()?.success());
        let logged = std::fs::read_to_string(&log)?;
        assert!(logged.contains("INFO"), "{logged}");
        for level in [" WARN ", " ERROR "] {
            assert!(!logged.contains(level), "--services {services}:\n{logged}");
        }
    }
    Ok(())
}
