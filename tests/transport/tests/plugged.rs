//! The `test:` transport, defined in this crate and nowhere in the host or
//! the CLI, works in a host built here: it shows in `--help`, serves with
//! `serve --on test:…`, is called with `call --to test:…`, and keeps the
//! transport contract, checked from the catalog.

use std::error::Error;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use switchboard::catalog;
use switchboard_json as _;
use switchboard_test_transport as _;
use switchboard_testing::{CatalogHarness, transport_suite};

type TestResult = Result<(), Box<dyn Error>>;

fn plugged(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_plugged"));
    command.current_dir(dir).stdin(Stdio::null());
    command
}

#[test]
fn the_host_lists_the_transport_in_its_help() -> TestResult {
    let dir = tempfile::tempdir()?;
    let help = plugged(dir.path()).args(["serve", "--help"]).output()?;
    let help = String::from_utf8(help.stdout)?;
    assert!(help.contains("  test     test:"), "{help}");
    assert!(
        help.contains("a Unix socket, one connection per request"),
        "{help}"
    );
    let call = plugged(dir.path()).args(["call", "--help"]).output()?;
    assert!(String::from_utf8(call.stdout)?.contains("test:"));
    Ok(())
}

#[test]
fn the_host_serves_and_calls_it_by_address() -> TestResult {
    let dir = tempfile::tempdir()?;
    let address = format!("test:{}", dir.path().join("plugged.sock").display());
    let mut serving = plugged(dir.path())
        .args(["serve", "--on", &address, "--db"])
        .arg(dir.path().join("state.db"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let out = serving.stdout.take().ok_or("no stdout")?;
    let first = BufReader::new(out).lines().next().ok_or("no banner")??;
    assert!(first.starts_with("plugged listening on test:"), "{first}");
    let called = plugged(dir.path())
        .args([
            "call",
            "subtract",
            "minuend=42",
            "subtrahend=23",
            "--to",
            &address,
        ])
        .output()?;
    assert!(called.status.success(), "{called:?}");
    assert_eq!(String::from_utf8(called.stdout)?.trim(), "19");
    let fault = plugged(dir.path())
        .args(["call", "fail", "message=nope", "--to", &address])
        .output()?;
    assert_eq!(fault.status.code(), Some(1));
    assert!(String::from_utf8(fault.stderr)?.contains("Client: nope"));
    let pid = serving.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()?
            .success()
    );
    assert!(serving.wait()?.success());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_transport_keeps_the_contract() -> TestResult {
    let dir = tempfile::tempdir()?;
    let entry = catalog::transport("test").ok_or("the test transport is not linked")?;
    let address = entry
        .conformance_address(dir.path(), "suite")
        .ok_or("no conformance address")??;
    let protocol = catalog::protocol("jsonrpc").ok_or("JSON-RPC is not linked")?;
    let client = protocol
        .client_protocol(&Default::default())
        .ok_or("no client")?;
    let mut harness = CatalogHarness::new(entry, address, protocol);
    transport_suite(&mut harness, protocol.server(&Default::default()), client).await?;
    Ok(())
}
