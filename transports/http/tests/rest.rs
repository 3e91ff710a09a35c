//! REST route bindings over a real socket: typed path parameters, query and
//! body parameters, 201 + Location, 204, 400 on a mistyped segment, 405 +
//! Allow, HEAD and OPTIONS, faults as statuses.

mod common;

use std::collections::BTreeMap;
use std::sync::Mutex;

use common::{server, start};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use switchboard::{Application, Fault, State, rpc};
use switchboard_http::HttpConfig;

/// Items by id.
#[derive(Default)]
struct Shelf(Mutex<BTreeMap<u32, Item>>);

impl Shelf {
    fn items(&self) -> std::sync::MutexGuard<'_, BTreeMap<u32, Item>> {
        // No test panics while holding the lock.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A thing on the shelf.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
struct Item {
    id: u32,
    name: String,
    price: f64,
}

/// Lists the items, optionally only those up to `max_price`.
#[rpc(service = "items", http = "GET /api/items/")]
fn list_items(shelf: State<Shelf>, max_price: Option<f64>) -> Vec<Item> {
    let items = shelf.items();
    items
        .values()
        .filter(|i| max_price.is_none_or(|max| i.price <= max))
        .cloned()
        .collect()
}

/// Adds an item.
#[rpc(
    service = "items",
    http = "POST /api/items/",
    created = "/api/items/{id}/"
)]
fn add_item(
    shelf: State<Shelf>,
    id: u32,
    #[schemars(length(min = 1))] name: String,
    #[schemars(range(min = 0))] price: f64,
) -> Result<Item, Fault> {
    let mut items = shelf.items();
    if items.contains_key(&id) {
        return Err(Fault::conflict(format!("item {id} exists")));
    }
    let item = Item { id, name, price };
    items.insert(id, item.clone());
    Ok(item)
}

/// One item.
#[rpc(service = "items", http = "GET /api/items/{id}/")]
fn get_item(shelf: State<Shelf>, id: u32) -> Result<Item, Fault> {
    let items = shelf.items();
    items
        .get(&id)
        .cloned()
        .ok_or_else(|| Fault::not_found(format!("no item {id}")))
}

/// Renames an item.
#[rpc(service = "items", http = "PUT /api/items/{id}/")]
fn rename_item(shelf: State<Shelf>, id: u32, name: String) -> Result<(), Fault> {
    let mut items = shelf.items();
    let item = items
        .get_mut(&id)
        .ok_or_else(|| Fault::not_found(format!("no item {id}")))?;
    item.name = name;
    Ok(())
}

/// Removes an item.
#[rpc(service = "items", http = "DELETE /api/items/{id}/")]
fn remove_item(shelf: State<Shelf>, id: u32) -> Result<(), Fault> {
    let mut items = shelf.items();
    items
        .remove(&id)
        .map(drop)
        .ok_or_else(|| Fault::not_found(format!("no item {id}")))
}

/// Echoes the rest of the path.
#[rpc(service = "items", http = "GET /files/{*path}")]
fn file(path: String) -> String {
    path
}

fn app() -> Application {
    Application::builder()
        .services(["items"])
        .state(Shelf::default())
        .build()
        .expect("items")
}

