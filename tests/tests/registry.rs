//! Methods registered in other crates (`switchboard-demo`, this
//! package's library) are found by applications built here, and clashing
//! names are refused with both definitions named.

use switchboard::{Application, BuildError};
// Nothing else from these crates is named here: link them for their methods.
use switchboard_demo as _;
use switchboard_tests as _;

#[test]
fn methods_from_other_crates_are_registered() {
    let services = switchboard::services();
    for name in ["demo", "jsonrpc-spec", "checks"] {
        assert!(services.contains(&name), "{name} missing from {services:?}");
    }
    let app = Application::builder()
        .services(["demo"])
        .build()
        .expect("demo");
    let names: Vec<_> = app.methods().map(|m| m.name).collect();
    assert_eq!(names, ["echo", "fail", "sleep", "subtract", "sum"]);
    let echo = app.method("echo").expect("echo");
    assert_eq!(echo.doc, "Returns `s` unchanged.");
    assert_eq!(echo.rust_path, "switchboard_demo::echo");
    assert!(app.method("sleep").expect("sleep").one_way);
}

#[test]
fn two_methods_with_one_name_are_refused() {
    let err = Application::builder()
        .services(["demo", "jsonrpc-spec"])
        .build()
        .unwrap_err();
    match &err {
        BuildError::DuplicateMethod {
            name,
            first,
            second,
            ..
        } => {
            assert_eq!(*name, "sum");
            assert_eq!(*first, "switchboard_demo::sum");
            assert_eq!(*second, "switchboard_tests::spec::sum");
        }
        other => panic!("unexpected error: {other}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("switchboard_demo::sum") && text.contains("switchboard_tests::spec::sum"),
        "{text}"
    );
}

#[test]
fn unknown_services_and_missing_state_are_refused() {
    let err = Application::builder()
        .services(["nope"])
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("no service named `nope`"), "{err}");
    let err = Application::builder()
        .services(["checks"])
        .build()
        .unwrap_err();
    assert!(
        matches!(
            &err,
            BuildError::MissingState {
                method: "count",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("Counter"), "{err}");
}

#[test]
fn renamed_parameters_keep_their_wire_name() {
    let app = switchboard_tests::checks_app();
    assert_eq!(app.method("greet").expect("greet").params[0].name, "lang");
}
