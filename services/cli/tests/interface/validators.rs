//! The documents checked by tools other people wrote: the OpenAPI ones by
//! Python's `openapi-spec-validator`, the OpenRPC ones by `jsonschema`
//! against the OpenRPC meta-schema vendored in `vendor/` (whose JSON
//! Schema reference resolves to the vendored file, never the network).

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use crate::{PINNED, TestResult, here, interface};

/// The venv with both validators, created once per run of this binary.
fn python() -> Result<PathBuf, String> {
    static VENV: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    VENV.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("interface-venv");
        switchboard_testing::python_venv(
            &dir,
            &["openapi-spec-validator", "jsonschema", "referencing"],
            "import openapi_spec_validator, jsonschema, referencing",
        )
    })
    .clone()
}

/// Runs `validate.py` on `(kind, file)` pairs; its report on failure.
fn validate(files: &[(&str, PathBuf)]) -> TestResult {
    let mut command = Command::new(python()?);
    command
        .arg(here().join("validate.py"))
        .arg(here().join("vendor"));
    for (kind, file) in files {
        command.arg(kind).arg(file);
    }
    let output = command.output()?;
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        report.lines().filter(|l| l.starts_with("valid ")).count(),
        files.len(),
        "{report}"
    );
    Ok(())
}

#[test]
fn the_documents_pass_the_validators() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut files = Vec::new();
    for (service, document) in PINNED {
        for public_url in [None, Some("https://maps.example.com")] {
            let mut args = vec![*document, "--services", service];
            if let Some(url) = public_url {
                args.extend(["--public-url", url]);
            }
            let path = dir
                .path()
                .join(format!("{document}-{service}-{}.json", files.len()));
            std::fs::write(&path, interface(&args)?)?;
            files.push((*document, path));
        }
    }
    // With auth on, the security schemes must be valid too.
    let secured = dir.path().join("openapi-basic.json");
    std::fs::write(&secured, interface(&["openapi", "--auth-scheme", "basic"])?)?;
    files.push(("openapi", secured));
    validate(&files)
}

#[test]
fn the_validators_refuse_a_broken_document() -> TestResult {
    // Without this, a validator that accepts anything would pass the test above.
    let dir = tempfile::tempdir()?;
    let mut broken = Vec::new();
    for document in ["openapi", "openrpc"] {
        let mut value: serde_json::Value = serde_json::from_str(&interface(&[document])?)?;
        value["info"] = serde_json::json!({"title": 7});
        let path = dir.path().join(format!("{document}.json"));
        std::fs::write(&path, serde_json::to_string(&value)?)?;
        broken.push((document, path));
    }
    for (kind, file) in broken {
        let output = Command::new(python()?)
            .arg(here().join("validate.py"))
            .arg(here().join("vendor"))
            .arg(kind)
            .arg(&file)
            .output()?;
        assert!(!output.status.success(), "{kind}: a broken document passed");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("invalid "),
            "{kind}"
        );
    }
    Ok(())
}
