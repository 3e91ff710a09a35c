//! The interface document catalog: every document a host publishes, by
//! name — where `serve` serves it, which protocol it describes (it is
//! served only where that protocol is mounted), and how it is built from
//! the application. `serve` hands them to the HTTP transport
//! ([`hosting::documents`](crate::hosting::documents)) and `interface
//! NAME` writes one: a new document is one entry in [`DOCUMENTS`].
//!
//! Every document is built once, when the server is built, from the
//! application and [`DocumentContext`] alone: the same bytes on every run,
//! with links from the public base URL, never from a request.

use switchboard::Application;
use switchboard::catalog::{HttpMount, ProtocolEntry, PublishedDocument};
use switchboard::interface::DocumentInfo;
use switchboard_http::Auth;
use switchboard_http::docs::{DocsSettings, docs_page};
use switchboard_http::openapi::{OpenApiSettings, openapi};
use switchboard_json::openrpc::{Discovery, OpenRpcSettings, discover, openrpc};

use super::entry::Entry;
use crate::HostInfo;

/// Every interface document.
pub static DOCUMENTS: &[InterfaceDocument] = &[
    InterfaceDocument {
        name: "openapi",
        description: "OpenAPI 3.1 (JSON): POST /json/{method} and the REST routes",
        media_type: "application/json",
        path: "/openapi.json",
        query: None,
        describes: &["json", "rest"],
        build: build_openapi,
    },
    InterfaceDocument {
        name: "openrpc",
        description: "OpenRPC 1.3 (JSON) of the JSON-RPC endpoint, also its rpc.discover",
        media_type: "application/json",
        path: "/openrpc.json",
        query: None,
        describes: &["jsonrpc"],
        build: build_openrpc,
    },
    InterfaceDocument {
        name: "docs",
        description: "the HTML docs page, with a try-it form per method",
        media_type: switchboard_http::docs::MEDIA_TYPE,
        path: "/docs",
        query: None,
        describes: &["json"],
        build: build_docs,
    },
    InterfaceDocument {
        name: "wsdl",
        description: "WSDL 1.1 of the SOAP endpoint, with its XML Schema",
        media_type: switchboard_soap::CONTENT_TYPE,
        path: "/soap",
        query: Some("wsdl"),
        describes: &["soap"],
        build: build_wsdl,
    },
    InterfaceDocument {
        name: "postage",
        description: "OpenRPC 1.3 (JSON) of the Postage commands: each method is a command \
                      of its name, its params the command's content.parameters",
        media_type: "application/json",
        path: "/postage/openrpc.json",
        query: None,
        describes: &["postage"],
        build: build_postage,
    },
];

/// Where documents that need an absolute address (the WSDL's
/// `soap:address`) point when neither a public URL nor the server's bound
/// address is known (`switchboard interface wsdl` without `--public-url`):
/// `serve`'s default address.
pub const DEFAULT_SERVER_URL: &str = "http://127.0.0.1:8080";

/// A document of the catalog.
#[derive(Debug)]
pub struct InterfaceDocument {
    name: &'static str,
    description: &'static str,
    media_type: &'static str,
    path: &'static str,
    query: Option<&'static str>,
    describes: &'static [&'static str],
    build: fn(&Application, &DocumentContext<'_>) -> String,
}

/// What a document is built from besides the application: its title,
/// version and public base URL, the host, the protocols mounted, and the
/// auth scheme.
#[derive(Debug, Clone)]
pub struct DocumentContext<'a> {
    /// Title, version, public base URL.
    pub info: DocumentInfo,
    /// The host (the WSDL's namespace and service name).
    pub host: HostInfo,
    /// The protocols the server mounts.
    pub protocols: Vec<&'a ProtocolEntry>,
    /// How callers authenticate (only the scheme is ever written).
    pub auth: Auth,
    /// The address the server is bound to (`http://127.0.0.1:8080`), when
    /// serving: documents that need an absolute address use it when
    /// `info` has no public base URL.
    pub server_url: Option<String>,
}

