//! The typed client over HTTP, with the gridmap call structs: JSON-RPC at
//! `/jsonrpc`, the JSON document at `/json/{method}`.

use std::sync::Arc;

use switchboard::Client;
use switchboard_gridmap::{
    Cell, CreateMap, CreateObserver, CreateObstacle, GetMap, GetVisibleCells, ListMaps, UpdateMap,
};
use switchboard_http::{HttpClient, HttpConfig};
use switchboard_json::{JsonDocument, JsonRpc};

use super::{TestResult, start};

#[tokio::test]
async fn the_typed_client_calls_gridmap_in_both_json_protocols() -> TestResult {
    let running = start(HttpConfig::default()).await?;
    let rpc = HttpClient::new(running.url("/jsonrpc"))?;
    let document = HttpClient::new(running.url("/json"))?.with_method_in_path(true);
    let clients = [
        ("Rpc Map", Client::new(Arc::new(rpc), Arc::new(JsonRpc))),
        (
            "Doc Map",
            Client::new(Arc::new(document), Arc::new(JsonDocument)),
        ),
    ];
    for (name, client) in &clients {
        build_and_look(client, name).await?;
    }
    let maps = clients[0]
        .1
        .call(ListMaps {
            limit: None,
            after: None,
        })
        .await?
        .maps;
    let slugs: Vec<&str> = maps.iter().map(|m| m.slug.as_str()).collect();
    assert_eq!(slugs, ["doc-map", "rpc-map"]);
    running.shutdown().await
}

/// Creates map `name` with an observer and an obstacle, asks what the
/// observer sees, renames the map and reads it back, then misses a map.
async fn build_and_look(client: &Client, name: &str) -> TestResult {
    let (width, height) = (5, 3);
    let map = client
        .call(CreateMap {
            name: name.to_owned(),
            width,
            height,
        })
        .await?
        .slug;
    let (x, y, range) = (0, 1, 2);
    let eye = CreateObserver {
        map: map.clone(),
        name: "Eye".to_owned(),
        x,
        y,
        range,
    };
    assert_eq!(client.call(eye).await?.slug, "eye");
    let (x, y) = (1, 1);
    client
        .call(CreateObstacle {
            map: map.clone(),
            x,
            y,
        })
        .await?;
    let observer = "eye".to_owned();
    let seen = client
        .call(GetVisibleCells {
            map: map.clone(),
            observer,
        })
        .await?;
    // Range 2 from (0, 1): (2, 1) is hidden behind the obstacle; the
    // diagonal sight lines only touch its corners.
    let cells = [(0, 0), (1, 0), (0, 1), (1, 1), (0, 2), (1, 2)].map(|(x, y)| Cell::new(x, y));
    assert_eq!(
        (seen.observer.as_str(), seen.cells.as_slice()),
        ("eye", cells.as_slice())
    );
    rename_and_miss(client, &map).await
}

async fn rename_and_miss(client: &Client, map: &str) -> TestResult {
    let rename = UpdateMap {
        slug: map.to_owned(),
        name: Some("Renamed".to_owned()),
        width: None,
        height: Some(4),
    };
    client.call(rename).await?;
    let detail = client
        .call(GetMap {
            slug: map.to_owned(),
        })
        .await?;
    assert_eq!(
        (detail.name.as_str(), detail.slug.as_str()),
        ("Renamed", map)
    );
    assert_eq!((detail.width, detail.height), (5, 4));
    assert_eq!((detail.observers.len(), detail.obstacles.len()), (1, 1));
    let missing = client
        .call(GetMap {
            slug: "nowhere".to_owned(),
        })
        .await;
    let code = missing
        .err()
        .and_then(|err| Some(err.fault()?.code().to_owned()));
    assert_eq!(code.as_deref(), Some("Client.NotFound"));
    Ok(())
}
