//! `rpc.discover`, the OpenRPC service discovery method: it answers the
//! OpenRPC document of the application serving it.
//!
//! It is not an `#[rpc]` function, which every application linking this
//! crate would serve: an application serves it only when built through
//! [`discoverable`], which adds the method ([`DISCOVER`]) and the
//! [`Discovery`] state it answers from. The document is built on first
//! use, once per application, from the settings given up front, so it is
//! the same whoever asks first, and the same as
//! [`Discovery::document`] gives a server to publish at `/openrpc.json`.
//!
//! ```
//! use switchboard::interface::DocumentInfo;
//! use switchboard::Application;
//! use switchboard_json::openrpc::{Discovery, OpenRpcSettings, discoverable};
//! use switchboard_demo as _; // links the `demo` service
//!
//! let settings = OpenRpcSettings::new(DocumentInfo::new("demo", "0.1.0"));
//! let builder = Application::builder().services(["demo"]);
//! let app = discoverable(builder, settings).build()?;
//! assert!(app.method("rpc.discover").is_some());
//! let discovery = app.state::<Discovery>()?;
//! assert_eq!(discovery.document(&app)["info"]["title"], "demo");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use switchboard::codegen::schemars::{Schema, SchemaGenerator, json_schema};
use switchboard::codegen::{Invoked, deserialize_args, deserialize_json_args, invoke_json_args};
use switchboard::validate::{Validate, Violations};
use switchboard::{
    Application, ApplicationBuilder, Args, Fault, MethodContext, MethodDescriptor, Reply,
};

use super::{OpenRpcSettings, openrpc_document, to_text};

/// The wire name of the discovery method.
pub const METHOD_NAME: &str = "rpc.discover";

/// The `rpc.discover` method: no parameters, the OpenRPC document as its
/// result. Served by applications built with [`discoverable`].
pub static DISCOVER: MethodDescriptor = MethodDescriptor {
    name: METHOD_NAME,
    service: "rpc",
    rust_path: "switchboard_json::openrpc::discover::DISCOVER",
    location: concat!(file!(), ":", line!()),
    doc: "Returns the OpenRPC document of this server: every method with its \
          parameters, result and errors.",
    params: &[],
    returns: document_schema,
    args_schema: no_params_schema,
    one_way: false,
    http: None,
    created: None,
    throws: &[],
    states: &[],
    deserialize: deserialize_args::<NoParams>,
    deserialize_json: deserialize_json_args::<NoParams>,
    validate: nothing_to_validate,
    invoke,
    invoke_json,
};

/// `builder` serving `rpc.discover` too, answering the OpenRPC document
/// that `settings` describe.
pub fn discoverable(builder: ApplicationBuilder, settings: OpenRpcSettings) -> ApplicationBuilder {
    builder
        .descriptor(&DISCOVER)
        .state(Discovery::new(settings))
}

/// The state `rpc.discover` answers from: the settings, and the document
/// once built.
#[derive(Debug)]
pub struct Discovery {
    settings: OpenRpcSettings,
    document: OnceLock<Arc<Value>>,
}

impl Discovery {
    /// The discovery of the document `settings` describe.
    pub fn new(settings: OpenRpcSettings) -> Self {
        Self {
            settings,
            document: OnceLock::new(),
        }
    }

    /// The settings the document is built with.
    pub fn settings(&self) -> &OpenRpcSettings {
        &self.settings
    }

    /// The OpenRPC document of `app` (the application holding this
    /// state), built on the first call.
    pub fn document(&self, app: &Application) -> &Arc<Value> {
        self.document
            .get_or_init(|| Arc::new(openrpc_document(app, &self.settings)))
    }

    /// The document as served and written: pretty JSON and a newline.
    pub fn text(&self, app: &Application) -> String {
        to_text(self.document(app))
    }
}

/// The (absent) parameters: an empty object or an empty array.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

/// The shared document as a reply, serialized without a copy.
struct SharedDocument(Arc<Value>);

impl Serialize for SharedDocument {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl Validate for NoParams {
    fn validate_into(&self, _path: &str, _out: &mut Violations) {}
}

fn invoke(ctx: &MethodContext, _args: Args) -> Invoked<'_> {
    answer(ctx)
}

fn invoke_json<'a>(ctx: &'a MethodContext, json: &[u8]) -> Result<Invoked<'a>, Fault> {
    invoke_json_args(ctx, json, |ctx, NoParams {}| answer(ctx))
}

/// The shared document, as the reply.
fn answer(ctx: &MethodContext) -> Invoked<'_> {
    let app = ctx.app();
    let reply = app
        .state::<Discovery>()
        .map(|discovery| Reply::new(SharedDocument(Arc::clone(discovery.document(app)))));
    Invoked::ready(reply)
}

fn nothing_to_validate(_args: &Args) -> Result<(), Fault> {
    Ok(())
}

fn document_schema(_generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "description": "An OpenRPC document",
    })
}

fn no_params_schema(_generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "properties": {},
        "additionalProperties": false,
    })
}
