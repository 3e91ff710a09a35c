//! [`HttpClient`]: the client transport over HTTP (reqwest, one connection
//! pool per client, keep-alive).

use std::time::Instant;

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use switchboard::{
    ClientTransport, FINGERPRINT_HEADER, Fingerprint, OutgoingRequest, ReceivedReply,
    TransportError,
};

/// Sends calls to one RPC endpoint (`http://127.0.0.1:8080/jsonrpc`).
///
/// Requests are never retried: a POST may have run before the connection
/// broke. Clones share the connection pool.
#[derive(Debug, Clone)]
pub struct HttpClient {
    http: reqwest::Client,
    endpoint: String,
    method_in_path: bool,
    authorization: Option<HeaderValue>,
    fingerprint: Option<HeaderValue>,
}

/// Why an [`HttpClient`] could not be built.
#[derive(Debug, thiserror::Error)]
#[error("invalid HTTP client settings")]
pub struct HttpClientError(#[source] pub(crate) reqwest::Error);

impl HttpClient {
    /// A client for the endpoint at `url`.
    ///
    /// # Errors
    /// [`HttpClientError`] if the HTTP stack cannot be set up.
    pub fn new(url: impl Into<String>) -> Result<Self, HttpClientError> {
        let http = reqwest::Client::builder()
            .tcp_nodelay(true)
            .build()
            .map_err(HttpClientError)?;
        Ok(Self {
            http,
            endpoint: url.into().trim_end_matches('/').to_owned(),
            method_in_path: false,
            authorization: None,
            fingerprint: None,
        })
    }

    /// Names the method in the URL (`POST {url}/{method}`) and sends bare
    /// params, for protocols that allow it (the JSON document protocol).
    #[must_use]
    pub fn with_method_in_path(mut self, enabled: bool) -> Self {
        self.method_in_path = enabled;
        self
    }

    /// Sends `Authorization: Bearer <token>` with every request.
    #[must_use]
    pub fn with_bearer_token(mut self, token: &str) -> Self {
        self.authorization = HeaderValue::from_str(&format!("Bearer {token}")).ok();
        self
    }

    /// Sends an `Authorization` header with this exact value.
    #[must_use]
    pub fn with_authorization(mut self, value: HeaderValue) -> Self {
        self.authorization = Some(value);
        self
    }

    /// Sends this process's fingerprint with every request (the
    /// `switchboard-fingerprint` header), so methods see who called.
    #[must_use]
    pub fn with_fingerprint(mut self, fingerprint: &Fingerprint) -> Self {
        self.fingerprint = HeaderValue::from_str(&fingerprint.to_json()).ok();
        self
    }

    fn url_for(&self, method: &str) -> String {
        if self.method_in_path {
            format!("{}/{method}", self.endpoint)
        } else {
            self.endpoint.clone()
        }
    }
}

#[async_trait]
impl ClientTransport for HttpClient {
    fn names_method(&self) -> bool {
        self.method_in_path
    }

    async fn send(&self, request: OutgoingRequest) -> Result<Option<Bytes>, TransportError> {
        Ok(self.exchange(request).await?.map(|reply| reply.body))
    }

    /// The reply, with its status as context. Faults may come with 4xx/5xx
    /// statuses and the protocol's error body, which the protocol decodes;
    /// when it cannot (a client pointed at the wrong endpoint), the error
    /// shows the status and the first bytes of the body.
    async fn exchange(
        &self,
        request: OutgoingRequest,
    ) -> Result<Option<ReceivedReply>, TransportError> {
        let mut builder = self
            .http
            .post(self.url_for(&request.method))
            .header(header::CONTENT_TYPE, request.content_type)
            .body(request.body);
        if let Some(value) = &self.authorization {
            builder = builder.header(header::AUTHORIZATION, value.clone());
        }
        if let Some(value) = &self.fingerprint {
            builder = builder.header(FINGERPRINT_HEADER, value.clone());
        }
        for (name, value) in request.headers.iter() {
            builder = builder.header(name, value);
        }
        if let Some(deadline) = request.deadline {
            builder = builder.timeout(deadline.saturating_duration_since(Instant::now()));
        }
        let response = builder.send().await.map_err(classify)?;
        let status = response.status();
        let body = response.bytes().await.map_err(classify)?;
        // Nothing to say, or accepted without a reply (SOAP's one-way
        // acknowledgement).
        let acknowledged = status == StatusCode::ACCEPTED && body.is_empty();
        if status == StatusCode::NO_CONTENT || acknowledged || request.one_way {
            return Ok(None);
        }
        if body.is_empty() {
            return Err(TransportError::Unexpected(format!(
                "HTTP {status} without a body"
            )));
        }
        Ok(Some(
            ReceivedReply::new(body).with_context(format!("HTTP {status}")),
        ))
    }
}

pub(crate) fn classify(err: reqwest::Error) -> TransportError {
    if err.is_timeout() {
        TransportError::Timeout
    } else if err.is_connect() {
        TransportError::Connect(Box::new(err))
    } else {
        TransportError::Io(Box::new(err))
    }
}
