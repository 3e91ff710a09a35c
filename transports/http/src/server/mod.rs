//! [`HttpServer`]: an application's protocols mounted on HTTP paths, its
//! REST route bindings, the health check, limits, auth and graceful
//! shutdown.

mod auth;
mod body;
mod document;
mod fallback;
mod listener;
mod observe;
mod rest;
mod rpc;
pub(crate) mod status;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Request};
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter, any, on};
use http::StatusCode;
use switchboard::{Application, Protocols, Server, ServerTransport, TransportError};
use tokio::net::TcpListener;

pub use document::Document;
pub use rest::RouteError;

use crate::config::HttpConfig;

/// What every handler shares.
pub(crate) struct Shared {
    pub(crate) config: HttpConfig,
    /// One permit per request served at once.
    pub(crate) slots: tokio::sync::Semaphore,
}

/// An HTTP server for one [`Application`].
///
/// ```
/// use switchboard::Application;
/// use switchboard_http::{HttpConfig, HttpServer};
/// use switchboard_json::{JsonDocument, JsonRpc};
/// use switchboard_demo as _; // links the `demo` service
///
/// let app = Application::builder().services(["demo"]).build()?;
/// let server = HttpServer::builder(app)
///     .config(HttpConfig::default())
///     .endpoint("/jsonrpc", JsonRpc)
///     .endpoint("/json", JsonDocument)
///     .rest(JsonDocument)
///     .build()?;
/// assert_eq!(server.endpoints(), ["/jsonrpc", "/json"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct HttpServer {
    router: Router,
    shared: Arc<Shared>,
    endpoints: Vec<String>,
}

impl HttpServer {
    /// Starts building a server for `app`.
    pub fn builder(app: Application) -> HttpServerBuilder {
        HttpServerBuilder {
            app,
            config: HttpConfig::default(),
            endpoints: Vec::new(),
            rest: None,
            documents: Vec::new(),
        }
    }

    /// The axum router (to embed in a larger app, or to test without a socket).
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// The paths of the RPC endpoints, in mount order.
    pub fn endpoints(&self) -> &[String] {
        &self.endpoints
    }

    /// The configuration.
    pub fn config(&self) -> &HttpConfig {
        &self.shared.config
    }

    /// Serves on `listener` until `shutdown` completes, then lets requests in
    /// flight finish (for at most the configured grace period).
    ///
    /// # Errors
    /// [`TransportError::Io`] if the listener fails for good.
    pub async fn serve<F>(self, listener: TcpListener, shutdown: F) -> Result<(), TransportError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        listener::run(listener, self.router, &self.shared.config, shutdown).await
    }
}

impl fmt::Debug for HttpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpServer")
            .field("endpoints", &self.endpoints)
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

/// Builds an [`HttpServer`].
pub struct HttpServerBuilder {
    app: Application,
    config: HttpConfig,
    endpoints: Vec<(String, Protocols)>,
    rest: Option<Protocols>,
    documents: Vec<Document>,
}

impl HttpServerBuilder {
    /// Sets limits, timeouts, auth and the public URL.
    #[must_use]
    pub fn config(mut self, config: HttpConfig) -> Self {
        self.config = config;
        self
    }

    /// Mounts a protocol at `POST path` (and, if the protocol takes bare
    /// params, at `POST path/{method}`).
    #[must_use]
    pub fn endpoint(mut self, path: impl Into<String>, protocols: impl Into<Protocols>) -> Self {
        let path = format!("/{}", path.into().trim_matches('/'));
        self.endpoints.push((path, protocols.into()));
        self
    }

    /// Serves the methods' REST route bindings through this protocol pair,
    /// which must take bare params (the JSON document protocol).
    #[must_use]
    pub fn rest(mut self, protocols: impl Into<Protocols>) -> Self {
        self.rest = Some(protocols.into());
        self
    }

    /// Serves a fixed document on `GET` and `HEAD` (an interface
    /// description, a docs page). Its path may be an endpoint's
    /// (`/soap?wsdl`, with [`Document::on_query`]): `POST` still goes to
    /// the endpoint.
    #[must_use]
    pub fn document(mut self, document: Document) -> Self {
        self.documents.push(document);
        self
    }

