//! Python interop clients for tests: a virtual environment with the named
//! packages, created once under a directory the test picks (Cargo's
//! `CARGO_TARGET_TMPDIR`) and reused by later runs.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The python of a venv at `dir` in which `probe` runs (an import line,
/// `import pika`), creating the venv and installing `packages` with pip
/// first if it does not.
///
/// Blocks while pip runs; a test that shares one venv across its cases
/// calls this once (behind a `OnceLock` or `OnceCell`).
///
/// # Errors
/// A message naming the command that failed, with its standard error.
pub fn python_venv(dir: &Path, packages: &[&str], probe: &str) -> Result<PathBuf, String> {
    let python = dir.join("bin/python");
    let ready = |python: &Path| {
        Command::new(python)
            .args(["-c", probe])
            .output()
            .is_ok_and(|out| out.status.success())
    };
    if ready(&python) {
        return Ok(python);
    }
    run(Command::new("python3").arg("-m").arg("venv").arg(dir))?;
    run(Command::new(&python)
        .args(["-m", "pip", "install", "-q"])
        .args(packages))?;
    if ready(&python) {
        Ok(python)
    } else {
        Err(format!(
            "the venv at {} still cannot run `{probe}` after installing {packages:?}",
            dir.display()
        ))
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let out = command
        .output()
        .map_err(|e| format!("{command:?} did not start: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
