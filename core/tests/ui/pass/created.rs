//! `created` locations that must compile: the macro refuses only what it can
//! know is wrong; whether the result has a field is checked when the
//! application is built, against the serialized names.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard::rpc;

/// A book, with a field renamed on the wire.
#[derive(Serialize, Deserialize, JsonSchema)]
struct Book {
    #[serde(rename = "bookId")]
    id: u32,
    title: String,
}

/// The placeholder is the serialized name, not the Rust field's.
#[rpc(service = "library", http = "POST /books/", created = "/books/{bookId}/")]
fn add_book(title: String) -> Book {
    Book { id: 1, title }
}

/// A placeholder filled by the route's path parameter needs no result field,
/// even from a result that has none.
#[rpc(
    service = "library",
    http = "PUT /shelves/{shelf}/",
    created = "/shelves/{shelf}/"
)]
fn put_shelf(shelf: String) {
    let _ = shelf;
}

/// A catch-all route parameter fills its placeholder too.
#[rpc(service = "library", http = "PUT /files/{*path}", created = "/files/{path}")]
fn put_file(path: String) -> (u32, u32) {
    let _ = path;
    (0, 0)
}

fn main() {}
