//! The HTTP side of hosting: [`http_server`] mounts each protocol where
//! its catalog entry says, and [`bind_http`] is the `http` transport of
//! `serve`.

use switchboard::Application;
use switchboard_http::{HttpConfig, HttpServer, RouteError};
use tokio::net::TcpListener;

use super::serving::{Bound, BoxFuture, ServeError, ServeSettings};
use crate::catalog::{Entry, HttpMount, Protocol};

/// `app` on HTTP with `protocols` at their mounts.
///
/// # Errors
/// [`RouteError`] if two methods bind one route.
pub fn http_server<'a>(
    app: Application,
    protocols: impl IntoIterator<Item = &'a Protocol>,
    config: HttpConfig,
) -> Result<HttpServer, RouteError> {
    let mut builder = HttpServer::builder(app).config(config);
    for protocol in protocols {
        let protocols = protocol.server();
        builder = match protocol.mount() {
            HttpMount::Endpoint { path, .. } => builder.endpoint(path, protocols),
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
        let base = http.public_url.clone();
        let server = http_server(app, protocols.iter().copied(), http)?;
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| ServeError::Bind {
                addr: listen,
                source,
            })?;
        let addr = listener.local_addr().unwrap_or(listen);
        let base = base.unwrap_or_else(|| format!("http://{addr}"));
        let mut banner = vec![format!("switchboard listening on http://{addr}")];
        for protocol in &protocols {
            let label = format!("{}:", protocol.name());
            let mount = protocol.mount().describe(&base);
            let description = protocol.description();
            banner.push(format!("  {label:<9} {mount}  ({description})"));
        }
        banner.push(format!("  {:<9} GET {base}/healthz", "health:"));
        Ok(Bound::new(banner, move |shutdown| {
            Box::pin(server.serve(listener, shutdown))
        }))
    })
}
