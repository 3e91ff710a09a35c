//! What the binary's end-to-end tests share: the binary run with a clean
//! environment, and a `switchboard serve` child process on 127.0.0.1:0.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use std::error::Error;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};

use tempfile::TempDir;

/// What a test returns.
pub(crate) type TestResult = Result<(), Box<dyn Error>>;

/// The binary, run in `dir` with no `SWITCHBOARD_*` setting inherited
/// (nor a `.env` file: the directory is empty but for the test's files).
pub(crate) fn switchboard(dir: &Path) -> Command {
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
pub(crate) struct Served {
    /// The server process.
    pub(crate) child: Child,
    /// Its base URL, `http://127.0.0.1:{port}`.
    pub(crate) url: String,
    /// Its working directory (holding its database).
    pub(crate) dir: TempDir,
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
    pub(crate) fn spawn() -> Result<Self, Box<dyn Error>> {
        Self::spawn_with(&[])
    }

    /// As [`spawn`](Self::spawn), with `extra` options for `serve`.
    pub(crate) fn spawn_with(extra: &[&str]) -> Result<Self, Box<dyn Error>> {
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
    pub(crate) fn start() -> Result<Self, Box<dyn Error>> {
        Self::start_with(&[])
    }

    /// As [`start`](Self::start), with `extra` options for `serve`.
    pub(crate) fn start_with(extra: &[&str]) -> Result<Self, Box<dyn Error>> {
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
    pub(crate) fn run(&self, args: &[&str]) -> Result<Output, Box<dyn Error>> {
        let output = switchboard(self.dir.path())
            .args(args)
            .args(["--url", &self.url])
            .stdin(Stdio::null())
            .output()?;
        Ok(output)
    }

    /// Sends SIGTERM and waits for the server to exit.
    pub(crate) fn terminate(mut self) -> Result<ExitStatus, Box<dyn Error>> {
        let pid = self.child.id().to_string();
        let kill = Command::new("kill").args(["-TERM", &pid]).status()?;
        assert!(kill.success(), "kill -TERM {pid}: {kill}");
        Ok(self.child.wait()?)
    }
}

/// Standard output as text, after checking the command succeeded.
pub(crate) fn stdout_of(output: &Output) -> Result<String, Box<dyn Error>> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}: {stderr}", output.status);
    Ok(String::from_utf8(output.stdout.clone())?)
}
