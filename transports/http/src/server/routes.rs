//! [`Routes`]: the router as [`HttpServerBuilder::build`](super::HttpServerBuilder::build)
//! puts it together, step by step: the health check, the RPC endpoints,
//! the REST bindings, the documents on paths of their own, then the
//! fallback for what no route takes.
//!
//! Every step records the paths it routes, so that a later step never
//! shadows one: a document cannot take a routed path, and a REST path's
//! slash redirect is added only where nothing else is routed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Request};
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter, any, on};
use http::StatusCode;
use switchboard::catalog::{Check, Draining, MetricsPage, Readiness};
use switchboard::{Application, Server};

use super::fallback::{self, Fallback};
use super::{Document, RouteError, Shared, rest, rpc, status};

/// The health check's path: the process is alive.
const HEALTHZ: &str = "/healthz";
/// The readiness check's path: every transport can take work.
const READYZ: &str = "/readyz";
/// The metrics page's path.
const METRICS: &str = "/metrics";

/// An RPC endpoint to mount: its path, whether its protocol also takes the
/// method from the path (`POST path/{method}`), and its server.
pub(super) struct Mounted {
    pub(super) path: String,
    pub(super) named: bool,
    pub(super) server: Server,
}

/// The router being built, and every path routed so far.
pub(super) struct Routes {
    router: Router,
    routed: BTreeSet<String>,
    fallback: Arc<Fallback>,
}

impl Routes {
    /// A router with `GET /healthz`, `GET /readyz` and, when the process
    /// has metrics, `GET /metrics`.
    pub(super) fn new(fallback: Arc<Fallback>) -> Self {
        let verbs = || fallback::verbs(&fallback, &["GET", "HEAD"], None);
        let config = &fallback.shared.config;
        let (readiness, draining) = (config.readiness.clone(), config.draining.clone());
        let readyz = move || std::future::ready(readyz(&readiness, &draining));
        let mut router = Router::new()
            .route(HEALTHZ, on(MethodFilter::GET, healthz).merge(verbs()))
            .route(READYZ, on(MethodFilter::GET, readyz).merge(verbs()));
        let mut routed = BTreeSet::from([HEALTHZ.to_owned(), READYZ.to_owned()]);
        if let Some(page) = config.metrics.clone() {
            let metrics = move || std::future::ready(metrics(&page));
            router = router.route(METRICS, on(MethodFilter::GET, metrics).merge(verbs()));
            routed.insert(METRICS.to_owned());
        }
        Self {
            router,
            routed,
            fallback,
        }
    }

    /// Mounts the RPC endpoints in order, each with the documents on its
    /// path (taken out of `documents`); returns their paths.
    pub(super) fn endpoints(
        &mut self,
        mounted: Vec<Mounted>,
        documents: &mut BTreeMap<String, Vec<Document>>,
        shared: &Arc<Shared>,
    ) -> Vec<String> {
        let mut paths = Vec::with_capacity(mounted.len());
        for endpoint in mounted {
            let on_path = documents.remove(&endpoint.path);
            paths.push(self.endpoint(endpoint, on_path, shared));
        }
        paths
    }

    /// Mounts an RPC endpoint at `POST path` (and `POST path/{method}` if
    /// its protocol names the method there), with the `documents` served on
    /// the same path; returns the path.
    fn endpoint(
        &mut self,
        mounted: Mounted,
        documents: Option<Vec<Document>>,
        shared: &Arc<Shared>,
    ) -> String {
        let Mounted {
            path,
            named,
            server,
        } = mounted;
        let endpoint = Arc::new(rpc::Endpoint {
            server,
            shared: Arc::clone(shared),
        });
        let route = rpc_route(Arc::clone(&endpoint), false, documents, &self.fallback);
        self.route(&path, route);
        if named {
            let with_method = format!("{}/{{method}}", path.trim_end_matches('/'));
            let route = rpc_route(endpoint, true, None, &self.fallback);
            self.route(&with_method, route);
        }
        path
    }

    /// Mounts every REST binding of `app`, verbs grouped by path; a path
    /// declared with a trailing slash also answers `308` without it, unless
    /// that is routed too.
    pub(super) fn rest(&mut self, app: &Application, server: &Server) -> Result<(), RouteError> {
        let by_path = rest_bindings_by_path(app)?;
        // All at once, before any redirect: a bare path may be bound too.
        self.routed.extend(by_path.keys().cloned());
        for (path, bindings) in by_path {
            let route = rest_route(bindings, server, &self.fallback)?;
            self.route(&path, route);
            let bare = path.trim_end_matches('/');
            if !bare.is_empty() && bare != path && !self.routed.contains(bare) {
                self.route(bare, any(fallback::add_slash));
            }
        }
        Ok(())
    }

    /// Mounts the documents whose path no step before routed.
    ///
    /// # Errors
    /// [`RouteError::DocumentTaken`] for a path routed already.
    pub(super) fn documents(
        &mut self,
        documents: BTreeMap<String, Vec<Document>>,
    ) -> Result<(), RouteError> {
        for (path, documents) in documents {
            if self.routed.contains(&path) {
                return Err(RouteError::DocumentTaken(path));
            }
            let verbs = fallback::verbs(&self.fallback, &["GET", "HEAD"], None);
            let route = document_route(documents, &self.fallback).merge(verbs);
            self.route(&path, route);
        }
        Ok(())
    }

