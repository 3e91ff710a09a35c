//! The `switchboard` binary end to end: `serve` as a child process on
//! 127.0.0.1:0 with its database in a temporary directory, driven by
//! `gridmap import`, `gridmap export` and `call`, then stopped by SIGTERM.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{Served, TestResult, stdout_of, switchboard};

/// The course's Fancy Map, reshaped into rows (shared fixture).
const FANCY: &str = include_str!("../../../examples/maps/fancy-map.txt");

#[test]
fn an_imported_map_file_exports_as_the_same_text() -> TestResult {
    let served = Served::start()?;
    let file = served.dir.path().join("fancy.map");
    std::fs::write(&file, FANCY)?;
    let file = file.to_str().ok_or("a UTF-8 temporary path")?;
    let imported = stdout_of(&served.run(&["gridmap", "import", file])?)?;
    assert_eq!(imported, format!("{file} -> fancy-map\n"));
    let exported = stdout_of(&served.run(&["gridmap", "export", "fancy-map"])?)?;
    assert_eq!(exported, FANCY);
    let status = served.terminate()?;
    assert!(status.success(), "serve exited with {status}");
    Ok(())
}

#[test]
fn call_prints_results_and_reports_faults() -> TestResult {
    let served = Served::start()?;
    let args = ["call", "subtract", "minuend=42", "subtrahend=23"];
    assert_eq!(stdout_of(&served.run(&args)?)?, "19\n");
    for protocol in ["jsonrpc", "json"] {
        let args = ["call", "--protocol", protocol, "get_map", "slug=nowhere"];
        let missing = served.run(&args)?;
        let stderr = String::from_utf8_lossy(&missing.stderr);
        assert_eq!(
            missing.status.code(),
            Some(1),
            "a fault is exit 1: {stderr}"
        );
        assert_eq!(stderr, "Client.NotFound: no map `nowhere`\n");
        assert!(missing.stdout.is_empty(), "a fault prints no result");
    }
    let status = served.terminate()?;
    assert!(status.success(), "serve exited with {status}");
    Ok(())
}

#[test]
fn serve_help_mentions_listen() -> TestResult {
    let dir = tempfile::tempdir()?;
    let help = switchboard(dir.path()).args(["serve", "--help"]).output()?;
    let text = stdout_of(&help)?;
    assert!(text.contains("--listen"), "{text}");
    Ok(())
}

#[test]
fn serve_stops_cleanly_on_sigterm_right_after_its_banner() -> TestResult {
    // Once the banner says the server listens, SIGTERM must be a graceful
    // stop, never the signal's default action. A shell reacts to the first
    // line within microseconds (a `kill` process takes milliseconds); the
    // window is short, so the test tries many times.
    let script = r#"read -r banner; kill -TERM "$1"; cat >/dev/null"#;
    for attempt in 0..40 {
        let mut served = Served::spawn()?;
        let stdout = served.child.stdout.take().ok_or("stdout is piped")?;
        let pid = served.child.id().to_string();
        let shell = Command::new("sh")
            .args(["-c", script, "sh", &pid])
            .stdin(stdout)
            .status()?;
        assert!(shell.success(), "the shell failed: {shell}");
        let status = served.child.wait()?;
        assert!(
            status.success(),
            "attempt {attempt}: serve exited with {status}"
        );
    }
    Ok(())
}

/// The README's map transcript, from its `gridmap import` on (import,
/// `export --all`, an edit, a dry run), run as printed (with `--url`
/// added) in a directory holding a copy of `examples/maps`, prints what the
/// README shows.
#[test]
fn the_readme_map_transcript_runs_as_printed() -> TestResult {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md"))?;
    let steps = transcript(&readme, "$ switchboard gridmap import");
    assert!(steps.len() >= 2, "the README shows a map import: {steps:?}");

    let served = Served::start()?;
    let maps = served.dir.path().join("examples/maps");
    std::fs::create_dir_all(&maps)?;
    for name in ["fancy-map.txt", "watchtower.txt"] {
        std::fs::copy(root.join("examples/maps").join(name), maps.join(name))?;
    }
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_switchboard"))
        .parent()
        .ok_or("bin dir")?;
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (command, expected) in steps {
        let mut script = command.trim_start_matches("$ ").to_owned();
        if script.starts_with("switchboard ") {
            script = format!("{script} --url {}", served.url);
        }
        let output = Command::new("sh")
            .args(["-c", &script])
            .current_dir(served.dir.path())
            .env("PATH", &path)
            .stdin(Stdio::null())
            .output()?;
        let printed = stdout_of(&output)?;
        assert_eq!(printed.lines().collect::<Vec<_>>(), expected, "{script}");
    }
    Ok(())
}

/// The commands of the text block holding the line starting with `first`,
/// from that line to the block's end, each with the lines it prints.
fn transcript<'a>(text: &'a str, first: &str) -> Vec<(&'a str, Vec<&'a str>)> {
    let lines = text.lines().skip_while(|l| !l.starts_with(first));
    let mut steps: Vec<(&str, Vec<&str>)> = Vec::new();
    for line in lines.take_while(|l| !l.starts_with("```")) {
        match steps.last_mut() {
            Some((_, printed)) if !line.starts_with('$') => printed.push(line),
            _ => steps.push((line, Vec::new())),
        }
    }
    steps
}

/// `--fault-statuses always` gives JSON-RPC faults their HTTP status; by
/// default they are answered 200, as JSON-RPC clients expect.
#[test]
fn fault_statuses_can_map_every_fault_to_its_status() -> TestResult {
    let body = r#"{"jsonrpc":"2.0","method":"nope","id":1}"#;
    for (extra, expected) in [
        (&[][..], "200"),
        (&["--fault-statuses", "always"][..], "404"),
    ] {
        let served = Served::start_with(extra)?;
        let url = format!("{}/jsonrpc", served.url);
        let output = Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-H",
                "content-type: application/json",
                "-d",
                body,
                &url,
            ])
            .output()?;
        assert_eq!(String::from_utf8(output.stdout)?, expected, "{extra:?}");
    }
    Ok(())
}