impl DocumentContext<'_> {
    /// The endpoint path of the mounted protocol named `name`, if it is
    /// mounted on one.
    pub fn endpoint_of(&self, name: &str) -> Option<&'static str> {
        self.protocols
            .iter()
            .find(|p| p.name() == name)
            .and_then(|p| match p.http_mount() {
                Some(HttpMount::Endpoint { path, .. }) => Some(path),
                _ => None,
            })
    }

    /// The absolute URL of `path`: under the public base URL, else the
    /// server's address, else [`DEFAULT_SERVER_URL`].
    pub fn absolute_link(&self, path: &str) -> String {
        let base = self
            .info
            .base_url
            .as_deref()
            .or(self.server_url.as_deref())
            .unwrap_or(DEFAULT_SERVER_URL);
        format!("{base}{path}")
    }

    /// Whether the protocol named `name` is mounted.
    pub fn mounts(&self, name: &str) -> bool {
        self.protocols.iter().any(|p| p.name() == name)
    }
}

impl InterfaceDocument {
    /// Its media type.
    pub fn media_type(&self) -> &'static str {
        self.media_type
    }

    /// The path `serve` serves it at.
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// The query key it is served behind (`wsdl` for `/soap?wsdl`), if any.
    pub fn query(&self) -> Option<&'static str> {
        self.query
    }

    /// The URL it is served at under `base` (`http://127.0.0.1:8080`).
    pub fn url(&self, base: &str) -> String {
        let base = base.trim_end_matches('/');
        match self.query {
            Some(key) => format!("{base}{}?{key}", self.path),
            None => format!("{base}{}", self.path),
        }
    }

    /// Whether a server mounting `context`'s protocols serves it: one of
    /// the protocols it describes is mounted.
    pub fn is_served(&self, context: &DocumentContext<'_>) -> bool {
        self.describes.iter().any(|name| context.mounts(name))
    }

    /// The document of `app`.
    pub fn build(&self, app: &Application, context: &DocumentContext<'_>) -> String {
        (self.build)(app, context)
    }

    /// The document as a transport publishes it: its name, path, query,
    /// media type and text.
    pub fn published(&self, app: &Application, context: &DocumentContext<'_>) -> PublishedDocument {
        let document = PublishedDocument::new(
            self.name,
            self.path,
            self.media_type,
            self.build(app, context),
        );
        match self.query {
            Some(key) => document.on_query(key),
            None => document,
        }
    }
}

impl Entry for InterfaceDocument {
    const KIND: &'static str = "interface document";

    fn all() -> Vec<&'static Self> {
        DOCUMENTS.iter().collect()
    }

    fn name(&self) -> &'static str {
        self.name
    }

    fn description(&self) -> &str {
        self.description
    }
}

fn build_openapi(app: &Application, context: &DocumentContext<'_>) -> String {
    let mut settings = OpenApiSettings::new(context.info.clone())
        .with_rest(context.mounts("rest"))
        .with_auth(context.auth.clone());
    if let Some(path) = context.endpoint_of("json") {
        settings = settings.with_json_endpoint(path);
    }
    openapi(app, &settings)
}

/// The application's own discovery document when it serves
/// `rpc.discover`, so that both give the same document; else one built
/// from the context.
fn build_openrpc(app: &Application, context: &DocumentContext<'_>) -> String {
    let discovery = app
        .method(discover::METHOD_NAME)
        .and_then(|_| app.try_state::<Discovery>());
    if let Some(discovery) = discovery {
        return discovery.text(app);
    }
    let endpoint = context
        .endpoint_of("jsonrpc")
        .unwrap_or(OpenRpcSettings::DEFAULT_ENDPOINT);
    openrpc(
        app,
        &OpenRpcSettings::new(context.info.clone()).with_endpoint(endpoint),
    )
}

