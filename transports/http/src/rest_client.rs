//! [`RestClient`]: plain HTTP requests to REST routes under one base URL
//! (`GET /api/sensors/x/stats/`, `PUT` with a JSON body), answered with
//! their status as it comes, for programs that talk to a REST API rather
//! than call methods (a queue worker reporting back, a command-line tool).

use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode, header};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use switchboard::TransportError;

use crate::client::{HttpClientError, classify};

/// What is percent-encoded in a value put into a path as one segment
/// (`/api/sensors/{name}/`): every byte but RFC 3986's unreserved
/// characters, so a `/` or `?` in the value stays inside its segment.
///
/// ```
/// use percent_encoding::utf8_percent_encode;
/// use switchboard_http::PATH_SEGMENT;
///
/// let segment = utf8_percent_encode("fancy map/ä", PATH_SEGMENT).to_string();
/// assert_eq!(segment, "fancy%20map%2F%C3%A4");
/// ```
pub const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Requests to one server's REST routes, with connection reuse. Clones
/// share the connection pool. Never retries: a `PUT` or `POST` may have
/// run before a connection broke.
///
/// ```
/// let client = switchboard_http::RestClient::new("http://127.0.0.1:8080/")?;
/// assert_eq!(client.url("/api/sensors/"), "http://127.0.0.1:8080/api/sensors/");
/// # Ok::<(), switchboard_http::HttpClientError>(())
/// ```
#[derive(Debug, Clone)]
pub struct RestClient {
    http: reqwest::Client,
    base: String,
    timeout: Option<Duration>,
}

/// What a REST route answered.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RestReply {
    /// The status.
    pub status: StatusCode,
    /// The `Location` header, if any.
    pub location: Option<String>,
    /// The body (empty for `202`/`204`).
    pub body: Bytes,
}

impl RestClient {
    /// A client for the server at `base` (`http://host:port`, with or
    /// without a trailing slash).
    ///
    /// # Errors
    /// [`HttpClientError`] if the HTTP stack cannot be set up.
    pub fn new(base: impl Into<String>) -> Result<Self, HttpClientError> {
        let http = reqwest::Client::builder()
            .tcp_nodelay(true)
            .build()
            .map_err(HttpClientError)?;
        Ok(Self {
            http,
            base: base.into().trim_end_matches('/').to_owned(),
            timeout: None,
        })
    }

    /// Gives up on a request after `timeout` ([`TransportError::Timeout`]).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The base URL followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends `method` to `path`, with `json` as an `application/json` body
    /// if given, and returns the answer whatever its status.
    ///
    /// # Errors
    /// [`TransportError::Connect`] if the server cannot be reached,
    /// [`TransportError::Timeout`] past the timeout, [`TransportError::Io`]
    /// if the connection broke.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        json: Option<Vec<u8>>,
    ) -> Result<RestReply, TransportError> {
        let mut builder = self
            .http
            .request(method, self.url(path))
            .header(header::ACCEPT, "application/json");
        if let Some(body) = json {
            builder = builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        let response = builder.send().await.map_err(classify)?;
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body = response.bytes().await.map_err(classify)?;
        Ok(RestReply {
            status,
            location,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use percent_encoding::utf8_percent_encode;

    use super::PATH_SEGMENT;

    #[test]
    fn only_unreserved_characters_stay_as_they_are() {
        let encode = |text| utf8_percent_encode(text, PATH_SEGMENT).to_string();
        assert_eq!(encode("sensor-1_a.b~Z9"), "sensor-1_a.b~Z9");
        assert_eq!(encode("a b/c?ä"), "a%20b%2Fc%3F%C3%A4");
        assert_eq!(encode("%#{}\u{0}+"), "%25%23%7B%7D%00%2B");
    }
}
