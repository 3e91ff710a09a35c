//! The HTTP side of hosting: [`http_server`] mounts each protocol where
//! its catalog entry says, and [`bind_http`] is the `http` transport of
//! `serve`.

use switchboard::Application;
use switchboard_http::{Document, HttpConfig, HttpServer, RouteError};
use tokio::net::TcpListener;

use super::serving::{Bound, BoxFuture, ServeError, ServeSettings};
use crate::catalog::{Entry, HttpMount, Protocol};

/// `app` on HTTP with `protocols` at their mounts, and the documents they
/// publish (SOAP's WSDL) linking to `config.public_url`, or to
/// [`LOCAL_BASE`] when it is unset (see [`http_server_at`]).
///
/// # Errors
/// [`RouteError`] if two methods bind one route.
pub fn http_server<'a>(
    app: Application,
    protocols: impl IntoIterator<Item = &'a Protocol>,
    config: HttpConfig,
) -> Result<HttpServer, RouteError> {
    let base = config
        .public_url
        .clone()
        .unwrap_or_else(|| LOCAL_BASE.to_owned());
    http_server_at(app, protocols, config, &base)
}

/// The base URL documents link to when no public URL is configured and the
/// server's address is not known yet.
pub const LOCAL_BASE: &str = "http://localhost";

/// As [`http_server`], with the documents linking under `base`
/// (`http://127.0.0.1:8080`): the configured public URL, or the address
/// the server is bound to, never one taken from a request. Each document is
/// built here, once.
///
/// # Errors
/// [`RouteError`] if two methods bind one route.
pub fn http_server_at<'a>(
    app: Application,
    protocols: impl IntoIterator<Item = &'a Protocol>,
    config: HttpConfig,
    base: &str,
) -> Result<HttpServer, RouteError> {
    let base = base.trim_end_matches('/');
    let mut builder = HttpServer::builder(app.clone()).config(config);
    for protocol in protocols {
        let protocols = protocol.server();
        builder = match protocol.mount() {
            HttpMount::Endpoint { path, .. } => {
                if let Some(document) = protocol.document() {
                    let body = (document.build)(&app, &format!("{base}{path}"));
                    builder = builder.document(
                        Document::new(path, document.media_type, body).on_query(document.query),
                    );
                }
                builder.endpoint(path, protocols)
            }
            HttpMount::Rest => builder.rest(protocols),
        };
    }
    builder.build()
}

/// The `http` transport: builds the server, binds `settings.listen`, and
/// describes where each protocol answers. The first banner line is
/// `switchboard listening on http://{address}`, printed once the
/// listener is bound (tests wait for it).
///
/// # Errors
/// [`ServeError::Route`] if the routes clash, [`ServeError::Bind`] if the
/// address cannot be bound.
pub fn bind_http(settings: ServeSettings) -> BoxFuture<'static, Result<Bound, ServeError>> {
    Box::pin(async move {
        let ServeSettings {
            app,
            protocols,
            listen,
            http,
            ..
        } = settings;
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| ServeError::Bind {
                addr: listen,
                source,
            })?;
        let addr = listener.local_addr().unwrap_or(listen);
        let base = http
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let server = http_server_at(app, protocols.iter().copied(), http, &base)?;
        let mut banner = vec![format!("switchboard listening on http://{addr}")];
        for protocol in &protocols {
            let label = format!("{}:", protocol.name());
            let mount = protocol.mount().describe(&base);
            let description = protocol.description();
            banner.push(format!("  {label:<9} {mount}  ({description})"));
            if let (HttpMount::Endpoint { path, .. }, Some(document)) =
                (protocol.mount(), protocol.document())
            {
                banner.push(format!("  {:<9} GET {base}{path}?{}", "", document.query));
            }
        }
        banner.push(format!("  {:<9} GET {base}/healthz", "health:"));
        Ok(Bound::new(banner, move |shutdown| {
            Box::pin(server.serve(listener, shutdown))
        }))
    })
}
