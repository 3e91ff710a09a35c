//! [`python_venv`]: a Python virtual environment with the packages an
//! interop test needs (pika, requests, zeep, ...), created once under the
//! directory the test names and reused by later runs and other tests.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `python` of a venv at `dir` in which every one of `packages`
/// imports, creating the venv (`python3 -m venv`, then `pip install`) if
/// it is missing or lacks one. `packages` are pip names that are also
/// module names (`pika`, `requests`).
///
/// Tests running at once may ask for the same venv: each builds in a
/// directory of its own and moves it into place, so none sees a half-made
/// one. Blocks while pip runs: call it from `spawn_blocking` or once per
/// test binary.
///
/// # Errors
/// What failed (`python3` missing, pip unable to reach the index), as text
/// for the test's failure message.
pub fn python_venv(dir: &Path, packages: &[&str]) -> Result<PathBuf, String> {
    let python = dir.join("bin/python");
    if imports(&python, packages) {
        return Ok(python);
    }
    let building = dir.with_extension(format!("building-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&building);
    run(Command::new("python3").arg("-m").arg("venv").arg(&building))?;
    run(Command::new(building.join("bin/python"))
        .args(["-m", "pip", "install", "-q"])
        .args(packages))?;
    // Another test may have finished first; its venv is as good.
    let _ = std::fs::remove_dir_all(dir);
    if std::fs::rename(&building, dir).is_err() {
        let _ = std::fs::remove_dir_all(&building);
    }
    if imports(&python, packages) {
        Ok(python)
    } else {
        Err(format!(
            "the venv at {} cannot import {packages:?}",
            dir.display()
        ))
    }
}

fn imports(python: &Path, packages: &[&str]) -> bool {
    if !python.exists() {
        return false;
    }
    let script = format!("import {}", packages.join(", "));
    Command::new(python)
        .args(["-c", &script])
        .output()
        .is_ok_and(|out| out.status.success())
}

fn run(command: &mut Command) -> Result<(), String> {
    let out = command
        .output()
        .map_err(|err| format!("{command:?}: {err}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
