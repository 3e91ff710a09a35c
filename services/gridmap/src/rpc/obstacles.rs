//! The obstacle methods: list, create, delete. An obstacle is named by its
//! cell, so it has nothing to update.

use switchboard::{Fault, State, rpc};

use crate::model::{DEFAULT_PAGE, Obstacle, ObstacleList};
use crate::store::{MapStore, maps, obstacles};

/// The obstacles on map `map`, in reading order (by `y`, then `x`), a page
/// at a time: at most `limit` (default 100, at most 1000) after the cursor
/// `after`. When more follow, `next` is the `after` of the next page.
#[rpc(
    service = "gridmap",
    http = "GET /api/maps/{map}/obstacles/",
    throws = ["Client.Validation", "Client.NotFound", "Server"]
)]
pub async fn list_obstacles(
    store: State<MapStore>,
    map: String,
    #[schemars(range(min = 1, max = 1000))] limit: Option<u32>,
    after: Option<String>,
) -> Result<ObstacleList, Fault> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    let (obstacles, next) = store
        .read(move |db| obstacles::page(db, &maps::find(db, &map)?, after.as_deref(), limit))
        .await?;
    Ok(ObstacleList { obstacles, next })
}

/// Places an obstacle at `(x, y)` on map `map`. The cell must be on the grid,
/// with no observer and no obstacle yet.
#[rpc(
    service = "gridmap",
    http = "POST /api/maps/{map}/obstacles/",
    created = "/api/maps/{map}/obstacles/{x}/{y}/",
    throws = ["Client.Validation", "Client.NotFound", "Client.Conflict", "Server"]
)]
pub async fn create_obstacle(
    store: State<MapStore>,
    map: String,
    x: u32,
    y: u32,
) -> Result<Obstacle, Fault> {
    let created = store.write(move |db| {
        obstacles::insert(db, &maps::find(db, &map)?, x, y).map(|()| Obstacle { map, x, y })
    });
    Ok(created.await?)
}

/// Removes the obstacle at `(x, y)` from map `map`.
#[rpc(
    service = "gridmap",
    http = "DELETE /api/maps/{map}/obstacles/{x}/{y}/",
    throws = ["Client.NotFound", "Server"]
)]
pub async fn delete_obstacle(
    store: State<MapStore>,
    map: String,
    x: u32,
    y: u32,
) -> Result<(), Fault> {
    let deleted = store.write(move |db| obstacles::delete(db, &maps::find(db, &map)?, x, y));
    Ok(deleted.await?)
}
