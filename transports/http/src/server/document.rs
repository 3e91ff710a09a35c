//! Fixed documents served on `GET` and `HEAD`: interface descriptions
//! (`/openapi.json`, `/soap?wsdl`) and pages (`/docs`), built once at
//! startup and handed out as shared bytes.

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};

/// A document served as is at `GET path` (and `HEAD`), optionally only when
/// the query string is one key (`GET /soap?wsdl`).
///
/// Documents are built before the server starts, so every request gets the
/// same bytes, whichever came first.
///
/// ```
/// use switchboard_http::Document;
///
/// let wsdl = Document::new("/soap", "text/xml; charset=utf-8", "<definitions/>")
///     .on_query("wsdl");
/// assert_eq!(wsdl.path(), "/soap");
/// assert_eq!(wsdl.query(), Some("wsdl"));
/// ```
#[derive(Clone, Debug)]
pub struct Document {
    path: String,
    query: Option<String>,
    media_type: HeaderValue,
    body: Bytes,
}

impl Document {
    /// A document at `path` with the given media type. A media type that
    /// is not a valid header value is sent as `application/octet-stream`.
    pub fn new(path: impl Into<String>, media_type: &str, body: impl Into<Bytes>) -> Self {
        let path = format!("/{}", path.into().trim_start_matches('/'));
        Self {
            path,
            query: None,
            media_type: HeaderValue::from_str(media_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            body: body.into(),
        }
    }

    /// Serves it only when the query string is `key`, compared without
    /// regard to case (`?wsdl` and `?WSDL`); any other `GET` of the path is
    /// answered `404`.
    #[must_use]
    pub fn on_query(mut self, key: impl Into<String>) -> Self {
        self.query = Some(key.into());
        self
    }

    /// The path it is served at.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query key it is served on, if any.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// Whether `request` asks for this document (its query, if it has one).
    pub(crate) fn matches(&self, request: &Request) -> bool {
        match (&self.query, request.uri().query()) {
            (None, _) => true,
            (Some(key), Some(query)) => {
                let query = query.strip_suffix('=').unwrap_or(query);
                query.eq_ignore_ascii_case(key)
            }
            (Some(_), None) => false,
        }
    }

    /// The `200` response (bodiless for `HEAD`, with the same headers).
    pub(crate) fn response(&self, head: bool) -> Response {
        let body = if head {
            Body::empty()
        } else {
            Body::from(self.body.clone())
        };
        let mut response = Response::new(body);
        *response.status_mut() = StatusCode::OK;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, self.media_type.clone());
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(self.body.len()));
        response
    }
}
