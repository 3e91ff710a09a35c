//! REST route bindings declared on methods: `#[rpc(http = "GET /api/maps/{slug}/")]`.
//!
//! Path parameters are typed by the function's parameter types: a segment
//! that does not parse as the parameter's type (`/api/items/abc/` for an
//! integer id) is refused with `400` and a `Client.InvalidParams` fault
//! naming the parameter. Flask's converters answer `404` there; we don't,
//! because the path did match a route: the request is malformed, as when
//! the same value comes in the query, and a `404` would read as "no such
//! item" to a client that branches on statuses. The other parameters come
//! from the query string (GET, DELETE) or the JSON object body (POST, PUT,
//! PATCH). The call then runs through the REST protocol (the JSON document
//! protocol, bare params).
//!
//! A creation (`created = "/api/maps/{slug}/"`) answers `201 Created` with
//! a `Location` built from the result's fields (then the path parameters);
//! a `null` result answers `204 No Content`. A method may ask for another
//! success status at run time (`202 Accepted`) with
//! [`HttpFacts::answer_with`](crate::HttpFacts::answer_with).

mod params;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, Request};
use axum::response::Response;
use http::{HeaderValue, Method, StatusCode, header};
use percent_encoding::utf8_percent_encode;
use serde_json::{Map, Value};
use switchboard::{Fault, MethodDescriptor, ParamDescriptor, Server, code};

use crate::PATH_SEGMENT;

use crate::HttpFacts;

pub(crate) use params::ParamKind;

use super::{Shared, auth, body, observe, rpc, status};

/// One method bound to a verb and a path.
pub(crate) struct Binding {
    pub(crate) verb: Method,
    pub(crate) path: String,
    pub(crate) method: &'static MethodDescriptor,
    /// Wire parameter name to its kind, for path and query values.
    pub(crate) kinds: BTreeMap<&'static str, ParamKind>,
}

/// Why a route binding could not be mounted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    /// The binding is not `"VERB /path"`.
    #[error("method `{method}`: malformed route `{route}`")]
    Malformed {
        /// The method's wire name.
        method: &'static str,
        /// The route as written.
        route: &'static str,
    },
    /// Two methods bind the same verb and path.
    #[error("`{verb} {path}` is bound by both `{first}` and `{second}`")]
    Duplicate {
        /// The verb.
        verb: String,
        /// The path.
        path: String,
        /// One method.
        first: &'static str,
        /// The other.
        second: &'static str,
    },
    /// The REST protocol cannot take bare parameters.
    #[error("the REST protocol `{0}` has no bare-params form")]
    Protocol(&'static str),
    /// A document's path is already taken by a REST binding or the health
    /// check, or two documents share a path and query.
    #[error("`GET {0}` is served twice")]
    DocumentTaken(String),
}

impl Binding {
    /// Reads a method's `http` binding, if it has one.
    pub(crate) fn of(method: &'static MethodDescriptor) -> Result<Option<Self>, RouteError> {
        let Some(route) = method.http else {
            return Ok(None);
        };
        let malformed = || RouteError::Malformed {
            method: method.name,
            route,
        };
        let (verb, path) = route.split_once(' ').ok_or_else(malformed)?;
        let verb = Method::from_bytes(verb.as_bytes()).map_err(|_| malformed())?;
        let kinds = method
            .params
            .iter()
            .map(|param: &ParamDescriptor| (param.name, ParamKind::of(param)))
            .collect();
        Ok(Some(Self {
            verb,
            path: path.to_owned(),
            method,
            kinds,
        }))
    }

    fn takes_body(&self) -> bool {
        matches!(self.verb, Method::POST | Method::PUT | Method::PATCH)
    }
}

/// A binding ready to serve.
pub(crate) struct Route {
    pub(crate) binding: Binding,
    pub(crate) server: Server,
    pub(crate) shared: Arc<Shared>,
}

/// Serves one request on a bound route.
pub(crate) async fn handle(
    route: Arc<Route>,
    Path(segments): Path<Vec<(String, String)>>,
    request: Request,
) -> Response {
    observe::observed(&route.shared, request, |request| {
        serve(&route, segments, request)
    })
    .await
}