#[tokio::test]
async fn crud_through_route_bindings() -> Result<(), Box<dyn std::error::Error>> {
    let running = start(server(
        app(),
        HttpConfig::default().with_public_url("https://shop.example/"),
    ))
    .await;
    let http = reqwest::Client::new();
    let created = http
        .post(running.url("/api/items/"))
        .json(&json!({"id": 7, "name": "lamp", "price": 12.5}))
        .send()
        .await?;
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(
        created.headers()["location"],
        "https://shop.example/api/items/7/"
    );
    assert_eq!(
        created.json::<Value>().await?,
        json!({"id": 7, "name": "lamp", "price": 12.5})
    );

    let again = http
        .post(running.url("/api/items/"))
        .json(&json!({"id": 7, "name": "x", "price": 1}))
        .send()
        .await?;
    assert_eq!(again.status().as_u16(), 409);
    assert_eq!(again.json::<Value>().await?["faultcode"], "Client.Conflict");

    let invalid = http
        .post(running.url("/api/items/"))
        .json(&json!({"id": 8, "name": "", "price": -1}))
        .send()
        .await?;
    assert_eq!(invalid.status().as_u16(), 400);
    assert_eq!(
        invalid.json::<Value>().await?["faultcode"],
        "Client.Validation"
    );

    let got = http.get(running.url("/api/items/7/")).send().await?;
    assert_eq!(got.status().as_u16(), 200);
    assert_eq!(got.json::<Value>().await?["name"], "lamp");

    let renamed = http
        .put(running.url("/api/items/7/"))
        .json(&json!({"name": "desk lamp"}))
        .send()
        .await?;
    assert_eq!(renamed.status().as_u16(), 204);
    assert_eq!(renamed.text().await?, "");

    let list = http
        .get(running.url("/api/items/?max_price=20"))
        .send()
        .await?;
    assert_eq!(list.json::<Value>().await?[0]["name"], "desk lamp");
    let cheap = http
        .get(running.url("/api/items/?max_price=5"))
        .send()
        .await?;
    assert_eq!(cheap.json::<Value>().await?, json!([]));
    let bad_query = http
        .get(running.url("/api/items/?max_price=cheap"))
        .send()
        .await?;
    assert_eq!(bad_query.status().as_u16(), 400);
    let unknown_query = http
        .get(running.url("/api/items/?colour=red"))
        .send()
        .await?;
    assert_eq!(unknown_query.status().as_u16(), 400);

    assert_eq!(
        http.delete(running.url("/api/items/7/"))
            .send()
            .await?
            .status()
            .as_u16(),
        204
    );
    let gone = http.get(running.url("/api/items/7/")).send().await?;
    assert_eq!(gone.status().as_u16(), 404);
    assert_eq!(gone.json::<Value>().await?["faultcode"], "Client.NotFound");
    running.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn typed_segments_verbs_head_and_options() -> Result<(), Box<dyn std::error::Error>> {
    let running = start(server(app(), HttpConfig::default())).await;
    let http = reqwest::Client::new();
    // Not an integer: refused, naming the parameter (see `refusals.rs`).
    assert_eq!(
        http.get(running.url("/api/items/abc/"))
            .send()
            .await?
            .status()
            .as_u16(),
        400
    );
    assert_eq!(
        http.get(running.url("/api/items/-1/"))
            .send()
            .await?
            .status()
            .as_u16(),
        400,
        "an integer, but not a u32"
    );
    let wrong = http.patch(running.url("/api/items/1/")).send().await?;
    assert_eq!(wrong.status().as_u16(), 405);
    let allow = wrong.headers()["allow"].to_str()?.to_owned();
    for verb in ["GET", "PUT", "DELETE"] {
        assert!(allow.contains(verb), "{allow}");
    }
    let options = http
        .request(reqwest::Method::OPTIONS, running.url("/api/items/1/"))
        .send()
        .await?;
    assert_eq!(options.status().as_u16(), 204);
    let allow = options.headers()["allow"].to_str()?.to_owned();
    assert!(
        allow.contains("HEAD") && allow.contains("OPTIONS") && allow.contains("DELETE"),
        "{allow}"
    );
    let head = http.head(running.url("/api/items/")).send().await?;
    assert_eq!(head.status().as_u16(), 200);
    assert_eq!(head.text().await?, "");
    let file = http.get(running.url("/files/a/b%20c.txt")).send().await?;
    assert_eq!(file.json::<String>().await?, "a/b c.txt");
    let form = http
        .post(running.url("/api/items/"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("id=1")
        .send()
        .await?;
    assert_eq!(form.status().as_u16(), 415);
    let not_object = http
        .post(running.url("/api/items/"))
        .json(&json!([1, 2]))
        .send()
        .await?;
    assert_eq!(not_object.status().as_u16(), 400);
    running.shutdown().await;
    Ok(())
}
