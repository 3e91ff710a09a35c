//! [`HttpFacts`]: what the HTTP transport knows about a request, read by
//! methods with `ctx.facts::<HttpFacts>()`.

use std::net::SocketAddr;

use switchboard::Facts;

/// What the HTTP transport knows about a request.
///
/// The `http` crate's types are used as they come from the server, so
/// recording the facts copies nothing.
///
/// ```
/// use switchboard::{MethodContext, rpc};
/// use switchboard_http::HttpFacts;
///
/// /// Who is asking, as far as HTTP can tell.
/// #[rpc(service = "whoami")]
/// fn user_agent(ctx: &MethodContext) -> String {
///     ctx.facts::<HttpFacts>()
///         .and_then(|http| http.header("user-agent"))
///         .unwrap_or("not over HTTP")
///         .to_owned()
/// }
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct HttpFacts {
    /// The request method (`POST`, `GET`, ...).
    pub method: http::Method,
    /// The request URI (path and query).
    pub uri: http::Uri,
    /// The request headers.
    pub headers: http::HeaderMap,
    /// The peer's address, when known.
    pub peer: Option<SocketAddr>,
}

impl HttpFacts {
    /// The first value of header `name` (case-insensitive), if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }
}

impl Facts for HttpFacts {
    fn transport(&self) -> &'static str {
        "http"
    }
}
