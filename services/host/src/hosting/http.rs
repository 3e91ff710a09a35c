//! The HTTP side of hosting: the interface documents a server publishes
//! ([`documents`]), and the very server `serve` runs, built in process for
//! tests and benchmarks ([`http_server`]).

use std::sync::Arc;

use switchboard::Application;
use switchboard::catalog::{DocumentsFn, ProtocolEntry, TypedSettings};
use switchboard_http::catalog::mounted_server;
use switchboard_http::{HttpConfig, HttpServer, RouteError};

use super::interface::document_context;
use crate::HostInfo;
use crate::catalog::DOCUMENTS;

/// The interface documents ([`DOCUMENTS`]) a server for `app` with
/// `protocols` and `config` publishes, each built once per bound address:
/// links start with `config.public_url`, and documents that need an
/// absolute address without one (the WSDL) use the address the server is
/// bound to, else [`DEFAULT_SERVER_URL`](crate::catalog::DEFAULT_SERVER_URL).
pub fn documents(
    host: &HostInfo,
    app: &Application,
    protocols: &[&'static ProtocolEntry],
    config: &HttpConfig,
) -> DocumentsFn {
    let host = host.clone();
    let app = app.clone();
    let protocols = protocols.to_vec();
    let config = config.clone();
    Arc::new(move |server_url| {
        let mut context = document_context(&host, &app, protocols.iter().copied(), &config);
        context.server_url = server_url.map(|url| url.trim_end_matches('/').to_owned());
        DOCUMENTS
            .iter()
            .filter(|d| d.is_served(&context))
            .map(|d| d.published(&app, &context))
            .collect()
    })
}

/// The typed settings the protocols and transports of `host` read: SOAP's
/// namespace and service name, and `config`.
pub fn typed_settings(host: &HostInfo, config: &HttpConfig) -> TypedSettings {
    TypedSettings::default()
        .with(host.soap_settings())
        .with(config.clone())
}

/// `app` on HTTP as `serve` mounts it: `protocols` at their mounts and the
/// interface documents describing them, for a server reachable at
/// `server_url` if known.
///
/// # Errors
/// [`RouteError`] if two methods bind one route.
pub fn http_server(
    host: &HostInfo,
    app: Application,
    protocols: &[&'static ProtocolEntry],
    config: HttpConfig,
    server_url: Option<&str>,
) -> Result<HttpServer, RouteError> {
    let documents = documents(host, &app, protocols, &config)(server_url);
    let settings = typed_settings(host, &config);
    mounted_server(app, protocols, &settings, documents, config)
}
