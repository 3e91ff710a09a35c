//! Hosting the shipped services as `switchboard serve` does: the
//! application for the services picked from the catalog, the HTTP server
//! for the protocols picked, and the transports serving side by side, so
//! that tests and benchmarks build the very server the binary runs.
//!
//! - [`application`]: the services, each set up as its catalog entry says.
//! - [`http`]: [`http_server`], the protocols at their HTTP mounts.
//! - [`amqp`]: [`bind_amqp`], a RabbitMQ work queue in one protocol.
//! - [`interface`]: what the interface documents say about themselves
//!   (title, version, public URL, auth).
//! - [`serving`]: what a transport gets ([`ServeSettings`]) and gives back
//!   ([`Bound`]), and [`serve_all`].

pub mod amqp;
pub mod http;
pub mod interface;
pub mod serving;

use std::path::Path;

use switchboard::protocol::BoxError;
use switchboard::{Application, BuildError};

use switchboard_json::openrpc::{OpenRpcSettings, discoverable};

use crate::catalog::{Entry, HttpMount, Protocol, Service};

pub use amqp::{AmqpServeSettings, bind_amqp};
pub use http::{bind_http, http_server, http_server_at};
pub use interface::{document_context, document_info};
pub use serving::{Bound, BoxFuture, ServeError, ServeSettings, serve_all};

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
        service: &'static str,
        /// What its setup said.
        #[source]
        source: BoxError,
    },
}

/// The application serving `services`, each set up with its state in the
/// SQLite file `db` if it keeps any, and `rpc.discover` (its OpenRPC
/// document with relative links; see [`application_at`]).
///
/// # Errors
/// [`HostError::Setup`] if a service cannot be set up (its database cannot
/// be opened or migrated), [`HostError::Build`] if the application cannot
/// be built.
pub fn application<'a>(
    services: impl IntoIterator<Item = &'a Service>,
    db: &Path,
) -> Result<Application, HostError> {
    application_at(services, db, None)
}

/// [`application`], whose `rpc.discover` document links under
/// `public_url` (`serve --public-url`).
///
/// # Errors
/// As [`application`].
pub fn application_at<'a>(
    services: impl IntoIterator<Item = &'a Service>,
    db: &Path,
    public_url: Option<&str>,
) -> Result<Application, HostError> {
    let services: Vec<&Service> = services.into_iter().collect();
    let info = document_info(services.iter().map(|s| s.name()), public_url);
    let mut settings = OpenRpcSettings::new(info);
    if let Ok(jsonrpc) = Protocol::named("jsonrpc")
        && let HttpMount::Endpoint { path, .. } = jsonrpc.mount()
    {
        settings = settings.with_endpoint(path);
    }
    let builder = Application::builder().services(services.iter().map(|s| s.name()));
    let mut builder = discoverable(builder, settings);
    for service in services {
        builder = service
            .setup(builder, db)
            .map_err(|source| HostError::Setup {
                service: service.name(),
                source,
            })?;
    }
    Ok(builder.build()?)
}
