//! The WSDL of the demo and gridmap services, pinned byte for byte: any
//! change to it shows in review as a change to `tests/golden/*.wsdl`.
//!
//! To accept a deliberate change, regenerate the files and read the diff:
//!
//! ```text
//! SWITCHBOARD_BLESS=1 cargo test -p switchboard-soap --test wsdl_golden
//! ```

use std::path::PathBuf;

use switchboard::Application;
use switchboard_demo as _;
use switchboard_gridmap::MapStore;
use switchboard_soap::{SoapSettings, wsdl};

const ENDPOINT: &str = "http://127.0.0.1:8080/soap";

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("SWITCHBOARD_BLESS").is_some() {
        std::fs::write(&path, actual).expect("the golden file is writable");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "{}: {err}; create it with SWITCHBOARD_BLESS=1",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from {} from line {}:\n  expected: {:?}\n  actual:   {:?}\n\
             If the change is deliberate, run with SWITCHBOARD_BLESS=1 and review the diff.",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line),
        );
    }
}

#[test]
fn the_demo_wsdl_is_as_pinned() -> Result<(), Box<dyn std::error::Error>> {
    let app = Application::builder().services(["demo"]).build()?;
    let document = wsdl(&app, &SoapSettings::default(), ENDPOINT);
    assert_eq!(document, wsdl(&app, &SoapSettings::default(), ENDPOINT));
    golden("demo.wsdl", &document);
    Ok(())
}

#[test]
fn the_gridmap_wsdl_is_as_pinned() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = MapStore::open(dir.path().join("maps.db"))?;
    let app = Application::builder()
        .services(["gridmap"])
        .state(store)
        .build()?;
    golden(
        "gridmap.wsdl",
        &wsdl(&app, &SoapSettings::default(), ENDPOINT),
    );
    Ok(())
}
