//! The interface documents: pinned by golden files, checked by real
//! validators (Python's `openapi-spec-validator`, and `jsonschema` against
//! the vendored OpenRPC meta-schema), served by `serve` with links from
//! `--public-url`, answered by `rpc.discover`, and the docs page driven in
//! headless Chromium.
//!
//! Golden files live in `tests/interface/golden/`; after a deliberate
//! change, regenerate them with
//! `SWITCHBOARD_BLESS=1 cargo test -p switchboard-cli --test interface`
//! and review the diff.

mod browser;
mod golden;
mod served;
mod validators;

use std::path::{Path, PathBuf};
use std::process::Command;

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// The documents pinned for each service.
const PINNED: &[(&str, &str)] = &[
    ("demo", "openapi"),
    ("demo", "openrpc"),
    ("gridmap", "openapi"),
    ("gridmap", "openrpc"),
];

/// This test binary's directory of fixed files.
fn here() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interface")
}

/// The golden file of `document` for `service`.
fn golden_path(service: &str, document: &str) -> PathBuf {
    here()
        .join("golden")
        .join(format!("{document}-{service}.json"))
}

/// Runs `switchboard interface ARGS...` and returns what it wrote to
/// standard output.
fn interface(args: &[&str]) -> TestResult<String> {
    let scratch = tempfile::tempdir()?;
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    // The documents must not depend on the caller's settings.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SWITCHBOARD_") {
            command.env_remove(name);
        }
    }
    let output = command
        .current_dir(scratch.path())
        .arg("interface")
        .args(args)
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "switchboard interface {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(String::from_utf8(output.stdout)?)
}
