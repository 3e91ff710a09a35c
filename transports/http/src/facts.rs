//! [`HttpFacts`]: what the HTTP transport knows about a request, read by
//! methods with `ctx.facts::<HttpFacts>()`.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

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
    /// The status a method asked for with [`answer_with`](Self::answer_with);
    /// shared by clones, so the transport sees what the method set.
    pub(crate) status: Arc<OnceLock<http::StatusCode>>,
}

impl HttpFacts {
    /// The first value of header `name` (case-insensitive), if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// Asks a REST route binding to answer a successful call with `status`
    /// instead of its usual one (`200`, `201` or `204`): `202 Accepted` for
    /// work that was queued and whose result comes later. A `null` result
    /// is then answered with `status` and no body; any other result keeps
    /// its body. The first status set wins (it returns `false` for later
    /// ones); a fault keeps the fault's status; RPC endpoints (`/jsonrpc`,
    /// `/json`) ignore it, since their replies carry their own outcome.
    ///
    /// ```
    /// use switchboard::{MethodContext, rpc};
    /// use switchboard_http::HttpFacts;
    ///
    /// /// Starts a report; `202 Accepted` on `POST /reports/`.
    /// #[rpc(service = "reports", http = "POST /reports/")]
    /// fn start_report(ctx: &MethodContext) {
    ///     if let Some(http) = ctx.facts::<HttpFacts>() {
    ///         http.answer_with(http::StatusCode::ACCEPTED);
    ///     }
    /// }
    /// ```
    pub fn answer_with(&self, status: http::StatusCode) -> bool {
        self.status.set(status).is_ok()
    }

    /// The status a method asked for with [`answer_with`](Self::answer_with).
    pub fn answer_status(&self) -> Option<http::StatusCode> {
        self.status.get().copied()
    }
}

impl Facts for HttpFacts {
    fn transport(&self) -> &'static str {
        "http"
    }
}
