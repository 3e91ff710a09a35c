//! `created` locations checked when the application is built: a placeholder
//! the route does not fill must be a field of the *serialized* result, so a
//! renamed field is found by its wire name and a missing one stops the build
//! with an error naming the method, the placeholder and the result's fields.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard::{Application, BuildError, rpc};

/// A book as the library returns it.
#[derive(Serialize, Deserialize, JsonSchema)]
struct Book {
    #[serde(rename = "bookId")]
    id: u32,
    title: String,
}

/// The case: `{book_id}` is neither a route parameter nor a field.
#[rpc(
    service = "missing",
    http = "POST /books/",
    created = "/books/{book_id}"
)]
fn add_book(title: String) -> Book {
    Book { id: 1, title }
}

/// The serialized name fills the placeholder.
#[rpc(
    service = "renamed",
    http = "POST /books/",
    created = "/books/{bookId}"
)]
fn add_renamed(title: String) -> Book {
    Book { id: 1, title }
}

/// The Rust name of a renamed field is not what the server sees.
#[rpc(service = "rust_name", http = "POST /books/", created = "/books/{id}")]
fn add_by_rust_name(title: String) -> Book {
    Book { id: 1, title }
}

/// Route parameters fill placeholders whatever the result.
#[rpc(
    service = "route",
    http = "PUT /shelves/{shelf}/books/{slot}/",
    created = "/shelves/{shelf}/books/{slot}/{bookId}"
)]
fn put_book(shelf: String, slot: u32, title: String) -> Option<Book> {
    let _ = (shelf, slot);
    Some(Book { id: 1, title })
}

/// A map may hold any key: the server may find the field, so it passes.
#[rpc(service = "open", http = "POST /tags/", created = "/tags/{name}")]
fn add_tag(name: String) -> std::collections::BTreeMap<String, String> {
    [("name".to_owned(), name)].into()
}

/// A string has no fields.
#[rpc(service = "scalar", http = "POST /tags/", created = "/tags/{name}")]
fn add_scalar(name: String) -> String {
    name
}

fn build(service: &str) -> Result<Application, BuildError> {
    Application::builder().services([service]).build()
}

#[test]
fn a_missing_field_stops_the_build_naming_what_the_result_has() {
    let err = build("missing").expect_err("`{book_id}` cannot be filled");
    let BuildError::UnfilledLocation {
        method,
        placeholder,
        fields,
        ..
    } = &err
    else {
        panic!("unexpected error: {err}");
    };
    assert_eq!((*method, placeholder.as_str()), ("add_book", "book_id"));
    assert_eq!(fields, &["bookId", "title"]);
    let message = err.to_string();
    assert!(
        message.starts_with("method `add_book` (core/tests/created.rs:"),
        "{message}"
    );
    assert!(
        message.contains(
            "`created = \"/books/{book_id}\"` names `{book_id}`, which is neither a path parameter of its route nor a field of its result (the result has `bookId`, `title`)"
        ),
        "{message}"
    );
}

#[test]
fn serialized_names_count_not_rust_names() -> Result<(), BuildError> {
    build("renamed")?;
    let err = build("rust_name").expect_err("the wire name is `bookId`");
    assert!(
        matches!(&err, BuildError::UnfilledLocation { placeholder, .. } if placeholder == "id"),
        "{err}"
    );
    Ok(())
}

#[test]
fn route_parameters_and_open_results_pass() -> Result<(), BuildError> {
    build("route")?;
    build("open")?;
    Ok(())
}

#[test]
fn a_result_without_fields_cannot_fill_a_placeholder() {
    let err = build("scalar").expect_err("a string has no fields");
    assert!(
        err.to_string().contains("(the result has no fields)"),
        "{err}"
    );
}