    /// Builds the server.
    ///
    /// # Errors
    /// [`RouteError`] for a malformed or doubly bound route, a REST
    /// protocol without a bare-params form, or a document whose path and
    /// query are served already.
    pub fn build(self) -> Result<HttpServer, RouteError> {
        let shared = Arc::new(Shared {
            slots: tokio::sync::Semaphore::new(self.config.max_concurrent_requests.max(1)),
            config: self.config,
        });
        let mut mounted = Vec::new();
        for (path, protocols) in self.endpoints {
            let named = protocols.input.accepts_named_method();
            mounted.push((path, named, Server::new(self.app.clone(), protocols)));
        }
        let rest = match self.rest {
            Some(protocols) if !protocols.input.accepts_named_method() => {
                return Err(RouteError::Protocol(protocols.input.name()));
            }
            Some(protocols) => Some(Server::new(self.app.clone(), protocols)),
            None => None,
        };
        let fallback = Arc::new(fallback::Fallback {
            endpoints: mounted
                .iter()
                .map(|(path, _, server)| (path.clone(), server.clone()))
                .collect(),
            rest: rest.clone(),
            shared: Arc::clone(&shared),
        });
        let mut router = Router::new().route(
            "/healthz",
            on(MethodFilter::GET, healthz).merge(fallback::verbs(
                &fallback,
                &["GET", "HEAD"],
                None,
            )),
        );
        let mut documents = documents_by_path(self.documents)?;
        // Every routed path, so that no slash redirect shadows a route.
        let mut routed = BTreeSet::from(["/healthz".to_owned()]);
        let mut endpoints = Vec::new();
        for (path, named, server) in mounted {
            let endpoint = Arc::new(rpc::Endpoint {
                server,
                shared: Arc::clone(&shared),
            });
            let docs = documents.remove(&path);
            let route = rpc_route(Arc::clone(&endpoint), false, docs, &fallback);
            router = router.route(&path, route);
            if named {
                let with_method = format!("{}/{{method}}", path.trim_end_matches('/'));
                let route = rpc_route(endpoint, true, None, &fallback);
                router = router.route(&with_method, route);
                routed.insert(with_method);
            }
            routed.insert(path.clone());
            endpoints.push(path);
        }
        if let Some(server) = &rest {
            router = mount_rest(router, &self.app, server, &fallback, &mut routed)?;
        }
        for (path, docs) in documents {
            if !routed.insert(path.clone()) {
                return Err(RouteError::DocumentTaken(path));
            }
            let verbs = fallback::verbs(&fallback, &["GET", "HEAD"], None);
            router = router.route(&path, document_route(docs, &fallback).merge(verbs));
        }
        let router = router
            .fallback(move |request: Request| fallback::not_found(Arc::clone(&fallback), request));
        Ok(HttpServer {
            router,
            shared,
            endpoints,
        })
    }
}

impl fmt::Debug for HttpServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let paths: Vec<_> = self.endpoints.iter().map(|(path, _)| path).collect();
        f.debug_struct("HttpServerBuilder")
            .field("endpoints", &paths)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The documents grouped by path; an error if two share a path and query.
fn documents_by_path(
    documents: Vec<Document>,
) -> Result<BTreeMap<String, Vec<Document>>, RouteError> {
    let mut by_path: BTreeMap<String, Vec<Document>> = BTreeMap::new();
    for document in documents {
        let same_path = by_path.entry(document.path().to_owned()).or_default();
        let query = document.query().map(str::to_ascii_lowercase);
        if same_path
            .iter()
            .any(|d| d.query().map(str::to_ascii_lowercase) == query)
        {
            return Err(RouteError::DocumentTaken(document.path().to_owned()));
        }
        same_path.push(document);
    }
    Ok(by_path)
}

/// `GET`/`HEAD` of a path's documents: the first whose query matches, else
/// `404` with a fault naming what the path serves.
fn document_route(documents: Vec<Document>, fallback: &Arc<fallback::Fallback>) -> MethodRouter {
    let documents: Arc<[Document]> = documents.into();
    let fallback = Arc::clone(fallback);
    on(MethodFilter::GET, move |request: Request| {
        let (documents, fallback) = (Arc::clone(&documents), Arc::clone(&fallback));
        async move {
            let head = request.method() == http::Method::HEAD;
            match documents.iter().find(|d| d.matches(&request)) {
                Some(document) => document.response(head),
                None => {
                    let served: Vec<String> = documents
                        .iter()
                        .map(|d| match d.query() {
                            Some(key) => format!("`GET {}?{key}`", d.path()),
                            None => format!("`GET {}`", d.path()),
                        })
                        .collect();
                    let why = format!("this path serves {}", served.join(" and "));
                    fallback::not_found_because(fallback, request, why).await
                }
            }
        }
    })
}

