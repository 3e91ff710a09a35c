//! OpenRPC: the interface document of a JSON-RPC 2.0 endpoint, built from
//! the [`InterfaceModel`], and the `rpc.discover` method that serves it.
//!
//! - [`openrpc`] / [`openrpc_document`]: the document of an application —
//!   every method with its doc comment, its parameters' schemas and
//!   constraints, its result, its declared faults as JSON-RPC errors, and
//!   the named types under `components.schemas`. Deterministic: the same
//!   application and settings give the same bytes on every run.
//! - [`discover`]: `rpc.discover`, which an application serves only when
//!   asked ([`discoverable`]), answering the same document, built once.
//!
//! ```
//! use switchboard::interface::DocumentInfo;
//! use switchboard::Application;
//! use switchboard_json::openrpc::{OpenRpcSettings, openrpc_document};
//! use switchboard_demo as _; // links the `demo` service
//!
//! let app = Application::builder().services(["demo"]).build()?;
//! let settings = OpenRpcSettings::new(DocumentInfo::new("demo", "0.1.0"));
//! let doc = openrpc_document(&app, &settings);
//! assert_eq!(doc["openrpc"], "1.3.2");
//! assert_eq!(doc["servers"][0]["url"], "/jsonrpc");
//! assert_eq!(doc["methods"][0]["name"], "echo");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod discover;
mod method;

use serde_json::{Map, Value, json};
use switchboard::Application;
use switchboard::interface::{DocumentInfo, InterfaceModel, ModelSettings};

pub use discover::{DISCOVER, Discovery, discoverable};

/// The OpenRPC version the documents follow.
pub const OPENRPC_VERSION: &str = "1.3.2";

/// Where named types live in an OpenRPC document.
const DEFINITIONS_PATH: &str = "#/components/schemas/";

/// What an OpenRPC document says besides the methods.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenRpcSettings {
    /// Title, version and the public base URL.
    pub info: DocumentInfo,
    /// The path of the JSON-RPC endpoint (`/jsonrpc`), joined to the base
    /// URL in `servers`.
    pub endpoint: String,
}

impl OpenRpcSettings {
    /// The endpoint's default path.
    pub const DEFAULT_ENDPOINT: &str = "/jsonrpc";

    /// A document with `info`, for the endpoint at `/jsonrpc`.
    pub fn new(info: DocumentInfo) -> Self {
        Self {
            info,
            endpoint: Self::DEFAULT_ENDPOINT.to_owned(),
        }
    }

    /// Names the endpoint's path.
    #[must_use]
    pub fn with_endpoint(mut self, path: impl Into<String>) -> Self {
        self.endpoint = format!("/{}", path.into().trim_start_matches('/'));
        self
    }
}

/// The OpenRPC document of `app`, as pretty-printed JSON ending in a
/// newline.
pub fn openrpc(app: &Application, settings: &OpenRpcSettings) -> String {
    to_text(&openrpc_document(app, settings))
}

/// The OpenRPC document of `app`.
pub fn openrpc_document(app: &Application, settings: &OpenRpcSettings) -> Value {
    let model = InterfaceModel::of(
        app,
        &ModelSettings::default().with_definitions_path(DEFINITIONS_PATH),
    );
    let info = &settings.info;
    let methods: Vec<Value> = model.methods.iter().map(method::method_object).collect();
    let mut document = Map::new();
    document.insert("openrpc".into(), OPENRPC_VERSION.into());
    document.insert(
        "info".into(),
        json!({ "title": info.title, "version": info.version }),
    );
    document.insert(
        "servers".into(),
        json!([{ "name": "jsonrpc", "url": info.link(&settings.endpoint) }]),
    );
    document.insert("methods".into(), methods.into());
    if !model.definitions.is_empty() {
        document.insert(
            "components".into(),
            json!({ "schemas": Value::Object(model.definitions) }),
        );
    }
    Value::Object(document)
}

/// A document as the text served and written: pretty JSON and a newline.
pub(crate) fn to_text(document: &Value) -> String {
    // Serializing a `Value` to a string cannot fail: its keys are strings.
    let mut text = serde_json::to_string_pretty(document).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests;
