//! The sight method: what an observer sees, by the rule of
//! [`sight`].

use rusqlite::Connection;
use switchboard::{Fault, State, rpc};

use crate::model::{Cell, VisibleCells};
use crate::sight::{self, Grid};
use crate::store::{MapStore, StoreError, maps, observers, obstacles};

/// The cells observer `observer` on map `map` sees, in reading order (by
/// `y`, then `x`): those within its range whose centre it sees along a
/// straight line through no obstacle. Obstacles are seen but hide what lies
/// behind them; the observer's own cell is included.
// The call struct is `GetVisibleCells`: `VisibleCells` names the result.
#[rpc(
    service = "gridmap",
    call = "GetVisibleCells",
    http = "GET /api/maps/{map}/observers/{observer}/visible/",
    throws = ["Client.NotFound", "Server"]
)]
pub async fn visible_cells(
    store: State<MapStore>,
    map: String,
    observer: String,
) -> Result<VisibleCells, Fault> {
    let slug = observer.clone();
    let (grid, at, range) = store.read(move |db| scene(db, &map, &slug)).await?;
    // The walk is pure but not free (range 64 is some 13,000 lines of sight),
    // so it runs on the blocking pool too, after the connection is released.
    let cells = tokio::task::spawn_blocking(move || sight::visible_cells(&grid, at, range))
        .await
        .map_err(StoreError::from)?;
    Ok(VisibleCells { observer, cells })
}

/// The observer's cell and range, and the part of its map it could see.
fn scene(db: &Connection, map: &str, observer: &str) -> Result<(Grid, Cell, u32), StoreError> {
    let row = maps::find(db, map)?;
    let found = observers::find(db, &row, observer)?;
    let columns = found.x.saturating_sub(found.range)..=found.x.saturating_add(found.range);
    let rows = found.y.saturating_sub(found.range)..=found.y.saturating_add(found.range);
    let nearby = obstacles::within(db, &row, columns, rows)?;
    let grid = Grid::new(row.map.width, row.map.height, nearby);
    Ok((grid, Cell::new(found.x, found.y), found.range))
}
