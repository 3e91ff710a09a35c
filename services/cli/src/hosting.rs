//! Hosting the shipped services: services and protocols picked by name,
//! with the state each service needs. `switchboard serve` is a thin wrapper
//! around [`application`] and [`http_server`].

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use switchboard::{Application, BuildError};
use switchboard_http::{HttpConfig, HttpServer, RouteError};
use switchboard_json::{JsonDocument, JsonRpc};

use switchboard_gridmap::StoreError;

/// Every service this crate ships, in the order `serve` lists them.
pub const SERVICES: &[&str] = &[switchboard_demo::SERVICE, switchboard_gridmap::SERVICE];

/// A protocol `serve` can mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// JSON-RPC 2.0 at `POST /jsonrpc`.
    JsonRpc,
    /// The JSON document at `POST /json` and `POST /json/{method}`.
    Json,
    /// The methods' REST route bindings (`/api/...`), in JSON.
    Rest,
}

impl Protocol {
    /// Every protocol, the default of `serve`.
    pub const ALL: [Self; 3] = [Self::JsonRpc, Self::Json, Self::Rest];

    /// The name used in flags and config.
    pub fn name(self) -> &'static str {
        match self {
            Self::JsonRpc => "jsonrpc",
            Self::Json => "json",
            Self::Rest => "rest",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Protocol {
    type Err = HostError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == name.trim())
            .ok_or_else(|| HostError::UnknownProtocol(name.to_owned()))
    }
}

/// Why the services could not be hosted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// The application could not be built (unknown service, duplicate name).
    #[error(transparent)]
    Build(#[from] BuildError),
    /// The gridmap database could not be opened.
    #[error("cannot open the gridmap database")]
    Store(#[from] StoreError),
    /// A route binding is invalid.
    #[error(transparent)]
    Route(#[from] RouteError),
    /// A protocol name is not known.
    #[error("unknown protocol `{0}` (known: jsonrpc, json, rest)")]
    UnknownProtocol(String),
}

/// The application serving `services`, with gridmap's state in the SQLite
/// file `db` when gridmap is among them.
///
/// # Errors
/// [`HostError::Build`] for an unknown service, [`HostError::Store`] if the
/// database cannot be opened or migrated.
pub fn application(services: &[String], db: &Path) -> Result<Application, HostError> {
    let mut builder = Application::builder().services(services.iter().cloned());
    if services.iter().any(|s| s == switchboard_gridmap::SERVICE) {
        builder = switchboard_gridmap::setup(builder, db)?;
    }
    Ok(builder.build()?)
}

/// `app` on HTTP with `protocols` mounted at their usual paths.
///
/// # Errors
/// [`HostError::Route`] if two methods bind one route.
pub fn http_server(
    app: Application,
    protocols: &[Protocol],
    config: HttpConfig,
) -> Result<HttpServer, HostError> {
    let mut builder = HttpServer::builder(app).config(config);
    for protocol in protocols {
        builder = match protocol {
            Protocol::JsonRpc => builder.endpoint("/jsonrpc", JsonRpc),
            Protocol::Json => builder.endpoint("/json", JsonDocument),
            Protocol::Rest => builder.rest(JsonDocument),
        };
    }
    Ok(builder.build()?)
}