    /// The router, with the fallback answering what no route takes.
    pub(super) fn finish(self) -> Router {
        let fallback = self.fallback;
        self.router
            .fallback(move |request: Request| fallback::not_found(Arc::clone(&fallback), request))
    }

    fn route(&mut self, path: &str, route: MethodRouter) {
        self.router = std::mem::take(&mut self.router).route(path, route);
        self.routed.insert(path.to_owned());
    }
}

/// Who answers what no handler takes, for `mounted` and `rest`.
pub(super) fn fallback(
    mounted: &[Mounted],
    rest: Option<Server>,
    shared: &Arc<Shared>,
) -> Arc<Fallback> {
    Arc::new(Fallback {
        endpoints: mounted
            .iter()
            .map(|m| (m.path.clone(), m.server.clone()))
            .collect(),
        rest,
        shared: Arc::clone(shared),
    })
}

/// The documents grouped by path; an error if two share a path and query.
pub(super) fn documents_by_path(
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
fn document_route(documents: Vec<Document>, fallback: &Arc<Fallback>) -> MethodRouter {
    let documents: Arc<[Document]> = documents.into();
    let fallback = Arc::clone(fallback);
    on(MethodFilter::GET, move |request: Request| {
        let (documents, fallback) = (Arc::clone(&documents), Arc::clone(&fallback));
        async move {
            let head = request.method() == http::Method::HEAD;
            match documents.iter().find(|d| d.matches(&request)) {
                Some(document) => document.response(head),
                None => {
                    let why = format!("this path serves {}", served(&documents));
                    fallback::not_found_because(fallback, request, why).await
                }
            }
        }
    })
}

/// What a path's documents are, for the `404` of a query none takes:
/// `` `GET /soap?wsdl` and `GET /soap?xsd` ``.
fn served(documents: &[Document]) -> String {
    let served: Vec<String> = documents
        .iter()
        .map(|d| match d.query() {
            Some(key) => format!("`GET {}?{key}`", d.path()),
            None => format!("`GET {}`", d.path()),
        })
        .collect();
    served.join(" and ")
}

/// An endpoint's route: `POST` to the endpoint, `GET`/`HEAD` to the
/// documents on its path if any, the other verbs to the fallback.
fn rpc_route(
    endpoint: Arc<rpc::Endpoint>,
    named: bool,
    documents: Option<Vec<Document>>,
    fallback: &Arc<Fallback>,
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
    rpc_post(endpoint, named).merge(verbs)
}

/// `POST` to an endpoint; `named` takes the method from the path's last
/// segment.
fn rpc_post(endpoint: Arc<rpc::Endpoint>, named: bool) -> MethodRouter {
    if named {
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
    }
}

/// The REST bindings of `app`'s methods by path; an error for a malformed
/// route or a verb bound twice on one path.
fn rest_bindings_by_path(
    app: &Application,
) -> Result<BTreeMap<String, Vec<rest::Binding>>, RouteError> {
    let mut by_path: BTreeMap<String, Vec<rest::Binding>> = BTreeMap::new();
    for method in app.methods() {
        let Some(binding) = rest::Binding::of(method)? else {
            continue;
        };
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
    Ok(by_path)
}

/// One REST path's route: each binding on its verb (`HEAD` with `GET`),
/// the other verbs to the fallback.
fn rest_route(
    bindings: Vec<rest::Binding>,
    server: &Server,
    fallback: &Arc<Fallback>,
) -> Result<MethodRouter, RouteError> {
    let mut verbs: Vec<&str> = bindings.iter().map(|b| b.verb.as_str()).collect();
    if verbs.contains(&"GET") {
        verbs.push("HEAD");
    }
    let mut methods = fallback::verbs(fallback, &verbs, Some(server.clone()));
    for binding in bindings {
        let filter =
            MethodFilter::try_from(binding.verb.clone()).map_err(|_| RouteError::Malformed {
                method: binding.method.name,
                route: binding.method.http.unwrap_or(""),
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
    Ok(methods)
}

/// `200` with the report when every probe is ready and the process is
/// not draining, else `503` with the report naming what is not.
fn readyz(readiness: &Readiness, draining: &Draining) -> Response {
    let mut report = readiness.report();
    if draining.is_on() {
        report.ready = false;
        report.checks.push(Check {
            name: "draining".to_owned(),
            ready: false,
            reason: Some("the process takes no new work".to_owned()),
        });
    }
    let status =
        StatusCode::from_u16(report.http_status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    status::with_body(status, "application/json", report.to_json().into_bytes())
}

/// The metrics page, in the Prometheus text format (version 0.0.4).
fn metrics(page: &MetricsPage) -> Response {
    let content_type = MetricsPage::CONTENT_TYPE;
    status::with_body(StatusCode::OK, content_type, page.render().into_bytes())
}

async fn healthz() -> Response {
    status::with_body(
        StatusCode::OK,
        "text/plain; charset=utf-8",
        b"ok\n".to_vec(),
    )
}
