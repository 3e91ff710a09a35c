//! OpenAPI 3.1: the interface document of the HTTP server, built from the
//! [`InterfaceModel`]: every method's `POST {json endpoint}/{method}` and
//! every REST route binding, with request and response schemas (JSON
//! Schema 2020-12, constraints included), each declared fault as a
//! response with the status the server answers it with, the auth scheme
//! when auth is on, and the doc comments.
//!
//! Deterministic: the same application and settings give the same bytes
//! on every run, and links start with the configured public base URL
//! ([`DocumentInfo::base_url`]), never with a request's host.
//!
//! ```
//! use switchboard::Application;
//! use switchboard::interface::DocumentInfo;
//! use switchboard_http::openapi::{OpenApiSettings, openapi_document};
//! use switchboard_demo as _; // links the `demo` service
//!
//! let app = Application::builder().services(["demo"]).build()?;
//! let settings = OpenApiSettings::new(DocumentInfo::new("demo", "0.1.0"))
//!     .with_json_endpoint("/json");
//! let doc = openapi_document(&app, &settings);
//! assert_eq!(doc["openapi"], "3.1.0");
//! let echo = &doc["paths"]["/json/echo"]["post"];
//! assert_eq!(echo["requestBody"]["content"]["application/json"]["schema"]["required"][0], "s");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod operation;
mod responses;

use serde_json::{Map, Value, json};
use switchboard::Application;
use switchboard::interface::{DocumentInfo, InterfaceModel, ModelSettings};

use crate::config::Auth;

/// The OpenAPI version the documents follow.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// Where named types live in an OpenAPI document.
const DEFINITIONS_PATH: &str = "#/components/schemas/";

/// What the document describes besides the methods: which of the
/// server's mounts, and how callers authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenApiSettings {
    /// Title, version and the public base URL.
    pub info: DocumentInfo,
    /// The path of the JSON document endpoint (`/json`), whose
    /// `POST {path}/{method}` operations are described; `None` for none.
    pub json_endpoint: Option<String>,
    /// Whether the methods' REST route bindings are served (and described).
    pub rest: bool,
    /// How callers authenticate; only the scheme is written, never a secret.
    pub auth: Auth,
}

impl OpenApiSettings {
    /// A document with `info` and no operations yet: name the mounts with
    /// [`with_json_endpoint`](Self::with_json_endpoint) and
    /// [`with_rest`](Self::with_rest).
    pub fn new(info: DocumentInfo) -> Self {
        Self {
            info,
            json_endpoint: None,
            rest: false,
            auth: Auth::None,
        }
    }

    /// Describes `POST {path}/{method}` for every method.
    #[must_use]
    pub fn with_json_endpoint(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.json_endpoint = Some(format!("/{}", path.trim_matches('/')));
        self
    }

    /// Describes the REST route bindings.
    #[must_use]
    pub fn with_rest(mut self, rest: bool) -> Self {
        self.rest = rest;
        self
    }

    /// Describes the auth scheme of `auth` (its secrets are not written).
    #[must_use]
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }
}

/// The OpenAPI document of `app`, as pretty-printed JSON ending in a
/// newline.
pub fn openapi(app: &Application, settings: &OpenApiSettings) -> String {
    // Serializing a `Value` to a string cannot fail: its keys are strings.
    let mut text =
        serde_json::to_string_pretty(&openapi_document(app, settings)).unwrap_or_default();
    text.push('\n');
    text
}

/// The OpenAPI document of `app`.
pub fn openapi_document(app: &Application, settings: &OpenApiSettings) -> Value {
    let model = InterfaceModel::of(
        app,
        &ModelSettings::default().with_definitions_path(DEFINITIONS_PATH),
    );
    let mut schemas = model.definitions.clone();
    let fault = responses::fault_schema_name(&schemas);
    schemas.insert(fault.clone(), responses::fault_schema());
    let context = operation::Context {
        fault_ref: format!("{DEFINITIONS_PATH}{fault}"),
        auth: !matches!(settings.auth, Auth::None),
        constrained: model
            .methods
            .iter()
            .filter(|m| responses::declares_constraints(&model, &m.args))
            .map(|m| m.descriptor.name)
            .collect(),
    };
    let mut paths = Map::new();
    for method in &model.methods {
        if let Some(endpoint) = &settings.json_endpoint {
            let path = format!(
                "{}/{}",
                endpoint.trim_end_matches('/'),
                method.descriptor.name
            );
            add(&mut paths, &path, "post", operation::rpc(&context, method));
        }
        if settings.rest
            && let Some((verb, path, op)) = operation::rest(&context, method)
        {
            add(&mut paths, &path, &verb, op);
        }
    }
    let mut components = Map::new();
    components.insert("schemas".into(), Value::Object(schemas));
    let mut document = Map::new();
    document.insert("openapi".into(), OPENAPI_VERSION.into());
    document.insert(
        "info".into(),
        json!({ "title": settings.info.title, "version": settings.info.version }),
    );
    // Operation paths are absolute, so the server is the base URL itself.
    let server = settings.info.base_url.as_deref().unwrap_or("/");
    document.insert("servers".into(), json!([{ "url": server }]));
    document.insert("tags".into(), tags(&model));
    if let Some((name, scheme)) = security_scheme(&settings.auth) {
        components.insert("securitySchemes".into(), json!({ name: scheme }));
        document.insert("security".into(), json!([{ name: [] }]));
    }
    document.insert("paths".into(), Value::Object(paths));
    document.insert("components".into(), Value::Object(components));
    Value::Object(document)
}

/// Adds `operation` under `verb` of `path`.
fn add(paths: &mut Map<String, Value>, path: &str, verb: &str, operation: Value) {
    let item = paths
        .entry(path.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(item) = item {
        item.insert(verb.to_owned(), operation);
    }
}

/// One tag per service, in the methods' order.
fn tags(model: &InterfaceModel) -> Value {
    let mut services: Vec<&str> = model.methods.iter().map(|m| m.descriptor.service).collect();
    services.dedup();
    services
        .into_iter()
        .map(|name| json!({ "name": name }))
        .collect()
}

/// The security scheme's name and object for `auth`.
fn security_scheme(auth: &Auth) -> Option<(&'static str, Value)> {
    match auth {
        Auth::None => None,
        Auth::Bearer { .. } => Some(("bearerAuth", json!({ "type": "http", "scheme": "bearer" }))),
        Auth::Basic { .. } => Some(("basicAuth", json!({ "type": "http", "scheme": "basic" }))),
    }
}

#[cfg(test)]
mod tests;