async fn serve(route: &Route, segments: Vec<(String, String)>, request: Request) -> Response {
    let deadline = Instant::now() + route.shared.config.request_timeout;
    let (parts, body) = request.into_parts();
    let query = parts.uri.query().map(str::to_owned);
    let mut info = rpc::request_info(parts, deadline);
    info.method = Some(route.binding.method.name.into());
    let headers = rpc::headers_of(&info);
    let principal = match auth::authenticate(&route.shared.config.auth, headers) {
        Ok(principal) => principal,
        Err(fault) => return refuse(route, &info, fault),
    };
    let mut params = match params::from_path(&route.binding, &segments) {
        Ok(params) => params,
        Err(fault) => return refuse(route, &info, fault),
    };
    let path_params = params.clone();
    let merged = if route.binding.takes_body() {
        read_json_object(route, headers, body, deadline).await
    } else {
        params::from_query(&route.binding, query.as_deref())
    };
    match merged {
        Ok(fields) => {
            // Path parameters win over body fields of the same name.
            for (key, value) in fields {
                params.entry(key).or_insert(value);
            }
        }
        Err(fault) => return refuse(route, &info, fault),
    }
    info.in_bytes = serde_json::to_vec(&Value::Object(params))
        .unwrap_or_default()
        .into();
    info.principal = principal;
    // The slot a method may set with `HttpFacts::answer_with`, kept past
    // the pipeline (which takes `info`).
    let asked = info
        .facts
        .get::<HttpFacts>()
        .map(|facts| std::sync::Arc::clone(&facts.status));
    let response = route.server.process(info).await;
    let mut http = respond(route, &path_params, response);
    if let Some(status) = asked.and_then(|slot| slot.get().copied())
        && http.status().is_success()
    {
        *http.status_mut() = status;
    }
    http
}

async fn read_json_object(
    route: &Route,
    headers: &http::HeaderMap,
    body: axum::body::Body,
    deadline: Instant,
) -> Result<Map<String, Value>, Fault> {
    body::check_exact_media_type(headers, "application/json")?;
    let bytes = body::read(headers, body, route.shared.config.max_body_bytes, deadline).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Fault::new(
            code::INVALID_REQUEST,
            "the body must be a JSON object",
        )),
        Err(err) => Err(Fault::new(
            code::MALFORMED,
            format!("malformed request: {err}"),
        )),
    }
}

fn refuse(route: &Route, info: &switchboard::RequestInfo, fault: Fault) -> Response {
    let unauthorized = fault.has_code(code::UNAUTHORIZED);
    let mut response = status::refusal(route.server.refuse(info, fault));
    if let Some(challenge) = unauthorized
        .then(|| auth::challenge(&route.shared.config.auth))
        .flatten()
    {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
    }
    response
}

/// `201` + `Location` for creations, `204` for `null`, else as RPC.
fn respond(
    route: &Route,
    path_params: &Map<String, Value>,
    response: switchboard::Response,
) -> Response {
    let is_null = response.body.as_deref() == Some(b"null".as_slice());
    if response.fault.is_some() || response.body.is_none() {
        return status::answer(&route.server, &route.shared.config, response);
    }
    if let Some(template) = route.binding.method.created {
        let result: Value = response
            .body
            .as_deref()
            .and_then(|body| serde_json::from_slice(body).ok())
            .unwrap_or(Value::Null);
        let location = fill(template, &result, path_params);
        let base = route.shared.config.public_url.as_deref().unwrap_or("");
        let mut http = status::answer(&route.server, &route.shared.config, response);
        *http.status_mut() = StatusCode::CREATED;
        if let Ok(value) = HeaderValue::from_str(&format!("{base}{location}")) {
            http.headers_mut().insert(header::LOCATION, value);
        }
        return http;
    }
    if is_null {
        return status::empty(StatusCode::NO_CONTENT);
    }
    status::answer(&route.server, &route.shared.config, response)
}

/// Fills `{name}` placeholders from the result's fields, then the path
/// parameters; values are percent-encoded as path segments.
fn fill(template: &str, result: &Value, path_params: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        let value = result.get(name).or_else(|| path_params.get(name));
        match value {
            Some(Value::String(text)) => out.extend(utf8_percent_encode(text, PATH_SEGMENT)),
            Some(other) => out.extend(utf8_percent_encode(&other.to_string(), PATH_SEGMENT)),
            None => out.push_str(&rest[open..=open + close]),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_fill_from_result_then_path() {
        let result = serde_json::json!({"slug": "fancy map", "x": 3});
        let path = Map::from_iter([("map".to_owned(), Value::from("m1"))]);
        assert_eq!(
            fill("/api/maps/{map}/o/{slug}/{x}/", &result, &path),
            "/api/maps/m1/o/fancy%20map/3/"
        );
        assert_eq!(fill("/a/{missing}/", &result, &path), "/a/{missing}/");
    }
}
