//! The interface model: named types land in the definitions under the
//! configured path, references resolve, and two builds are identical.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard::interface::{InterfaceModel, ModelSettings};
use switchboard::{Application, rpc};

/// A point on the grid.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Point {
    x: u32,
    y: u32,
}

/// Moves a point one step right.
#[rpc(service = "geometry", throws = ["Client.NotFound"])]
fn step(point: Point) -> Point {
    Point {
        x: point.x.saturating_add(1),
        y: point.y,
    }
}

/// Forgets everything.
#[rpc(service = "geometry")]
fn forget() {}

fn app() -> Application {
    Application::builder()
        .services(["geometry"])
        .build()
        .expect("geometry")
}

#[test]
fn named_types_are_definitions_under_the_configured_path() {
    let settings = ModelSettings::default().with_definitions_path("#/components/schemas/");
    let model = InterfaceModel::of(&app(), &settings);
    let step = model.method("step").expect("step");
    assert_eq!(step.params[0].schema["$ref"], "#/components/schemas/Point");
    assert_eq!(step.result["$ref"], "#/components/schemas/Point");
    assert_eq!(model.definition_name(&step.result), Some("Point"));
    let point = model.resolve(&step.result);
    assert_eq!(point["properties"]["x"]["type"], "integer");
    assert_eq!(point["description"], "A point on the grid.");
    assert_eq!(step.descriptor.throws, ["Client.NotFound"]);
    assert!(!step.returns_nothing());
    assert!(model.method("forget").expect("forget").returns_nothing());
    assert_eq!(
        model
            .methods
            .iter()
            .map(|m| m.descriptor.name)
            .collect::<Vec<_>>(),
        ["forget", "step"]
    );
}

#[test]
fn two_builds_are_identical() {
    let one = InterfaceModel::of(&app(), &ModelSettings::default());
    let two = InterfaceModel::of(&app(), &ModelSettings::default());
    assert_eq!(format!("{one:?}"), format!("{two:?}"));
    assert_eq!(one.definitions.keys().collect::<Vec<_>>(), ["Point"]);
}

#[test]
fn the_typed_calls_rust_doc_stays_out_of_the_documents() {
    let model = InterfaceModel::of(&app(), &ModelSettings::default());
    for method in &model.methods {
        assert_eq!(method.args.get("description"), None, "{}", method.args);
    }
    let info = switchboard::interface::DocumentInfo::new("geometry", "1");
    let settings =
        switchboard_http::openapi::OpenApiSettings::new(info).with_json_endpoint("/json");
    let document = switchboard_http::openapi::openapi(&app(), &settings);
    assert!(!document.contains("Client::call"), "{document}");
    assert!(document.contains("Moves a point one step right."));
}
