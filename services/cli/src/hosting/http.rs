//! The HTTP side of hosting: [`http_server`] mounts each protocol where
//! its catalog entry says, and [`bind_http`] is the `http` transport of
//! `serve`.

use switchboard::Application;
use switchboard_http::{HttpConfig, HttpServer, RouteError};
use tokio::net::TcpListener;

use super::interface::document_context;
use super::serving::{Bound, BoxFuture, ServeError, ServeSettings};
use crate::catalog::{DOCUMENTS, Entry, HttpMount, Protocol};

/// `app` on HTTP with `protocols` at their mounts, and the interface
/// documents describing them ([`DOCUMENTS`]), each built once here.
///
/// # Errors
/// [`RouteError`] if two methods bind one route.
pub fn http_server<'a>(
    app: Application,
    protocols: impl IntoIterator<Item = &'a Protocol>,
    config: HttpConfig,
) -> Result<HttpServer, RouteError> {
    let protocols: Vec<&Protocol> = protocols.into_iter().collect();
    let context = document_context(&app, protocols.iter().copied(), &config);
    let mut builder = HttpServer::builder(app.clone()).config(config);
    for document in DOCUMENTS.iter().filter(|d| d.is_served(&context)) {
        builder = builder.document(document.served(&app, &context));
    }
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
        let server = http_server(app.clone(), protocols.iter().copied(), http.clone())?;
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
        let context = document_context(&app, protocols.iter().copied(), &http);
        for document in DOCUMENTS.iter().filter(|d| d.is_served(&context)) {
            let label = format!("{}:", document.name());
            banner.push(format!("  {label:<9} GET {}", document.url(&base)));
        }
        banner.push(format!("  {:<9} GET {base}/healthz", "health:"));
        Ok(Bound::new(banner, move |shutdown| {
            Box::pin(server.serve(listener, shutdown))
        }))
    })
}
