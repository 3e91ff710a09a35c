use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use switchboard::{Application, Fault, rpc};
use switchboard_demo as _;

use super::*;

/// A shelf of the tests' REST service.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
struct Shelf {
    /// Its name.
    name: String,
    /// How many books it holds.
    books: u32,
}

/// Puts up a shelf.
///
/// Names are unique.
#[rpc(
    service = "library",
    http = "POST /api/shelves/",
    created = "/api/shelves/{name}/",
    throws = ["Client.Conflict"]
)]
fn add_shelf(#[schemars(length(min = 1, max = 20))] name: String, books: Option<u32>) -> Shelf {
    Shelf {
        name,
        books: books.unwrap_or(0),
    }
}

/// One shelf.
#[rpc(service = "library", http = "GET /api/shelves/{name}/", throws = ["Client.NotFound"])]
fn get_shelf(name: String, with_books: Option<bool>) -> Result<Shelf, Fault> {
    Err(Fault::not_found(format!(
        "no shelf {name} ({with_books:?})"
    )))
}

/// Takes a shelf down.
#[rpc(service = "library", http = "DELETE /api/shelves/{name}/")]
fn remove_shelf(name: String) {
    let _ = name;
}

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn settings() -> OpenApiSettings {
    OpenApiSettings::new(DocumentInfo::new("library", "2.0"))
        .with_json_endpoint("/json")
        .with_rest(true)
}

fn library() -> Result<Application, switchboard::BuildError> {
    Application::builder().services(["library", "demo"]).build()
}

