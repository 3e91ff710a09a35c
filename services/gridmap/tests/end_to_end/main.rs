//! The `gridmap` service end to end, in process: JSON-RPC 2.0 over the
//! loopback transport, on a real SQLite file.
//!
//! - `maps`: the map methods and their rules.
//! - `contents`: observers, obstacles, what observers see.
//! - `concurrency`: many creations at once.
//! - `sync`: map files imported and exported through the client.

mod concurrency;
mod contents;
mod maps;
mod sync;

use std::error::Error;
use std::fmt::Debug;
use std::sync::Arc;

use switchboard::local::LocalClient;
use switchboard::{Application, CallError, Client, Server};
use switchboard_gridmap::{
    CreateMap, CreateObserver, CreateObstacle, GetMap, GetObserver, MapStore, UpdateMap,
    UpdateObserver,
};
use switchboard_json::JsonRpc;
use tempfile::TempDir;

/// What a test returns.
type TestResult = Result<(), Box<dyn Error>>;

/// A client of a fresh `gridmap` service; the database lives as long as it.
struct Fixture {
    client: Client,
    _dir: TempDir,
}

fn fixture() -> Result<Fixture, Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let app = Application::builder()
        .services(["gridmap"])
        .state(MapStore::open(dir.path().join("maps.db"))?)
        .build()?;
    let server = Server::new(app, JsonRpc);
    let client = Client::new(Arc::new(LocalClient::direct(server)), Arc::new(JsonRpc));
    Ok(Fixture { client, _dir: dir })
}

/// Every map, walking the pages of `list_maps`.
async fn all_maps(client: &Client) -> Result<Vec<switchboard_gridmap::MapSummary>, CallError> {
    let mut maps = Vec::new();
    let mut after = None;
    loop {
        let page = client
            .call(switchboard_gridmap::ListMaps { limit: None, after })
            .await?;
        maps.extend(page.maps);
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(maps),
        }
    }
}

/// The fault code a call failed with; panics if it did not fail with one.
fn fault_code<T: Debug>(result: Result<T, CallError>) -> String {
    match result {
        Err(CallError::Fault(fault)) => fault.code().to_owned(),
        other => panic!("expected a fault, got {other:?}"),
    }
}

/// Checks a call fails with `code` and a message holding `needle`.
fn assert_fault<T: Debug>(result: Result<T, CallError>, code: &str, needle: &str) {
    match result {
        Err(CallError::Fault(fault)) => {
            assert_eq!(fault.code(), code, "{fault}");
            assert!(
                fault.message().contains(needle),
                "`{needle}` not in: {fault}"
            );
        }
        other => panic!("expected a {code} fault, got {other:?}"),
    }
}

const VALIDATION: &str = "Client.Validation";
const CONFLICT: &str = "Client.Conflict";
const NOT_FOUND: &str = "Client.NotFound";

fn create_map(name: &str, width: u32, height: u32) -> CreateMap {
    let name = name.to_owned();
    CreateMap {
        name,
        width,
        height,
    }
}

fn get_map(slug: &str) -> GetMap {
    let slug = slug.to_owned();
    GetMap { slug }
}

/// An update of map `slug` that changes nothing yet.
fn update_map(slug: &str) -> UpdateMap {
    UpdateMap {
        slug: slug.to_owned(),
        name: None,
        width: None,
        height: None,
    }
}

/// A new observer on map `m`.
fn create_observer(name: &str, (x, y): (u32, u32), range: u32) -> CreateObserver {
    CreateObserver {
        map: "m".to_owned(),
        name: name.to_owned(),
        x,
        y,
        range,
    }
}

/// Observer `slug` of map `m`.
fn get_observer(slug: &str) -> GetObserver {
    let (map, observer) = ("m".to_owned(), slug.to_owned());
    GetObserver { map, observer }
}

/// An update of observer `slug` of map `m` that changes nothing yet.
fn update_observer(slug: &str) -> UpdateObserver {
    UpdateObserver {
        map: "m".to_owned(),
        observer: slug.to_owned(),
        name: None,
        x: None,
        y: None,
        range: None,
    }
}

/// A new obstacle on map `m`.
fn create_obstacle(x: u32, y: u32) -> CreateObstacle {
    let map = "m".to_owned();
    CreateObstacle { map, x, y }
}