/// Postage commands are the methods under their own names, their
/// `content.parameters` the params by name: the JSON-RPC document's
/// methods, with the Postage endpoint as its server.
fn build_postage(app: &Application, context: &DocumentContext<'_>) -> String {
    let endpoint = context.endpoint_of("postage").unwrap_or("/postage");
    openrpc(
        app,
        &OpenRpcSettings::new(context.info.clone()).with_endpoint(endpoint),
    )
}

fn build_wsdl(app: &Application, context: &DocumentContext<'_>) -> String {
    let endpoint = context.endpoint_of("soap").unwrap_or("/soap");
    switchboard_soap::wsdl(
        app,
        &context.host.soap_settings(),
        &context.absolute_link(endpoint),
    )
}

fn build_docs(app: &Application, context: &DocumentContext<'_>) -> String {
    let endpoint = context
        .endpoint_of("json")
        .unwrap_or(DocsSettings::DEFAULT_JSON_ENDPOINT);
    let settings = DocsSettings::new(context.info.clone())
        .with_json_endpoint(endpoint)
        .with_auth(context.auth.clone());
    docs_page(app, &settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(protocols: &[&str]) -> DocumentContext<'static> {
        DocumentContext {
            info: DocumentInfo::new("t", "1"),
            host: HostInfo::new("t", "1"),
            protocols: switchboard::catalog::protocols()
                .into_iter()
                .filter(|p| protocols.contains(&p.name()))
                .collect(),
            auth: Auth::None,
            server_url: None,
        }
    }

    fn served(protocols: &[&str]) -> Vec<&'static str> {
        let context = context(protocols);
        DOCUMENTS
            .iter()
            .filter(|d| d.is_served(&context))
            .map(Entry::name)
            .collect()
    }

    #[test]
    fn documents_are_served_where_what_they_describe_is_mounted() {
        assert_eq!(
            served(&["jsonrpc", "json", "rest"]),
            ["openapi", "openrpc", "docs"]
        );
        assert_eq!(served(&["jsonrpc"]), ["openrpc"]);
        assert_eq!(served(&["rest"]), ["openapi"]);
        assert_eq!(served(&["soap"]), ["wsdl"]);
        assert!(served(&[]).is_empty());
    }

    #[test]
    fn names_and_paths_are_unique() {
        let mut names: Vec<&str> = DOCUMENTS.iter().map(Entry::name).collect();
        let mut urls: Vec<String> = DOCUMENTS.iter().map(|d| d.url("")).collect();
        names.sort_unstable();
        names.dedup();
        urls.sort_unstable();
        urls.dedup();
        assert_eq!(names.len(), DOCUMENTS.len());
        assert_eq!(urls.len(), DOCUMENTS.len());
    }

    #[test]
    fn endpoints_come_from_the_mounted_protocols() {
        let context = context(&["jsonrpc", "rest"]);
        assert_eq!(context.endpoint_of("jsonrpc"), Some("/jsonrpc"));
        assert_eq!(context.absolute_link("/soap"), "http://127.0.0.1:8080/soap");
        let bound = DocumentContext {
            server_url: Some("http://127.0.0.1:4242".into()),
            ..context.clone()
        };
        assert_eq!(bound.absolute_link("/soap"), "http://127.0.0.1:4242/soap");
        let public = DocumentContext {
            info: DocumentInfo::new("t", "1").with_base_url("https://api.example/"),
            ..bound
        };
        assert_eq!(public.absolute_link("/soap"), "https://api.example/soap");
        assert_eq!(context.endpoint_of("json"), None);
        assert_eq!(context.endpoint_of("rest"), None);
        let wsdl_like = InterfaceDocument {
            name: "x",
            description: "x",
            media_type: "text/xml",
            path: "/soap",
            query: Some("wsdl"),
            describes: &["soap"],
            build: |_, _| String::new(),
        };
        assert_eq!(wsdl_like.url("http://h:1/"), "http://h:1/soap?wsdl");
        assert!(!wsdl_like.is_served(&context));
    }
}
