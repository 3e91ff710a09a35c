//! One walk through every gridmap method on a fresh server: what each call
//! sends, returns, and which REST route it is bound to (as the table in
//! the gridmap module's docs shows it).

use serde_json::{Value, json};

/// One call of the walk.
pub(crate) struct Step {
    /// The method's wire name.
    pub(crate) method: &'static str,
    /// Its REST binding, `VERB /path/{param}/`.
    pub(crate) route: &'static str,
    /// The named params.
    pub(crate) params: Value,
    /// The result (`null` for none).
    pub(crate) result: Value,
    /// The `Location` of a creation over REST.
    pub(crate) location: Option<&'static str>,
}

fn step(method: &'static str, route: &'static str, params: Value, result: Value) -> Step {
    Step {
        method,
        route,
        params,
        result,
        location: None,
    }
}

impl Step {
    /// The step, answered over REST with `201 Created` and `location`.
    fn created(self, location: &'static str) -> Self {
        let location = Some(location);
        Self { location, ..self }
    }
}

/// Map `fancy-map` once renamed and resized.
fn fancier(observers: Value, obstacles: Value) -> Value {
    json!({
        "name": "Fancier Map", "slug": "fancy-map", "width": 6, "height": 4,
        "observers": observers, "obstacles": obstacles,
    })
}

fn scout(name: &str, range: u32) -> Value {
    json!({"map": "fancy-map", "slug": "scout", "name": name, "x": 1, "y": 1, "range": range})
}

fn obstacle() -> Value {
    json!({"map": "fancy-map", "x": 2, "y": 1})
}

/// The params naming the map, as `slug`.
fn slug() -> Value {
    json!({"slug": "fancy-map"})
}

/// The params naming the observer.
fn observer() -> Value {
    json!({"map": "fancy-map", "observer": "scout"})
}

/// Creates a map, fills, reads, changes and empties it, then deletes it:
/// each of the 14 methods at least once.
pub(crate) fn walk() -> Vec<Step> {
    let mut steps = building();
    steps.extend(reading());
    steps.extend(clearing());
    steps
}

/// Creates, lists and resizes the map, then puts an observer and an
/// obstacle on it.
fn building() -> Vec<Step> {
    let summary = json!({"name": "Fancy Map", "slug": "fancy-map", "width": 12, "height": 6});
    vec![
        step(
            "create_map",
            "POST /api/maps/",
            json!({"name": "Fancy Map", "width": 12, "height": 6}),
            summary.clone(),
        )
        .created("/api/maps/fancy-map/"),
        step(
            "list_maps",
            "GET /api/maps/",
            json!({}),
            json!({"maps": [summary]}),
        ),
        step(
            "update_map",
            "PUT /api/maps/{slug}/",
            json!({"slug": "fancy-map", "name": "Fancier Map", "width": 6, "height": 4}),
            Value::Null,
        ),
        step(
            "create_observer",
            "POST /api/maps/{map}/observers/",
            json!({"map": "fancy-map", "name": "Scout", "x": 1, "y": 1, "range": 3}),
            scout("Scout", 3),
        )
        .created("/api/maps/fancy-map/observers/scout/"),
        step(
            "create_obstacle",
            "POST /api/maps/{map}/obstacles/",
            obstacle(),
            obstacle(),
        )
        .created("/api/maps/fancy-map/obstacles/2/1/"),
    ]
}

/// Reads the map and its contents, renaming the observer on the way.
fn reading() -> Vec<Step> {
    let map = json!({"map": "fancy-map"});
    // Range 1 from (1, 1): the four neighbours and its own cell; the
    // obstacle at (2, 1) is seen.
    let cells = json!([{"x": 1, "y": 0}, {"x": 0, "y": 1}, {"x": 1, "y": 1}, {"x": 2, "y": 1}, {"x": 1, "y": 2}]);
    vec![
        step(
            "get_map",
            "GET /api/maps/{slug}/",
            slug(),
            fancier(json!([scout("Scout", 3)]), json!([obstacle()])),
        ),
        step(
            "get_observer",
            "GET /api/maps/{map}/observers/{observer}/",
            observer(),
            scout("Scout", 3),
        ),
        step(
            "update_observer",
            "PUT /api/maps/{map}/observers/{observer}/",
            json!({"map": "fancy-map", "observer": "scout", "name": "Lookout", "range": 1}),
            Value::Null,
        ),
        step(
            "list_observers",
            "GET /api/maps/{map}/observers/",
            map.clone(),
            json!({"observers": [scout("Lookout", 1)]}),
        ),
        step(
            "list_obstacles",
            "GET /api/maps/{map}/obstacles/",
            map,
            json!({"obstacles": [obstacle()]}),
        ),
        step(
            "visible_cells",
            "GET /api/maps/{map}/observers/{observer}/visible/",
            observer(),
            json!({"observer": "scout", "cells": cells}),
        ),
    ]
}

/// Removes the obstacle, the observer and the map.
fn clearing() -> Vec<Step> {
    vec![
        step(
            "delete_obstacle",
            "DELETE /api/maps/{map}/obstacles/{x}/{y}/",
            obstacle(),
            Value::Null,
        ),
        step(
            "delete_observer",
            "DELETE /api/maps/{map}/observers/{observer}/",
            observer(),
            Value::Null,
        ),
        step(
            "get_map",
            "GET /api/maps/{slug}/",
            slug(),
            fancier(json!([]), json!([])),
        ),
        step(
            "delete_map",
            "DELETE /api/maps/{slug}/",
            slug(),
            Value::Null,
        ),
        step(
            "list_maps",
            "GET /api/maps/",
            json!({}),
            json!({"maps": []}),
        ),
    ]
}
