//! The observer methods: list, create, get, update, delete.

use switchboard::{Fault, State, rpc};

use crate::model::{DEFAULT_PAGE, MAX_NAME_CHARS, MAX_RANGE, Observer, ObserverList};
use crate::slug::slug_of;
use crate::store::observers::{self, ObserverChange};
use crate::store::{MapStore, maps};

/// The observers on map `map`, in reading order (by `y`, then `x`), a page
/// at a time: at most `limit` (default 100, at most 1000) after the cursor
/// `after`. When more follow, `next` is the `after` of the next page.
#[rpc(
    service = "gridmap",
    http = "GET /api/maps/{map}/observers/",
    throws = ["Client.Validation", "Client.NotFound", "Server"]
)]
pub async fn list_observers(
    store: State<MapStore>,
    map: String,
    #[schemars(range(min = 1, max = 1000))] limit: Option<u32>,
    after: Option<String>,
) -> Result<ObserverList, Fault> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    let (observers, next) = store
        .read(move |db| observers::page(db, &maps::find(db, &map)?, after.as_deref(), limit))
        .await?;
    Ok(ObserverList { observers, next })
}

/// Places an observer with vision `range` at `(x, y)` on map `map`. Its slug
/// is derived from the name and must be free on the map; the cell must be on
/// the grid, with no obstacle and no other observer.
#[rpc(
    service = "gridmap",
    http = "POST /api/maps/{map}/observers/",
    created = "/api/maps/{map}/observers/{slug}/",
    throws = ["Client.Validation", "Client.NotFound", "Client.Conflict", "Server"]
)]
pub async fn create_observer(
    store: State<MapStore>,
    map: String,
    #[schemars(length(min = 1, max = MAX_NAME_CHARS))] name: String,
    x: u32,
    y: u32,
    #[schemars(range(min = 1, max = MAX_RANGE))] range: u32,
) -> Result<Observer, Fault> {
    let slug = slug_of("observer name", &name)?;
    let observer = Observer {
        map,
        slug,
        name,
        x,
        y,
        range,
    };
    let created = store.write(move |db| {
        let row = maps::find(db, &observer.map)?;
        observers::insert(db, &row, &observer).map(|()| observer)
    });
    Ok(created.await?)
}

/// The observer `observer` on map `map`.
#[rpc(
    service = "gridmap",
    http = "GET /api/maps/{map}/observers/{observer}/",
    throws = ["Client.NotFound", "Server"]
)]
pub async fn get_observer(
    store: State<MapStore>,
    map: String,
    observer: String,
) -> Result<Observer, Fault> {
    let found = store.read(move |db| observers::find(db, &maps::find(db, &map)?, &observer));
    Ok(found.await?)
}

/// Renames, moves or changes the range of observer `observer` on map `map`;
/// parameters left out keep their value. The slug never changes. A new cell
/// must be on the grid, with no obstacle and no other observer.
#[rpc(
    service = "gridmap",
    http = "PUT /api/maps/{map}/observers/{observer}/",
    throws = ["Client.Validation", "Client.NotFound", "Client.Conflict", "Server"]
)]
pub async fn update_observer(
    store: State<MapStore>,
    map: String,
    observer: String,
    #[schemars(length(min = 1, max = MAX_NAME_CHARS))] name: Option<String>,
    x: Option<u32>,
    y: Option<u32>,
    #[schemars(range(min = 1, max = MAX_RANGE))] range: Option<u32>,
) -> Result<(), Fault> {
    if let Some(name) = &name {
        slug_of("observer name", name)?;
    }
    let change = ObserverChange { name, x, y, range };
    let updated =
        store.write(move |db| observers::update(db, &maps::find(db, &map)?, &observer, change));
    Ok(updated.await?)
}

/// Removes observer `observer` from map `map`.
#[rpc(
    service = "gridmap",
    http = "DELETE /api/maps/{map}/observers/{observer}/",
    throws = ["Client.NotFound", "Server"]
)]
pub async fn delete_observer(
    store: State<MapStore>,
    map: String,
    observer: String,
) -> Result<(), Fault> {
    let deleted = store.write(move |db| observers::delete(db, &maps::find(db, &map)?, &observer));
    Ok(deleted.await?)
}
