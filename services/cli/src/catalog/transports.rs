//! The transport catalog of `serve`: how the application and the chosen
//! protocols reach the outside. Each transport binds what it needs first
//! (so `serve` can fail before saying it runs), then serves until the
//! shutdown signal. A new transport is one entry in [`TRANSPORTS`]; what it
//! gets is [`ServeSettings`], what it gives back a [`Bound`].

use super::entry::Entry;
use crate::hosting::{self, Bound, BoxFuture, ServeError, ServeSettings};

/// Every transport `serve` can use.
pub static TRANSPORTS: &[Transport] = &[
    Transport {
        name: "http",
        description: "HTTP on --listen: each protocol at its mount, and GET /healthz",
        bind: hosting::bind_http,
    },
    Transport {
        name: "amqp",
        description: "RabbitMQ at --amqp-url: consumes --amqp-queue in --amqp-protocol, replies to reply_to",
        bind: hosting::bind_amqp,
    },
];

/// A transport of the catalog.
#[derive(Debug)]
pub struct Transport {
    name: &'static str,
    description: &'static str,
    bind: fn(ServeSettings) -> BoxFuture<'static, Result<Bound, ServeError>>,
}

impl Transport {
    /// Binds the transport (a listening socket, a broker connection) with
    /// `settings`, ready to serve.
    ///
    /// # Errors
    /// [`ServeError`] if it cannot be set up or bound.
    pub async fn bind(&self, settings: ServeSettings) -> Result<Bound, ServeError> {
        (self.bind)(settings).await
    }
}

impl Entry for Transport {
    const KIND: &'static str = "transport";

    fn all() -> &'static [Self] {
        TRANSPORTS
    }

    fn name(&self) -> &'static str {
        self.name
    }

    fn description(&self) -> &'static str {
        self.description
    }
}
