//! What the `gridmap` methods return: maps, observers, obstacles and cells,
//! and the limits their fields are held to.
//!
//! Coordinates are cells: `x` counts columns from the left, `y` rows from the
//! top, both from 0.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The largest width or height of a map, in cells.
pub const MAX_SIZE: u32 = 1024;

/// The longest vision range of an observer, in cells.
pub const MAX_RANGE: u32 = 64;

/// The longest name of a map or an observer, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A map without its contents, as listed.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq, Eq)]
pub struct MapSummary {
    /// The display name.
    pub name: String,
    /// The map's identifier in URLs, derived from its first name.
    pub slug: String,
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
}

/// Entries a page of maps, observers or obstacles holds when the caller
/// does not say.
pub const DEFAULT_PAGE: u32 = 100;

/// A page of maps.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq, Eq)]
pub struct MapList {
    /// The maps, by slug.
    pub maps: Vec<MapSummary>,
    /// When more maps follow: the slug to pass as `after` for the next
    /// page. Absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// A map with everything on it.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq, Eq)]
pub struct MapDetail {
    /// The display name.
    pub name: String,
    /// The map's identifier in URLs.
    pub slug: String,
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// The observers, in reading order (by `y`, then `x`).
    pub observers: Vec<Observer>,
    /// The obstacles, in reading order (by `y`, then `x`).
    pub obstacles: Vec<Obstacle>,
}

/// Someone on a map who sees up to `range` cells away.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq, Eq)]
pub struct Observer {
    /// The slug of the map the observer is on.
    pub map: String,
    /// The observer's identifier on its map, derived from its first name.
    pub slug: String,
    /// The display name.
    pub name: String,
    /// Column.
    pub x: u32,
    /// Row.
    pub y: u32,
    /// Vision range, in cells (Euclidean, centre to centre).
    pub range: u32,
}

/// A page of one map's observers.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq, Eq)]
pub struct ObserverList {
    /// The observers, in reading order (by `y`, then `x`).
    pub observers: Vec<Observer>,
    /// When more observers follow: the cursor (`x,y`) to pass as `after`
    /// for the next page. Absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// A cell that blocks sight and where no observer may stand.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq, Eq)]
pub struct Obstacle {
    /// The slug of the map the obstacle is on.
    pub map: String,
    /// Column.
    pub x: u32,
    /// Row.
    pub y: u32,
}

/// A page of one map's obstacles.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq, Eq)]
pub struct ObstacleList {
    /// The obstacles, in reading order (by `y`, then `x`).
    pub obstacles: Vec<Obstacle>,
    /// When more obstacles follow: the cursor (`x,y`) to pass as `after`
    /// for the next page. Absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// One cell of a grid.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cell {
    /// Column.
    pub x: u32,
    /// Row.
    pub y: u32,
}

impl Cell {
    /// The cell at column `x`, row `y`.
    pub fn new(x: u32, y: u32) -> Self {
        Self { x, y }
    }
}

/// What an observer sees.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq, Eq)]
pub struct VisibleCells {
    /// The observer's slug.
    pub observer: String,
    /// The visible cells in reading order (by `y`, then `x`), the
    /// observer's own cell and visible obstacles included.
    pub cells: Vec<Cell>,
}
