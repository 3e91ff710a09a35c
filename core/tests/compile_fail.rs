//! Compile-time checks of `#[rpc]` and `#[derive(Validate)]`: what must build, and
//! the error each misuse reports at its span (`tests/ui/fail/*.stderr`).
//!
//! After changing a macro's diagnostics, regenerate the snapshots with
//! `TRYBUILD=overwrite cargo test -p switchboard --test compile_fail` and read them.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
