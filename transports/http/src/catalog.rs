//! This crate's entry in the transport catalog ([`switchboard::catalog`]):
//! `http://HOST:PORT` serves every protocol at its [`HttpMount`] with the
//! host's interface documents, or sends calls to a server there.
//!
//! The HTTP settings (limits, timeouts, auth) come from the
//! [`HttpConfig`] in [`ServeSettings::settings`], the defaults without one.

use std::sync::Arc;

use switchboard::Application;
use switchboard::ClientTransport;
use switchboard::catalog::{
    Address, BindError, Bound, BoxFuture, Capabilities, ConnectSettings, HttpMount, ProtocolEntry,
    PublishedDocument, ServeSettings, TransportEntry, TypedSettings, inventory,
};
use tokio::net::TcpListener;

use crate::{Document, HttpClient, HttpConfig, HttpServer, HttpServerBuilder, RouteError};

inventory::submit! {
    TransportEntry::new(
        "http",
        "HTTP: every protocol at its path, the interface documents, GET /healthz, /readyz and /metrics",
        &["http"],
    )
    .example("http://127.0.0.1:8080")
    .capabilities(Capabilities::NONE.with_replies())
    .drains_in_place()
    .bind(bind)
    .connect(connect)
    .conformance(|_, _| Some("http://127.0.0.1:0".to_owned()))
}

impl HttpServerBuilder {
    /// Mounts a protocol of the catalog where its entry says (an endpoint
    /// at its path, or the REST routes), configured by `settings`. A
    /// protocol without an HTTP mount is left out.
    #[must_use]
    pub fn mount(self, protocol: &ProtocolEntry, settings: &TypedSettings) -> Self {
        match protocol.http_mount() {
            Some(HttpMount::Endpoint { path, .. }) => {
                self.endpoint(path, protocol.server(settings))
            }
            Some(HttpMount::Rest) => self.rest(protocol.server(settings)),
            _ => self,
        }
    }

    /// Serves a published interface document at its path (and query key).
    #[must_use]
    pub fn published(self, document: PublishedDocument) -> Self {
        let mut served = Document::new(document.path, document.media_type, document.body);
        if let Some(key) = document.query {
            served = served.on_query(key);
        }
        self.document(served)
    }
}

/// `app` on HTTP with `protocols` at their mounts (configured by
/// `settings`) and `documents`, under `config`.
///
/// # Errors
/// [`RouteError`] if two methods bind one route.
pub fn mounted_server(
    app: Application,
    protocols: &[&ProtocolEntry],
    settings: &TypedSettings,
    documents: Vec<PublishedDocument>,
    config: HttpConfig,
) -> Result<HttpServer, RouteError> {
    let mut builder = HttpServer::builder(app).config(config);
    for document in documents {
        builder = builder.published(document);
    }
    for protocol in protocols {
        builder = builder.mount(protocol, settings);
    }
    builder.build()
}

fn bind(address: Address, settings: ServeSettings) -> BoxFuture<'static, Result<Bound, BindError>> {
    Box::pin(async move {
        address.check_options(&[])?;
        let listen = address.path().trim_end_matches('/').to_owned();
        if listen.contains('/') {
            return Err(address
                .invalid("an HTTP server listens on HOST:PORT; paths are not served under a prefix")
                .into());
        }
        let listener = TcpListener::bind(&listen)
            .await
            .map_err(|source| BindError::Local {
                action: "listen on",
                target: listen.clone(),
                source: source.into(),
            })?;
        let bound = match listener.local_addr() {
            Ok(addr) => format!("http://{addr}"),
            Err(_) => format!("http://{listen}"),
        };
        let mut config = settings
            .settings
            .get::<HttpConfig>()
            .cloned()
            .unwrap_or_default();
        if let Some(url) = &settings.public_url {
            config = config.with_public_url(url);
        }
        config = config
            .with_draining(settings.draining.clone())
            .with_readiness(settings.readiness.clone());
        if let Some(page) = &settings.metrics {
            config = config.with_metrics(page.clone());
        }
        let documents = settings
            .documents
            .as_ref()
            .map(|build| build(Some(&bound)))
            .unwrap_or_default();
        let base = config.public_url.clone().unwrap_or_else(|| bound.clone());
        let banner = banner(&settings, &bound, &base, &documents);
        let server = mounted_server(
            settings.app,
            &settings.protocols,
            &settings.settings,
            documents,
            config,
        )
        .map_err(|source| BindError::Setup {
            transport: "http",
            source: source.into(),
        })?;
        let reach = Address::parse(&bound)?;
        Ok(Bound::new(banner, move |shutdown| {
            Box::pin(server.serve(listener, shutdown))
        })
        .with_reach(reach))
    })
}

/// `NAME listening on http://ADDR`, then where each protocol and document
/// answers under `base`.
fn banner(
    settings: &ServeSettings,
    bound: &str,
    base: &str,
    documents: &[PublishedDocument],
) -> Vec<String> {
    let mut banner = vec![format!("{} listening on {bound}", settings.host_name)];
    for protocol in &settings.protocols {
        let Some(mount) = protocol.http_mount() else {
            continue;
        };
        let label = format!("{}:", protocol.name());
        let description = protocol.description();
        banner.push(format!(
            "  {label:<9} {}  ({description})",
            mount.describe(base)
        ));
    }
    for document in documents {
        let label = format!("{}:", document.name);
        banner.push(format!("  {label:<9} GET {}", document.url(base)));
    }
    banner.push(format!("  {:<9} GET {base}/healthz", "health:"));
    banner.push(format!("  {:<9} GET {base}/readyz", "ready:"));
    if settings.metrics.is_some() {
        banner.push(format!("  {:<9} GET {base}/metrics", "metrics:"));
    }
    banner
}

fn connect(
    address: Address,
    settings: ConnectSettings,
) -> BoxFuture<'static, Result<Arc<dyn ClientTransport>, BindError>> {
    Box::pin(async move {
        address.check_options(&[])?;
        let base = address.without_options();
        let protocol = settings.protocol;
        let (endpoint, method_in_path) = protocol
            .http_mount()
            .and_then(|mount| mount.client_endpoint(&base))
            .ok_or_else(|| {
                address.invalid(format!(
                    "the {} protocol has no HTTP endpoint to call",
                    protocol.name()
                ))
            })?;
        let mut transport = HttpClient::new(endpoint)
            .map_err(|source| BindError::Setup {
                transport: "http",
                source: source.into(),
            })?
            .with_method_in_path(method_in_path);
        if let Some(token) = &settings.bearer_token {
            transport = transport.with_bearer_token(token);
        }
        if let Some(fingerprint) = &settings.fingerprint {
            transport = transport.with_fingerprint(fingerprint);
        }
        Ok(Arc::new(transport) as Arc<dyn ClientTransport>)
    })
}
