//! Hosting one piece at a time, for binaries that bring their own `clap`
//! (what [`Host::run`](crate::Host::run) does with them): the application
//! for the services picked, the settings every transport gets, the
//! interface documents, and the transports serving side by side until one
//! shutdown.
//!
//! ```
//! use switchboard::catalog::{self, Address};
//! use switchboard_host::HostInfo;
//! use switchboard_host::catalog::Service;
//! use switchboard_host::hosting;
//! use switchboard_http::HttpConfig;
//! use switchboard_demo as _; // links the `demo` service
//!
//! # #[tokio::main(flavor = "multi_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let host = HostInfo::new("demo-host", "1.0.0");
//! let dir = tempfile::tempdir()?;
//! let demo = Service::new("demo");
//! let app = hosting::application(&host, [&demo], &dir.path().join("state.db"), None)?;
//! let settings = hosting::serve_settings(&host, app, catalog::protocols(), HttpConfig::default());
//! let bound = hosting::bind_all(&[Address::parse("http://127.0.0.1:0")?], &settings).await?;
//! assert!(bound[0].1.banner()[0].starts_with("demo-host listening on http://127.0.0.1:"));
//! // Serves until the shutdown future completes (here: at once).
//! hosting::serve_all(bound, async {}).await?;
//! # Ok(())
//! # }
//! ```
//!
//! - [`application`]: the services, each set up as its entry says.
//! - [`http`]: the interface documents, and the HTTP server in process.
//! - [`interface`]: what the documents say about themselves.
//! - [`serving`]: [`bind_all`] and [`serve_all`].

pub mod http;
pub mod interface;
pub mod serving;

use std::path::Path;
use std::sync::Arc;

use switchboard::catalog::{HttpMount, ProtocolEntry, ServeSettings};
use switchboard::protocol::BoxError;
use switchboard::{Application, BuildError};
use switchboard_http::HttpConfig;
use switchboard_json::openrpc::{OpenRpcSettings, discoverable};

use crate::HostInfo;
use crate::catalog::Service;
use crate::catalog::services::SetupFn;
use crate::components::CallCounts;

pub use http::{documents, http_server, typed_settings};
pub use interface::{document_context, document_info, document_info_of};
pub use serving::{ServeError, bind_all, serve_all};

/// Why the services could not be hosted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// The application could not be built (two services define one method,
    /// a service whose crate is not linked).
    #[error(transparent)]
    Build(#[from] BuildError),
    /// A service's setup failed (gridmap: its database could not be opened).
    #[error("cannot set up service `{service}`")]
    Setup {
        /// The service.
        service: String,
        /// What its setup said.
        #[source]
        source: BoxError,
    },
}

/// The application serving `services` of `host`, each set up with its
/// state in the SQLite file `db` if it keeps any, and `rpc.discover` (its
/// OpenRPC document linking under `public_url` if given).
///
/// # Errors
/// [`HostError::Setup`] if a service cannot be set up (its database cannot
/// be opened or migrated), [`HostError::Build`] if the application cannot
/// be built.
pub fn application<'a>(
    host: &HostInfo,
    services: impl IntoIterator<Item = &'a Service>,
    db: &Path,
    public_url: Option<&str>,
) -> Result<Application, HostError> {
    application_with(host, services, &[], db, public_url)
}

/// [`application`], its calls counted into `counts` (what heartbeats
/// report, and what a drain waits for: see
/// [`components`](crate::components)), and its call metrics recorded when
/// `metered` ([`telemetry`](crate::telemetry)).
///
/// # Errors
/// As [`application`].
pub fn application_counted<'a>(
    host: &HostInfo,
    services: impl IntoIterator<Item = &'a Service>,
    db: &Path,
    public_url: Option<&str>,
    counts: &Arc<CallCounts>,
    metered: bool,
) -> Result<Application, HostError> {
    let setups = [counting(counts), metering(metered)];
    application_with(host, services, &setups, db, public_url)
}

/// A setup turning the application's call metrics on or off
/// ([`ApplicationBuilder::metrics`](switchboard::ApplicationBuilder::metrics)).
pub(crate) fn metering(on: bool) -> SetupFn {
    Arc::new(move |builder, _db| Ok(builder.metrics(on)))
}

/// A setup counting the application's calls into `counts`.
pub(crate) fn counting(counts: &Arc<CallCounts>) -> SetupFn {
    let counts = Arc::clone(counts);
    Arc::new(move |builder, _db| Ok(counts.count_in(builder)))
}

/// [`application`], with the host's own setups run after the services'.
pub(crate) fn application_with<'a>(
    host: &HostInfo,
    services: impl IntoIterator<Item = &'a Service>,
    setups: &[SetupFn],
    db: &Path,
    public_url: Option<&str>,
) -> Result<Application, HostError> {
    let services: Vec<&Service> = services.into_iter().collect();
    let info = document_info(host, services.iter().map(|s| s.name()), public_url);
    let mut settings = OpenRpcSettings::new(info);
    if let Some(HttpMount::Endpoint { path, .. }) =
        switchboard::catalog::protocol("jsonrpc").and_then(ProtocolEntry::http_mount)
    {
        settings = settings.with_endpoint(path);
    }
    let builder = Application::builder().services(services.iter().map(|s| s.name()));
    let mut builder = discoverable(builder, settings);
    for service in &services {
        builder = service
            .setup(builder, db)
            .map_err(|source| HostError::Setup {
                service: service.name().to_owned(),
                source,
            })?;
    }
    for setup in setups {
        builder = setup(builder, db).map_err(|source| HostError::Setup {
            service: host.name().to_owned(),
            source,
        })?;
    }
    Ok(builder.build()?)
}

/// What every transport `serve` binds gets: `app` in `protocols` (HTTP
/// mounts them all), named after `host`, the interface documents, and the
/// typed settings ([`typed_settings`]: SOAP's namespace, `config`).
pub fn serve_settings(
    host: &HostInfo,
    app: Application,
    protocols: Vec<&'static ProtocolEntry>,
    config: HttpConfig,
) -> ServeSettings {
    let documents = documents(host, &app, &protocols, &config);
    let mut settings = ServeSettings::new(app, protocols)
        .with_host_name(host.name())
        .with_documents(documents);
    if let Some(url) = &config.public_url {
        settings = settings.with_public_url(url.clone());
    }
    settings.settings = typed_settings(host, &config);
    settings
}
