//! The map methods: list, create, get, update, delete.

use switchboard::{Fault, State, rpc};

use crate::model::{DEFAULT_PAGE, MAX_NAME_CHARS, MAX_SIZE, MapDetail, MapList, MapSummary};
use crate::slug::slug_of;
use crate::store::MapStore;
use crate::store::maps::{self, MapChange};

/// Lists the maps (name, slug and size, without contents) by slug, a page
/// at a time: at most `limit` maps (default 100, at most 1000) whose slugs
/// come after `after`. When more follow, `next` is the `after` of the next
/// page (`GET /api/maps/?after={next}`).
#[rpc(service = "gridmap", http = "GET /api/maps/", throws = ["Client.Validation", "Server"])]
pub async fn list_maps(
    store: State<MapStore>,
    #[schemars(range(min = 1, max = 1000))] limit: Option<u32>,
    after: Option<String>,
) -> Result<MapList, Fault> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    let (maps, next) = store
        .read(move |db| maps::page(db, after.as_deref(), limit))
        .await?;
    Ok(MapList { maps, next })
}

/// Creates an empty `width` × `height` map. Its slug is derived from the
/// name ("Fancy Map" -> `fancy-map`) and must not be taken.
#[rpc(
    service = "gridmap",
    http = "POST /api/maps/",
    created = "/api/maps/{slug}/",
    throws = ["Client.Validation", "Client.Conflict", "Server"]
)]
pub async fn create_map(
    store: State<MapStore>,
    #[schemars(length(min = 1, max = MAX_NAME_CHARS))] name: String,
    #[schemars(range(min = 1, max = MAX_SIZE))] width: u32,
    #[schemars(range(min = 1, max = MAX_SIZE))] height: u32,
) -> Result<MapSummary, Fault> {
    let slug = slug_of("map name", &name)?;
    let map = MapSummary {
        name,
        slug,
        width,
        height,
    };
    Ok(store
        .write(move |db| maps::insert(db, &map).map(|()| map))
        .await?)
}

/// The map with `slug`, with its observers and obstacles.
#[rpc(
    service = "gridmap",
    http = "GET /api/maps/{slug}/",
    throws = ["Client.NotFound", "Server"]
)]
pub async fn get_map(store: State<MapStore>, slug: String) -> Result<MapDetail, Fault> {
    Ok(store.read(move |db| maps::detail(db, &slug)).await?)
}

/// Renames or resizes the map with `slug`; parameters left out keep their
/// value. The slug never changes, even with a new name. A map cannot shrink
/// while an observer or obstacle would fall outside it.
#[rpc(
    service = "gridmap",
    http = "PUT /api/maps/{slug}/",
    throws = ["Client.Validation", "Client.NotFound", "Client.Conflict", "Server"]
)]
pub async fn update_map(
    store: State<MapStore>,
    slug: String,
    #[schemars(length(min = 1, max = MAX_NAME_CHARS))] name: Option<String>,
    #[schemars(range(min = 1, max = MAX_SIZE))] width: Option<u32>,
    #[schemars(range(min = 1, max = MAX_SIZE))] height: Option<u32>,
) -> Result<(), Fault> {
    if let Some(name) = &name {
        slug_of("map name", name)?;
    }
    let change = MapChange {
        name,
        width,
        height,
    };
    Ok(store
        .write(move |db| maps::update(db, &slug, change))
        .await?)
}

/// Deletes the map with `slug`, with its observers and obstacles.
#[rpc(
    service = "gridmap",
    http = "DELETE /api/maps/{slug}/",
    throws = ["Client.NotFound", "Server"]
)]
pub async fn delete_map(store: State<MapStore>, slug: String) -> Result<(), Fault> {
    Ok(store.write(move |db| maps::delete(db, &slug)).await?)
}
