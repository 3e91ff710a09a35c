//! A struct deriving `Validate`, used as an `#[rpc]` parameter.

use switchboard::{Validate, rpc};

/// A point on a map.
#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema, Validate)]
struct Point {
    #[schemars(range(min = 0, max = 1024))]
    x: u32,
    #[schemars(range(max = 1024))]
    y: u32,
}

/// A named place.
#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema, switchboard::Validate)]
struct Place {
    #[schemars(length(min = 1, max = 100))]
    name: String,
    #[schemars(regex(pattern = "^[a-z0-9-]+$"))]
    slug: String,
    #[schemars(length(max = 8))]
    #[validate(nested)]
    corners: Vec<Point>,
    #[validate(nested)]
    center: Point,
}

/// Stores a place.
#[rpc(service = "maps")]
fn store(#[validate(nested)] place: Place, #[validate(nested)] extra: Option<Point>) -> u32 {
    place.center.x + extra.map_or(0, |p| p.y)
}

fn main() {
    let place = Place {
        name: "home".into(),
        slug: "home".into(),
        corners: Vec::new(),
        center: Point { x: 1, y: 2 },
    };
    assert!(switchboard::validate::Validate::validate(&place).is_ok());
    let _ = Store { place, extra: None };
}
