//! The type model that interface documents are built from: every served
//! method with its doc comment, its parameters' and result's JSON Schemas
//! (constraints included), its declared faults and bindings, and the named
//! types they refer to.
//!
//! WSDL, OpenAPI, OpenRPC and the docs page all read one [`InterfaceModel`],
//! so they describe the same methods with the same types. The model is
//! deterministic: methods come sorted by service and name, named types by
//! name, so documents built from it are byte-identical across runs.
//!
//! ```
//! use switchboard::interface::{InterfaceModel, ModelSettings};
//! use switchboard::{Application, rpc};
//!
//! /// Says it back.
//! ///
//! /// Any text at all.
//! #[rpc(service = "parrot")]
//! fn repeat(s: String, times: Option<u8>) -> String {
//!     s.repeat(usize::from(times.unwrap_or(2)))
//! }
//!
//! let app = Application::builder().services(["parrot"]).build()?;
//! let model = InterfaceModel::of(&app, &ModelSettings::default());
//! let repeat = model.method("repeat").expect("parrot serves repeat");
//! assert_eq!(repeat.summary(), "Says it back.");
//! assert_eq!(repeat.params[0].name, "s");
//! assert_eq!(repeat.params[0].schema["type"], "string");
//! assert!(repeat.params[0].required);
//! assert!(!repeat.params[1].required);
//! assert_eq!(repeat.result["type"], "string");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

use crate::{Application, MethodDescriptor};

/// How schemas are written into the model.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ModelSettings {
    /// The prefix of every `$ref` to a named type: `#/$defs/` (JSON Schema,
    /// OpenRPC) or `#/components/schemas/` (OpenAPI).
    pub definitions_path: String,
}

impl Default for ModelSettings {
    fn default() -> Self {
        Self {
            definitions_path: "#/$defs/".to_owned(),
        }
    }
}

impl ModelSettings {
    /// Refers to named types under `path` (e.g. `#/components/schemas/`).
    #[must_use]
    pub fn with_definitions_path(mut self, path: impl Into<String>) -> Self {
        self.definitions_path = path.into();
        self
    }
}

/// What an interface document says about itself and where it points:
/// its title and version, and the public base URL its links start with.
///
/// Links are built from the configured base only, never from a request,
/// so a document is the same bytes whoever asked first; without a base
/// they are relative to the server root (`/jsonrpc`).
///
/// ```
/// use switchboard::interface::DocumentInfo;
///
/// let info = DocumentInfo::new("maps", "1.0");
/// assert_eq!(info.link("/jsonrpc"), "/jsonrpc");
/// let info = info.with_base_url("https://maps.example.com/");
/// assert_eq!(info.link("/jsonrpc"), "https://maps.example.com/jsonrpc");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DocumentInfo {
    /// The document's title (the services' names, usually).
    pub title: String,
    /// The version of the interface it describes.
    pub version: String,
    /// The public base URL, without a trailing slash; `None` for links
    /// relative to the server root.
    pub base_url: Option<String>,
}

impl DocumentInfo {
    /// A document titled `title` describing version `version`, with
    /// relative links.
    pub fn new(title: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            version: version.into(),
            base_url: None,
        }
    }

    /// Starts every link with `url` (`https://maps.example.com`).
    #[must_use]
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// The link to `path` (which starts with `/`): under the base URL, or
    /// the path itself.
    pub fn link(&self, path: &str) -> String {
        match &self.base_url {
            Some(base) => format!("{base}{path}"),
            None => path.to_owned(),
        }
    }
}

/// Every served method and the named types their schemas refer to.
#[derive(Debug, Clone)]
pub struct InterfaceModel {
    /// The methods, sorted by service then name.
    pub methods: Vec<MethodModel>,
    /// The named types, by name (sorted); `$ref`s point here.
    pub definitions: Map<String, Value>,
    /// The `$ref` prefix the schemas use.
    pub definitions_path: String,
}

/// One method as interface documents describe it.
#[derive(Debug, Clone)]
pub struct MethodModel {
    /// The method's descriptor (wire name, service, bindings, ...).
    pub descriptor: &'static MethodDescriptor,
    /// The doc comment, trimmed.
    pub doc: String,
    /// The wire parameters, in declaration order.
    pub params: Vec<ParamModel>,
    /// The result's schema (`{"type": "null"}` for a method returning `()`).
    pub result: Value,
    /// The argument struct's schema: an object of the parameters.
    pub args: Value,
}

/// One wire parameter.
#[derive(Debug, Clone)]
pub struct ParamModel {
    /// Its wire name.
    pub name: &'static str,
    /// Its schema, with any declared constraints.
    pub schema: Value,
    /// Whether a caller must send it (not an `Option`).
    pub required: bool,
}

impl InterfaceModel {
    /// The model of `app`'s methods.
    pub fn of(app: &Application, settings: &ModelSettings) -> Self {
        let mut schema_settings = SchemaSettings::draft2020_12();
        schema_settings.definitions_path = settings.definitions_path.clone().into();
        let mut generator = SchemaGenerator::new(schema_settings);
        let methods = app
            .methods()
            .map(|descriptor| {
                let mut args = (descriptor.args_schema)(&mut generator).to_value();
                // The call struct's own doc is for Rust readers of the typed
                // client, not for callers of the method: documents describe
                // the method with its doc comment instead.
                if let Some(object) = args.as_object_mut() {
                    object.remove("description");
                }
                MethodModel {
                    descriptor,
                    doc: descriptor.doc.trim().to_owned(),
                    params: descriptor
                        .params
                        .iter()
                        .map(|param| ParamModel {
                            name: param.name,
                            // The argument struct's property carries the
                            // constraints declared on the parameter; the
                            // type's own schema does not.
                            schema: args
                                .get("properties")
                                .and_then(|p| p.get(param.name))
                                .cloned()
                                .unwrap_or_else(|| (param.schema)(&mut generator).to_value()),
                            required: !param.optional,
                        })
                        .collect(),
                    result: (descriptor.returns)(&mut generator).to_value(),
                    args,
                }
            })
            .collect();
        let mut definitions: Vec<(String, Value)> =
            generator.take_definitions(true).into_iter().collect();
        definitions.sort_by(|a, b| a.0.cmp(&b.0));
        Self {
            methods,
            definitions: definitions.into_iter().collect(),
            definitions_path: settings.definitions_path.clone(),
        }
    }

    /// The method of this wire name.
    pub fn method(&self, name: &str) -> Option<&MethodModel> {
        self.methods.iter().find(|m| m.descriptor.name == name)
    }

    /// The schema a `$ref` points at, following chains of references;
    /// `schema` itself when it is not a reference to a known type.
    pub fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut current = schema;
        // A chain longer than the number of types is a cycle.
        for _ in 0..=self.definitions.len() {
            match self
                .definition_name(current)
                .and_then(|n| self.definitions.get(n))
            {
                Some(target) => current = target,
                None => return current,
            }
        }
        current
    }

    /// The name of the type a schema refers to (`{"$ref": "#/$defs/Map"}` →
    /// `Map`), if it is a reference into the definitions.
    pub fn definition_name<'a>(&self, schema: &'a Value) -> Option<&'a str> {
        schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix(self.definitions_path.as_str()))
    }
}

impl MethodModel {
    /// The first paragraph of the doc comment (a summary line).
    pub fn summary(&self) -> &str {
        self.doc.split("\n\n").next().unwrap_or("").trim()
    }

    /// Whether the method returns nothing (`()`).
    pub fn returns_nothing(&self) -> bool {
        self.result.get("type").and_then(Value::as_str) == Some("null")
    }
}
