//! Answers for requests that no handler takes: a path nothing is mounted at
//! (`404`, `Client.NotFound`), a verb the path does not take (`405`,
//! `Client.MethodNotAllowed`, with the same `Allow` header as `OPTIONS`
//! gives), and a path declared with a trailing slash asked for without it
//! (`308` to the declared path, as Flask does). Each refusal carries the
//! fault in a protocol's error body: the protocol mounted there, else the
//! REST protocol, else the first endpoint's.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::Request;
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter, on};
use http::{HeaderValue, StatusCode, header};
use switchboard::{Fault, Server};

use super::{Shared, observe, rpc, status};

/// Who answers requests that no handler takes.
pub(crate) struct Fallback {
    /// The RPC endpoints' paths and servers, in mount order.
    pub(crate) endpoints: Vec<(String, Server)>,
    /// The REST protocol's server, if any.
    pub(crate) rest: Option<Server>,
    pub(crate) shared: Arc<Shared>,
}

impl Fallback {
    /// The server whose protocol answers for `path`: the endpoint mounted
    /// at it or above it, else the REST protocol, else the first endpoint.
    pub(crate) fn server_for(&self, path: &str) -> Option<&Server> {
        let under = |prefix: &str| {
            let prefix = prefix.trim_end_matches('/');
            path == prefix || path.starts_with(&format!("{prefix}/"))
        };
        self.endpoints
            .iter()
            .filter(|(prefix, _)| under(prefix))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, server)| server)
            .or(self.rest.as_ref())
            .or_else(|| self.endpoints.first().map(|(_, server)| server))
    }
}

/// `404` with a `Client.NotFound` fault: nothing is mounted at the path.
pub(crate) async fn not_found(fallback: Arc<Fallback>, request: Request) -> Response {
    observe::observed(&fallback.shared, request, |request| async {
        let path = request.uri().path().to_owned();
        let fault = Fault::not_found(format!("nothing is served at `{path}`"));
        refuse(&fallback, fallback.server_for(&path), request, fault)
    })
    .await
}

/// `404` with a `Client.NotFound` fault saying `why`: the path is served,
/// but not as asked (a document's path without its query).
pub(crate) async fn not_found_because(
    fallback: Arc<Fallback>,
    request: Request,
    why: String,
) -> Response {
    observe::observed(&fallback.shared, request, |request| async {
        let path = request.uri().path().to_owned();
        let fault = Fault::not_found(format!("nothing is served at `{path}` as asked: {why}"));
        refuse(&fallback, fallback.server_for(&path), request, fault)
    })
    .await
}

/// The verbs a path takes and the answers to any other: `OPTIONS` (`204`
/// with `Allow`) and `405` with the same `Allow` and a fault body in
/// `server`'s protocol.
pub(crate) fn verbs(
    fallback: &Arc<Fallback>,
    verbs: &[&str],
    server: Option<Server>,
) -> MethodRouter {
    let mut all: Vec<&str> = verbs.to_vec();
    all.push("OPTIONS");
    let listed = all.join(", ");
    // Verbs are tokens of ASCII letters, so the list is a valid header value.
    let allow = HeaderValue::from_str(&listed).unwrap_or(HeaderValue::from_static("OPTIONS"));
    let options_allow = allow.clone();
    let options = on(MethodFilter::OPTIONS, move || {
        let allow = options_allow.clone();
        async move {
            let mut response = status::empty(StatusCode::NO_CONTENT);
            response.headers_mut().insert(header::ALLOW, allow);
            response
        }
    });
    let fallback = Arc::clone(fallback);
    options.fallback(move |request: Request| {
        let (fallback, server, allow, listed) = (
            Arc::clone(&fallback),
            server.clone(),
            allow.clone(),
            listed.clone(),
        );
        async move {
            observe::observed(&fallback.shared, request, |request| async {
                let fault = Fault::new(
                    status::METHOD_NOT_ALLOWED,
                    format!(
                        "`{} {}` is not served; this path takes {listed}",
                        request.method(),
                        request.uri().path()
                    ),
                );
                let server = server
                    .as_ref()
                    .or_else(|| fallback.server_for(request.uri().path()));
                let mut response = refuse(&fallback, server, request, fault);
                response.headers_mut().insert(header::ALLOW, allow);
                response
            })
            .await
        }
    })
}

/// `308` to the same path with a trailing slash, query kept: for routes
/// declared with one, asked for without it.
pub(crate) async fn add_slash(request: Request) -> Response {
    let uri = request.uri();
    let target = match uri.query() {
        Some(query) => format!("{}/?{query}", uri.path()),
        None => format!("{}/", uri.path()),
    };
    let mut response = status::empty(StatusCode::PERMANENT_REDIRECT);
    if let Ok(location) = HeaderValue::from_str(&target) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `fault` in `server`'s error format, with the fault's status; bodiless
/// when no protocol is mounted at all.
fn refuse(
    fallback: &Fallback,
    server: Option<&Server>,
    request: Request,
    fault: Fault,
) -> Response {
    let Some(server) = server else {
        return status::empty(status::status_of(&fault));
    };
    let deadline = Instant::now() + fallback.shared.config.request_timeout;
    let (parts, _body) = request.into_parts();
    let info = rpc::request_info(parts, deadline);
    status::refusal(server.refuse(&info, fault))
}
