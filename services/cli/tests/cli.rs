//! The `switchboard` binary end to end: `serve` as a child process on
//! 127.0.0.1:0 with its database in a temporary directory, driven by
//! `gridmap import`, `gridmap export` and `call`, then stopped by SIGTERM.

use std::error::Error;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};

use tempfile::TempDir;

/// What a test returns.
type TestResult = Result<(), Box<dyn Error>>;

/// The course's Fancy Map, reshaped into rows (shared fixture).
const FANCY: &str = include_str!("../../../examples/maps/fancy-map.txt");

/// The binary, run in `dir` with no `SWITCHBOARD_*` setting inherited
/// (nor a `.env` file: the directory is empty but for the test's files).
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

/// A running `switchboard serve`, killed when dropped if it still runs.
/// Its standard output stays open in `child`: the server prints more lines
/// after the first.
struct Served {
    child: Child,
    url: String,
    dir: TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        // Does nothing if the child was already waited for.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// Starts `switchboard serve` on 127.0.0.1:0 with its database in a
    /// fresh directory, standard output piped.
    fn spawn() -> Result<Self, Box<dyn Error>> {
        Self::spawn_with(&[])
    }

    /// As [`spawn`](Self::spawn), with `extra` options for `serve`.
    fn spawn_with(extra: &[&str]) -> Result<Self, Box<dyn Error>> {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("x.db");
        let child = switchboard(dir.path())
            .args(["--log", "warn", "serve", "--listen", "127.0.0.1:0", "--db"])
            .arg(&db)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let url = String::new();
        Ok(Self { child, url, dir })
    }

    /// Starts the server and waits for its first line, which it prints
    /// once its listener is bound.
    fn start() -> Result<Self, Box<dyn Error>> {
        Self::start_with(&[])
    }

    /// As [`start`](Self::start), with `extra` options for `serve`.
    fn start_with(extra: &[&str]) -> Result<Self, Box<dyn Error>> {
        // From here on, a failure drops the guard, which kills the child.
        let mut served = Self::spawn_with(extra)?;
        let stdout = served.child.stdout.as_mut().ok_or("stdout is piped")?;
        let mut first = String::new();
        BufReader::new(stdout).read_line(&mut first)?;
        let addr = first
            .trim_end()
            .strip_prefix("switchboard listening on http://")
            .ok_or_else(|| format!("unexpected first line: {first:?}"))?;
        served.url = format!("http://{addr}");
        Ok(served)
    }

    /// Runs `switchboard ARGS... --url URL` and collects its output.
    fn run(&self, args: &[&str]) -> Result<Output, Box<dyn Error>> {
        let output = switchboard(self.dir.path())
            .args(args)
            .args(["--url", &self.url])
            .stdin(Stdio::null())
            .output()?;
        Ok(output)
    }

    /// Sends SIGTERM and waits for the server to exit.
    fn terminate(mut self) -> Result<ExitStatus, Box<dyn Error>> {
        let pid = self.child.id().to_string();
        let kill = Command::new("kill").args(["-TERM", &pid]).status()?;
        assert!(kill.success(), "kill -TERM {pid}: {kill}");
        Ok(self.child.wait()?)
    }
}

/// Standard output as text, after checking the command succeeded.
fn stdout_of(output: &Output) -> Result<String, Box<dyn Error>> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}: {stderr}", output.status);
    Ok(String::from_utf8(output.stdout.clone())?)
}

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

/// The README's `gridmap import` example, run as printed from the
/// repository's root (with `--url` added), prints what the README shows.
#[test]
fn the_readme_map_import_runs_as_printed() -> TestResult {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md"))?;
    let mut lines = readme
        .lines()
        .skip_while(|l| !l.starts_with("$ switchboard gridmap import"));
    let command = lines.next().ok_or("the README shows a map import")?;
    let expected: Vec<&str> = lines
        .take_while(|l| !l.starts_with('$') && !l.starts_with("```"))
        .collect();
    assert!(!expected.is_empty(), "the README shows the import's output");

    let served = Served::start()?;
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_switchboard"))
        .parent()
        .ok_or("bin dir")?;
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script = format!("{} --url {}", command.trim_start_matches("$ "), served.url);
    let output = Command::new("sh")
        .args(["-c", &script])
        .current_dir(&root)
        .env("PATH", path)
        .stdin(Stdio::null())
        .output()?;
    let printed = stdout_of(&output)?;
    assert_eq!(printed.lines().collect::<Vec<_>>(), expected, "{script}");
    Ok(())
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
