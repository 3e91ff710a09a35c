//! Hosting the shipped services as `switchboard serve` does: the
//! application for the services picked from the catalog, the HTTP server
//! for the protocols picked, and the transports serving side by side, so
//! that tests and benchmarks build the very server the binary runs.
//!
//! - [`application`]: the services, each set up as its catalog entry says.
//! - [`http`]: [`http_server`], the protocols at their HTTP mounts.
//! - [`amqp`]: [`bind_amqp`], a RabbitMQ work queue in one protocol.
//! - [`serving`]: what a transport gets ([`ServeSettings`]) and gives back
//!   ([`Bound`]), and [`serve_all`].

pub mod amqp;
pub mod http;
pub mod serving;

use std::path::Path;

use switchboard::protocol::BoxError;
use switchboard::{Application, BuildError};

use crate::catalog::{Entry, Service};

pub use amqp::{AmqpServeSettings, bind_amqp};
pub use http::{LOCAL_BASE, bind_http, http_server, http_server_at};
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
/// SQLite file `db` if it keeps any.
///
/// # Errors
/// [`HostError::Setup`] if a service cannot be set up (its database cannot
/// be opened or migrated), [`HostError::Build`] if the application cannot
/// be built.
pub fn application<'a>(
    services: impl IntoIterator<Item = &'a Service>,
    db: &Path,
) -> Result<Application, HostError> {
    let services: Vec<&Service> = services.into_iter().collect();
    let mut builder = Application::builder().services(services.iter().map(|s| s.name()));
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