fn rpc_route(
    endpoint: Arc<rpc::Endpoint>,
    named: bool,
    documents: Option<Vec<Document>>,
    fallback: &Arc<fallback::Fallback>,
) -> MethodRouter {
    let taken: &[&str] = if documents.is_some() {
        &["POST", "GET", "HEAD"]
    } else {
        &["POST"]
    };
    let verbs = fallback::verbs(fallback, taken, Some(endpoint.server.clone()));
    let verbs = match documents {
        Some(documents) => document_route(documents, fallback).merge(verbs),
        None => verbs,
    };
    let post = if named {
        on(
            MethodFilter::POST,
            move |Path(method): Path<String>, request: Request| {
                rpc::handle(endpoint, Some(method), request)
            },
        )
    } else {
        on(MethodFilter::POST, move |request: Request| {
            rpc::handle(endpoint, None, request)
        })
    };
    post.merge(verbs)
}

/// Mounts every REST binding, grouping verbs by path; a path declared with
/// a trailing slash also answers `308` without it, unless that is routed
/// too. Adds each path to `routed`.
fn mount_rest(
    mut router: Router,
    app: &Application,
    server: &Server,
    fallback: &Arc<fallback::Fallback>,
    routed: &mut BTreeSet<String>,
) -> Result<Router, RouteError> {
    let mut by_path: BTreeMap<String, Vec<rest::Binding>> = BTreeMap::new();
    for method in app.methods() {
        if let Some(binding) = rest::Binding::of(method)? {
            let same_path = by_path.entry(binding.path.clone()).or_default();
            if let Some(other) = same_path.iter().find(|b| b.verb == binding.verb) {
                return Err(RouteError::Duplicate {
                    verb: binding.verb.to_string(),
                    path: binding.path.clone(),
                    first: other.method.name,
                    second: binding.method.name,
                });
            }
            same_path.push(binding);
        }
    }
    routed.extend(by_path.keys().cloned());
    for (path, bindings) in by_path {
        let mut verbs: Vec<&str> = bindings.iter().map(|b| b.verb.as_str()).collect();
        if verbs.contains(&"GET") {
            verbs.push("HEAD");
        }
        let mut methods = fallback::verbs(fallback, &verbs, Some(server.clone()));
        for binding in bindings {
            let filter = MethodFilter::try_from(binding.verb.clone()).map_err(|_| {
                RouteError::Malformed {
                    method: binding.method.name,
                    route: binding.method.http.unwrap_or(""),
                }
            })?;
            let route = Arc::new(rest::Route {
                binding,
                server: server.clone(),
                shared: Arc::clone(&fallback.shared),
            });
            methods = methods.merge(on(filter, move |segments, request: Request| {
                rest::handle(route, segments, request)
            }));
        }
        router = router.route(&path, methods);
        let bare = path.trim_end_matches('/');
        if !bare.is_empty() && bare != path && routed.insert(bare.to_owned()) {
            router = router.route(bare, any(fallback::add_slash));
        }
    }
    Ok(router)
}

async fn healthz() -> Response {
    status::with_body(
        StatusCode::OK,
        "text/plain; charset=utf-8",
        b"ok\n".to_vec(),
    )
}

/// A single protocol pair served on HTTP, for code that treats every
/// transport alike: the server's protocol is mounted at [`path`](Self::path).
#[derive(Debug)]
pub struct HttpTransport {
    listener: TcpListener,
    config: HttpConfig,
    path: String,
}

impl HttpTransport {
    /// Serves on `listener`, at `POST /`.
    pub fn new(listener: TcpListener) -> Self {
        Self {
            listener,
            config: HttpConfig::default(),
            path: "/".to_owned(),
        }
    }

    /// Mounts the protocol at `path` instead of `/`.
    #[must_use]
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Sets limits, timeouts and auth.
    #[must_use]
    pub fn config(mut self, config: HttpConfig) -> Self {
        self.config = config;
        self
    }
}

impl ServerTransport for HttpTransport {
    async fn serve<F>(self, server: Server, shutdown: F) -> Result<(), TransportError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let http = HttpServer::builder(server.app().clone())
            .config(self.config)
            .endpoint(self.path, server.protocols())
            .build()
            .map_err(|err| TransportError::Io(Box::new(err)))?;
        http.serve(self.listener, shutdown).await
    }
}
