//! Python virtual environments for interop tests: a test that checks
//! switchboard against a third-party client (pika, zeep, suds) installs
//! that client itself, into a venv it keeps under Cargo's target tmp dir
//! and reuses on later runs.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The file in a venv naming the packages installed in it.
const INSTALLED: &str = "switchboard-installed.txt";

/// A venv at `dir` with `packages` installed (created, or completed, on
/// first use; reused as it is once they are all in); its `python`.
///
/// Runs `python3 -m venv` and `pip install`, so it blocks: call it from
/// `tokio::task::spawn_blocking` in async tests, and once per test binary
/// (behind a `OnceLock`), since two processes installing into one venv at
/// once would trip over each other.
///
/// # Errors
/// What failed, with the command's standard error.
pub fn python_venv(dir: &Path, packages: &[&str]) -> Result<PathBuf, String> {
    let python = dir.join("bin/python");
    let wanted = packages.join("\n");
    let marker = dir.join(INSTALLED);
    if python.exists() && std::fs::read_to_string(&marker).is_ok_and(|done| done == wanted) {
        return Ok(python);
    }
    if !python.exists() {
        run(Command::new("python3").arg("-m").arg("venv").arg(dir))?;
    }
    run(Command::new(&python)
        .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
        .args(packages))?;
    std::fs::write(&marker, wanted).map_err(|err| format!("{}: {err}", marker.display()))?;
    Ok(python)
}

fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let out = command.output().map_err(|err| format!("{shown}: {err}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{shown} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
