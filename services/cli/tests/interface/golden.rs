//! The OpenAPI and OpenRPC documents of the demo and gridmap services,
//! pinned byte for byte, so that every change to them is deliberate.

use crate::{PINNED, TestResult, golden_path, interface};

/// Whether this run rewrites the golden files instead of checking them.
fn blessing() -> bool {
    std::env::var_os("SWITCHBOARD_BLESS").is_some_and(|v| v != "0")
}

#[test]
fn documents_match_their_golden_files() -> TestResult {
    let mut stale = Vec::new();
    for (service, document) in PINNED {
        let text = interface(&[document, "--services", service])?;
        let path = golden_path(service, document);
        if blessing() {
            std::fs::write(&path, &text)?;
            continue;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_default();
        if golden != text {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "these documents changed: {stale:?}; if that is meant, regenerate them with \
         `SWITCHBOARD_BLESS=1 cargo test -p switchboard-cli --test interface` and review the diff"
    );
    Ok(())
}

#[test]
fn two_builds_write_the_same_bytes_and_links_follow_the_public_url() -> TestResult {
    for document in ["openapi", "openrpc", "docs"] {
        let first = interface(&[document])?;
        let second = interface(&[document])?;
        assert_eq!(first, second, "{document}");
        let public = interface(&[document, "--public-url", "https://maps.example.com/"])?;
        assert_ne!(first, public, "{document}");
        assert_eq!(
            public,
            interface(&[document, "--public-url", "https://maps.example.com"])?,
            "{document}: a trailing slash changes nothing"
        );
    }
    let openapi: serde_json::Value = serde_json::from_str(&interface(&[
        "openapi",
        "--public-url",
        "https://maps.example.com",
    ])?)?;
    assert_eq!(openapi["servers"][0]["url"], "https://maps.example.com");
    let openrpc: serde_json::Value = serde_json::from_str(&interface(&[
        "openrpc",
        "--public-url",
        "https://maps.example.com",
    ])?)?;
    assert_eq!(
        openrpc["servers"][0]["url"],
        "https://maps.example.com/jsonrpc"
    );
    let docs = interface(&["docs", "--public-url", "https://maps.example.com"])?;
    assert!(docs.contains("action=\"https://maps.example.com/json/echo\""));
    Ok(())
}

#[test]
fn the_documents_describe_only_what_is_mounted_and_the_auth_scheme() -> TestResult {
    let rest_only: serde_json::Value = serde_json::from_str(&interface(&[
        "openapi",
        "--services",
        "gridmap",
        "--protocols",
        "rest",
        "--auth-scheme",
        "bearer",
    ])?)?;
    let paths = rest_only["paths"].as_object().ok_or("no paths")?;
    assert!(
        paths.keys().all(|path| path.starts_with("/api/maps/")),
        "{paths:?}"
    );
    assert_eq!(
        rest_only["security"],
        serde_json::json!([{"bearerAuth": []}])
    );
    let out = tempfile::tempdir()?;
    let file = out.path().join("openrpc.json");
    let printed = interface(&["openrpc", "--out", file.to_str().ok_or("path")?])?;
    assert_eq!(printed, "");
    assert_eq!(std::fs::read_to_string(&file)?, interface(&["openrpc"])?);
    Ok(())
}
