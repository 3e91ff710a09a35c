//! The `gridmap` service: maps on a grid, the observers and obstacles on
//! them, and what each observer sees, stored in SQLite and served under
//! `/api/maps/` by the HTTP transport.
//!
//! | method | route |
//! |---|---|
//! | `list_maps(limit?, after?)` | `GET /api/maps/?limit=&after=` (a page: 100 maps by default, 1000 at most; `next` names the page after) |
//! | `create_map(name, width, height)` | `POST /api/maps/` |
//! | `get_map(slug)` | `GET /api/maps/{slug}/` |
//! | `update_map(slug, name?, width?, height?)` | `PUT /api/maps/{slug}/` |
//! | `delete_map(slug)` | `DELETE /api/maps/{slug}/` |
//! | `list_observers(map, limit?, after?)` | `GET /api/maps/{map}/observers/?limit=&after=` (a page, as maps; the cursor is the last entry's cell, `x,y`) |
//! | `create_observer(map, name, x, y, range)` | `POST /api/maps/{map}/observers/` |
//! | `get_observer(map, observer)` | `GET /api/maps/{map}/observers/{observer}/` |
//! | `update_observer(map, observer, name?, x?, y?, range?)` | `PUT /api/maps/{map}/observers/{observer}/` |
//! | `delete_observer(map, observer)` | `DELETE /api/maps/{map}/observers/{observer}/` |
//! | `list_obstacles(map, limit?, after?)` | `GET /api/maps/{map}/obstacles/?limit=&after=` (a page, as observers) |
//! | `create_obstacle(map, x, y)` | `POST /api/maps/{map}/obstacles/` |
//! | `delete_obstacle(map, x, y)` | `DELETE /api/maps/{map}/obstacles/{x}/{y}/` |
//! | `visible_cells(map, observer)` | `GET /api/maps/{map}/observers/{observer}/visible/` |
//!
//! # Rules
//!
//! Names are 1 to 100 characters on one line, and their slug ("Fancy Map" ->
//! `fancy-map`) must not be empty (`Client.Validation`). Sizes are 1 to
//! 1024, ranges 1 to 64 (`Client.Validation`, checked before the method
//! runs). Observers and obstacles stand on the grid (`Client.Validation`),
//! one thing per cell (`Client.Conflict`). Map slugs are unique, observer
//! slugs unique per map (`Client.Conflict`), and neither changes on rename.
//! A map never shrinks past its contents (`Client.Conflict`). Missing maps,
//! observers and obstacles are `Client.NotFound`.
//!
//! # Layout
//!
//! - [`setup`]: what a host calls to serve gridmap: opens the store and
//!   gives it to the application builder.
//! - [`MapStore`]: the SQLite store, given to the application as state.
//! - [`sight`]: the line-of-sight rule, pure functions.
//! - [`text`]: the map text format ([`MapFile`]).
//! - [`sync`]: import and export of map files through any [`Client`].
//! - the methods, their call structs ([`CreateMap`], ...) and the types they
//!   return ([`MapSummary`], ...), re-exported here.
//!
//! [`Client`]: switchboard::Client

mod model;
mod rpc;
pub mod sight;
mod slug;
mod store;
pub mod sync;
pub mod text;

pub use model::{
    Cell, DEFAULT_PAGE, MAX_NAME_CHARS, MAX_RANGE, MAX_SIZE, MapDetail, MapList, MapSummary,
    Observer, ObserverList, Obstacle, ObstacleList, VisibleCells,
};
// Each method comes with its call struct (`create_map` and `CreateMap`).
pub use rpc::maps::*;
pub use rpc::observers::*;
pub use rpc::obstacles::*;
pub use rpc::visible::*;
pub use slug::slugify;
pub use store::{MapStore, StoreError};
pub use text::{MapFile, MapFileError, ObserverSpec};

use std::path::Path;

use switchboard::ApplicationBuilder;

/// The service name.
pub const SERVICE: &str = "gridmap";

/// Prepares `builder` to serve gridmap with its maps in the SQLite file
/// `db` (created and migrated if needed): the one thing a host has to do
/// besides naming the service.
///
/// ```
/// use switchboard::Application;
///
/// let dir = tempfile::tempdir()?;
/// let builder = Application::builder().services([switchboard_gridmap::SERVICE]);
/// let app = switchboard_gridmap::setup(builder, &dir.path().join("maps.db"))?.build()?;
/// assert!(app.method("visible_cells").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`StoreError`] if the database cannot be opened or migrated.
pub fn setup(builder: ApplicationBuilder, db: &Path) -> Result<ApplicationBuilder, StoreError> {
    Ok(builder.state(MapStore::open(db)?))
}
