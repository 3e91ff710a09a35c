//! The protocol catalog: every wire format linked into the binary, by
//! name. Each protocol crate submits its entries with
//! [`inventory::submit!`]; hosts list them for `--protocols`, mount them on
//! HTTP where [`HttpMount`] says, and open clients in them.

use std::fmt;
use std::sync::Arc;

use super::transports::TypedSettings;
use crate::protocol::ClientProtocol;
use crate::server::Protocols;

/// Where the HTTP transport mounts a protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpMount {
    /// An RPC endpoint at `POST {path}`.
    Endpoint {
        /// The endpoint's path (`/jsonrpc`).
        path: &'static str,
        /// Whether clients name the method in the path, `POST
        /// {path}/{method}` with bare params.
        method_in_path: bool,
    },
    /// The methods' own REST route bindings (`GET /api/maps/{slug}/`, ...).
    Rest,
}

impl HttpMount {
    /// The URL a client calls under `base` (`http://127.0.0.1:8080`) and
    /// whether it names the method in the path; `None` for REST, whose
    /// routes are per method.
    pub fn client_endpoint(&self, base: &str) -> Option<(String, bool)> {
        let base = base.trim_end_matches('/');
        match *self {
            Self::Endpoint {
                path,
                method_in_path,
            } => Some((format!("{base}{path}"), method_in_path)),
            Self::Rest => None,
        }
    }

    /// The mount as a banner shows it under `base`.
    pub fn describe(&self, base: &str) -> String {
        match *self {
            Self::Endpoint {
                path,
                method_in_path: false,
            } => format!("POST {base}{path}"),
            Self::Endpoint {
                path,
                method_in_path: true,
            } => format!("POST {base}{path}  or  POST {base}{path}/{{method}}"),
            Self::Rest => format!("{base}/api/..."),
        }
    }
}

/// A protocol of the catalog: its name, media type, HTTP mount, and how
/// to build its server and client halves. Submitted once by the crate that
/// defines the protocol, as `switchboard-json` does for JSON-RPC:
///
/// ```ignore
/// switchboard::catalog::inventory::submit! {
///     ProtocolEntry::new("jsonrpc", "JSON-RPC 2.0", "application/json", |_| JsonRpc.into())
///         .rank(10)
///         .mount(HttpMount::Endpoint { path: "/jsonrpc", method_in_path: false })
///         .client(|_| Arc::new(JsonRpc))
/// }
/// ```
///
/// Linking the crate is all it takes for every host to list, mount and
/// call it ([`protocols`], [`protocol`]).
pub struct ProtocolEntry {
    name: &'static str,
    description: &'static str,
    media_type: &'static str,
    rank: u16,
    mount: Option<HttpMount>,
    server: fn(&TypedSettings) -> Protocols,
    client: Option<ClientFn>,
}

/// Builds a protocol's client half from the host's typed settings.
type ClientFn = fn(&TypedSettings) -> Arc<dyn ClientProtocol>;

inventory::collect!(ProtocolEntry);

impl ProtocolEntry {
    /// A protocol named `name` (what flags and `protocol=` options say),
    /// described for `--help`, whose messages are `media_type`, served by
    /// what `server` builds from the host's typed settings. It is not mounted on HTTP and cannot be called
    /// until [`mount`](Self::mount) and [`client`](Self::client) say so.
    pub const fn new(
        name: &'static str,
        description: &'static str,
        media_type: &'static str,
        server: fn(&TypedSettings) -> Protocols,
    ) -> Self {
        Self {
            name,
            description,
            media_type,
            rank: 100,
            mount: None,
            server,
            client: None,
        }
    }

    /// Its place in lists and defaults (lower first; then by name).
    #[must_use]
    pub const fn rank(mut self, rank: u16) -> Self {
        self.rank = rank;
        self
    }

    /// Where the HTTP transport mounts it.
    #[must_use]
    pub const fn mount(mut self, mount: HttpMount) -> Self {
        self.mount = Some(mount);
        self
    }

    /// How a client (or a producer) encodes calls in it.
    #[must_use]
    pub const fn client(mut self, client: fn(&TypedSettings) -> Arc<dyn ClientProtocol>) -> Self {
        self.client = Some(client);
        self
    }

    /// Its name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What it is, for `--help`.
    pub fn description(&self) -> &'static str {
        self.description
    }

    /// The media type of its requests and replies.
    pub fn media_type(&self) -> &'static str {
        self.media_type
    }

    /// Where the HTTP transport mounts it, if it does.
    pub fn http_mount(&self) -> Option<HttpMount> {
        self.mount
    }

    /// Its request decoder and reply encoder, for a server or a consumer,
    /// configured by the values of `settings` it knows (SOAP: its
    /// `SoapSettings`).
    pub fn server(&self, settings: &TypedSettings) -> Protocols {
        (self.server)(settings)
    }

    /// Whether clients can call in it (REST cannot: its routes are per method).
    pub fn is_callable(&self) -> bool {
        self.client.is_some()
    }

    /// Its call encoder and reply decoder, for a client or a producer;
    /// `None` if it cannot be called.
    pub fn client_protocol(&self, settings: &TypedSettings) -> Option<Arc<dyn ClientProtocol>> {
        self.client.map(|client| client(settings))
    }
}

impl fmt::Debug for ProtocolEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProtocolEntry")
            .field("name", &self.name)
            .field("media_type", &self.media_type)
            .field("mount", &self.mount)
            .field("callable", &self.client.is_some())
            .finish_non_exhaustive()
    }
}

/// Every protocol linked into this binary, by rank then name.
pub fn protocols() -> Vec<&'static ProtocolEntry> {
    let mut all: Vec<_> = inventory::iter::<ProtocolEntry>.into_iter().collect();
    all.sort_by_key(|p| (p.rank, p.name));
    all.dedup_by_key(|p| p.name);
    all
}

/// The protocol named `name`, if one is linked.
pub fn protocol(name: &str) -> Option<&'static ProtocolEntry> {
    protocols().into_iter().find(|p| p.name == name)
}