#[test]
fn rpc_operations_take_the_arguments_and_answer_results_and_faults() -> TestResult {
    let doc = openapi_document(&library()?, &settings());
    let echo = &doc["paths"]["/json/echo"]["post"];
    assert_eq!(echo["operationId"], "echo");
    assert_eq!(echo["tags"], json!(["demo"]));
    assert_eq!(echo["summary"], "Returns `s` unchanged.");
    assert_eq!(echo["requestBody"]["required"], true);
    assert_eq!(
        echo["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"type": "string"})
    );
    assert_eq!(
        echo["responses"]["400"]["description"],
        "Fault: `Client.InvalidParams`"
    );
    assert_eq!(
        echo["responses"]["500"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/Fault"})
    );
    // A one-way method answers `null` over HTTP, as any `()` method.
    let sleep = &doc["paths"]["/json/sleep"]["post"];
    assert_eq!(
        sleep["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"type": "null"})
    );
    let seconds =
        &sleep["requestBody"]["content"]["application/json"]["schema"]["properties"]["seconds"];
    assert_eq!(seconds["maximum"], 3600);
    // A declared `Client` fault is a 400.
    let fail = &doc["paths"]["/json/fail"]["post"];
    assert_eq!(
        fail["responses"]["400"]["description"],
        "Fault: `Client`, `Client.InvalidParams`"
    );
    Ok(())
}

#[test]
fn rest_bindings_read_path_query_and_body_as_the_server_does() -> TestResult {
    let doc = openapi_document(&library()?, &settings());
    let add = &doc["paths"]["/api/shelves/"]["post"];
    assert_eq!(add["operationId"], "add_shelf.rest");
    assert_eq!(add["description"], "Puts up a shelf.\n\nNames are unique.");
    let body = &add["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["required"], json!(["name"]));
    assert_eq!(body["properties"]["name"]["maxLength"], 20);
    let created = &add["responses"]["201"];
    assert_eq!(
        created["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/Shelf"})
    );
    assert!(created["headers"]["Location"].is_object());
    assert_eq!(
        add["responses"]["409"]["description"],
        "Fault: `Client.Conflict`"
    );
    let get = &doc["paths"]["/api/shelves/{name}/"]["get"];
    let parameters = &get["parameters"];
    assert_eq!(parameters[0]["name"], "name");
    assert_eq!(parameters[0]["in"], "path");
    assert_eq!(parameters[0]["required"], true);
    assert_eq!(parameters[0]["schema"]["type"], "string");
    assert_eq!(parameters[1]["name"], "with_books");
    assert_eq!(parameters[1]["in"], "query");
    assert_eq!(parameters[1]["required"], false);
    assert_eq!(parameters[1]["schema"]["type"], json!(["boolean", "null"]));
    assert_eq!(
        get["responses"]["404"]["description"],
        "Fault: `Client.NotFound`"
    );
    let remove = &doc["paths"]["/api/shelves/{name}/"]["delete"];
    assert!(remove["responses"]["204"].is_object());
    assert!(remove.get("requestBody").is_none());
    assert_eq!(
        doc["components"]["schemas"]["Shelf"]["required"],
        json!(["name", "books"])
    );
    Ok(())
}

#[test]
fn only_the_mounts_asked_for_are_described() -> TestResult {
    let app = library()?;
    let rest_only = OpenApiSettings::new(DocumentInfo::new("l", "1")).with_rest(true);
    let doc = openapi_document(&app, &rest_only);
    let paths: Vec<&String> = doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.keys())
        .collect();
    assert_eq!(paths, ["/api/shelves/", "/api/shelves/{name}/"]);
    let none = openapi_document(&app, &OpenApiSettings::new(DocumentInfo::new("l", "1")));
    assert_eq!(none["paths"], json!({}));
    Ok(())
}

#[test]
fn auth_adds_the_scheme_and_401_without_the_secret() -> TestResult {
    let app = library()?;
    let bearer = settings().with_auth(Auth::Bearer {
        token: "s3cret".into(),
    });
    let text = openapi(&app, &bearer);
    assert!(!text.contains("s3cret"));
    let doc: Value = serde_json::from_str(&text)?;
    assert_eq!(
        doc["components"]["securitySchemes"],
        json!({"bearerAuth": {"type": "http", "scheme": "bearer"}})
    );
    assert_eq!(doc["security"], json!([{"bearerAuth": []}]));
    let echo = &doc["paths"]["/json/echo"]["post"];
    assert_eq!(
        echo["responses"]["401"]["description"],
        "Fault: `Client.Unauthorized`"
    );
    let basic = settings().with_auth(Auth::Basic {
        user: "ada".into(),
        password: "pw".into(),
    });
    let doc = openapi_document(&app, &basic);
    assert_eq!(doc["security"], json!([{"basicAuth": []}]));
    assert!(
        openapi_document(&app, &settings())
            .get("security")
            .is_none()
    );
    Ok(())
}

#[test]
fn servers_follow_the_base_url_and_output_is_stable() -> TestResult {
    let app = library()?;
    assert_eq!(
        openapi_document(&app, &settings())["servers"],
        json!([{"url": "/"}])
    );
    let mut public = settings();
    public.info = public.info.with_base_url("https://books.example.com/");
    let doc = openapi_document(&app, &public);
    assert_eq!(
        doc["servers"],
        json!([{"url": "https://books.example.com"}])
    );
    assert_eq!(openapi(&app, &public), openapi(&library()?, &public));
    Ok(())
}

#[test]
fn methods_with_constraints_document_the_validation_fault() -> TestResult {
    let doc: Value = serde_json::from_str(&openapi(&library()?, &settings()))?;
    let paths = &doc["paths"];
    let fault_400 = |path: &str| paths[path]["post"]["responses"]["400"]["description"].clone();
    // `add_shelf` declares a length on `name`: a caller may get either fault.
    let constrained = fault_400("/json/add_shelf");
    assert!(
        constrained.as_str().is_some_and(
            |d| d.contains("`Client.Validation`") && d.contains("`Client.InvalidParams`")
        ),
        "{constrained}"
    );
    // `remove_shelf` declares none.
    let plain = fault_400("/json/remove_shelf");
    assert!(
        plain.as_str().is_some_and(|d| !d.contains("Validation")),
        "{plain}"
    );
    Ok(())
}
