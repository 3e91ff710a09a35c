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
mod routes;
mod rpc;
pub(crate) mod status;

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use switchboard::{Application, Protocols, Server, ServerTransport, TransportError};
use tokio::net::TcpListener;

pub use document::Document;
pub use rest::RouteError;

use routes::{Mounted, Routes, documents_by_path};

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
        let mounted = endpoint_servers(&self.app, self.endpoints);
        let rest = rest_server(&self.app, self.rest)?;
        let fallback = routes::fallback(&mounted, rest.clone(), &shared);
        let mut documents = documents_by_path(self.documents)?;
        let mut routes = Routes::new(fallback);
        let endpoints = routes.endpoints(mounted, &mut documents, &shared);
        if let Some(server) = &rest {
            routes.rest(&self.app, server)?;
        }
        routes.documents(documents)?;
        Ok(HttpServer {
            router: routes.finish(),
            shared,
            endpoints,
        })
    }
}

/// A server per endpoint, noting whether its protocol takes the method
/// from the path.
fn endpoint_servers(app: &Application, endpoints: Vec<(String, Protocols)>) -> Vec<Mounted> {
    endpoints
        .into_iter()
        .map(|(path, protocols)| Mounted {
            path,
            named: protocols.input.accepts_named_method(),
            server: Server::new(app.clone(), protocols),
        })
        .collect()
}

/// The REST protocol's server, if one is configured; it must take bare
/// params.
fn rest_server(app: &Application, rest: Option<Protocols>) -> Result<Option<Server>, RouteError> {
    match rest {
        Some(protocols) if !protocols.input.accepts_named_method() => {
            Err(RouteError::Protocol(protocols.input.name()))
        }
        Some(protocols) => Ok(Some(Server::new(app.clone(), protocols))),
        None => Ok(None),
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
