//! The changelog is kept: `CHANGELOG.md` at the workspace root, in the Keep a
//! Changelog layout, with the `Unreleased` section on top and only the
//! section kinds that layout knows under each release.

use std::path::Path;

/// The section kinds a release may have (Keep a Changelog 1.1, with our
/// breaking changes listed beside the removals).
const KINDS: &[&str] = &[
    "Added",
    "Changed",
    "Deprecated",
    "Removed / breaking",
    "Removed",
    "Fixed",
    "Security",
];

fn changelog() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../CHANGELOG.md");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("{} cannot be read: {err}", path.display()))
}

#[test]
fn unreleased_is_the_first_release_section() {
    let text = changelog();
    assert!(text.starts_with("# Changelog\n"), "the title comes first");
    let first = text.lines().find(|line| line.starts_with("## "));
    assert_eq!(first, Some("## Unreleased"));
}

#[test]
fn every_release_has_known_non_empty_sections() {
    let text = changelog();
    let mut release = None;
    let mut section: Option<(&str, usize)> = None;
    let check_section = |section: Option<(&str, usize)>| {
        if let Some((name, entries)) = section {
            assert!(entries > 0, "section {name:?} lists nothing");
        }
    };
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            check_section(section.take());
            release = Some(name);
        } else if let Some(name) = line.strip_prefix("### ") {
            check_section(section.take());
            assert!(release.is_some(), "section {name:?} outside a release");
            assert!(KINDS.contains(&name), "unknown section kind {name:?}");
            section = Some((name, 0));
        } else if line.starts_with("- ") {
            if let Some((_, entries)) = section.as_mut() {
                *entries += 1;
            }
        }
    }
    check_section(section);
    assert!(release.is_some(), "no release section at all");
}

/// Every entry under "Removed / breaking" says how to migrate.
#[test]
fn breaking_entries_say_how_to_migrate() {
    let text = changelog();
    let Some(start) = text.find("### Removed / breaking") else {
        return;
    };
    let body = &text[start..];
    let end = body[4..].find("\n##").map_or(body.len(), |at| at + 4);
    for entry in body[..end].split("\n- ").skip(1) {
        assert!(
            entry.to_lowercase().contains("migrate"),
            "a breaking entry without a migration: {entry}"
        );
    }
}
