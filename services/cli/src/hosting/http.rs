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
/// documents describing them ([`DOCUMENTS`]), each built once here. Links
/// start with `config.public_url`; documents that need an absolute address
/// without one (the WSDL) use [`DEFAULT_SERVER_URL`](crate::catalog::DEFAULT_SERVER_URL);
/// [`http_server_at`] names the real one.
///
/// # Errors
/// [`RouteError`] if two methods bind one route.
pub fn http_server<'a>(
    app: Application,
    protocols: impl IntoIterator<Item = &'a Protocol>,
    config: HttpConfig,
) -> Result<HttpServer, RouteError> {
    build(app, protocols, config, None)
}

/// As [`http_server`], for a server reachable at `server_url`
/// (`http://127.0.0.1:8080`, the address it is bound to): documents that
/// need an absolute address use it when no public URL is configured. It
/// is never taken from a request.
///
/// # Errors
/// [`RouteError`] if two methods bind one route.
pub fn http_server_at<'a>(
    app: Application,
    protocols: impl IntoIterator<Item = &'a Protocol>,
    config: HttpConfig,
    server_url: &str,
) -> Result<HttpServer, RouteError> {
    build(app, protocols, config, Some(server_url))
}

fn build<'a>(
    app: Application,
    protocols: impl IntoIterator<Item = &'a Protocol>,
    config: HttpConfig,
    server_url: Option<&str>,
) -> Result<HttpServer, RouteError> {
    let protocols: Vec<&Protocol> = protocols.into_iter().collect();
    let mut context = document_context(&app, protocols.iter().copied(), &config);
    context.server_url = server_url.map(|url| url.trim_end_matches('/').to_owned());
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

/// The `http` transport: binds `settings.listen`, builds the server (its
/// documents link to `--public-url`, or else, where they need an absolute
/// address, to the bound one), and describes where each protocol answers.
/// The first banner line is `switchboard listening on http://{address}`,
/// printed once the listener is bound (tests wait for it).
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
        let bound = format!("http://{addr}");
        let server = http_server_at(app.clone(), protocols.iter().copied(), http.clone(), &bound)?;
        let base = http.public_url.clone().unwrap_or_else(|| bound.clone());
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
        })
        .with_http_url(bound))
    })
}
