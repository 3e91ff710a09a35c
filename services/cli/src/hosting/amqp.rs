//! The AMQP side of hosting: [`bind_amqp`] is the `amqp` transport of
//! `serve`, consuming one work queue on a RabbitMQ broker in one protocol.

use switchboard::{Server, ServerTransport, TransportError};
use switchboard_amqp::server::DEFAULT_PREFETCH;
use switchboard_amqp::settings::DEFAULT_URL;
use switchboard_amqp::{AmqpServer, Binding, ConnectionSettings, QueueSpec, ServerOptions};

use super::serving::{Bound, BoxFuture, ServeError, ServeSettings};
use crate::catalog::{Entry, Protocol};

/// The queue `serve` consumes unless told otherwise.
pub const DEFAULT_QUEUE: &str = "switchboard";

/// What the `amqp` transport of `serve` consumes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AmqpServeSettings {
    /// The broker's `amqp://` or `amqps://` URL.
    pub url: String,
    /// The work queue consumed (declared durable unless `durable` is off).
    pub queue: String,
    /// Whether the queue is declared durable.
    pub durable: bool,
    /// Messages (and calls) held at once.
    pub prefetch: u16,
    /// The protocol the queue's messages are read in (JSON-RPC and the JSON
    /// document share `application/json`, so a queue speaks one).
    pub protocol: &'static str,
}

impl Default for AmqpServeSettings {
    fn default() -> Self {
        Self {
            url: DEFAULT_URL.to_owned(),
            queue: DEFAULT_QUEUE.to_owned(),
            durable: true,
            prefetch: DEFAULT_PREFETCH,
            protocol: "jsonrpc",
        }
    }
}

/// The `amqp` transport: declares its queue (so `serve` fails before its
/// banner when the broker does not answer or refuses, and calls made once
/// the banner shows wait in the queue), then consumes it, with its own
/// reconnect loop. Its banner line is `switchboard consuming
/// amqp://host:port/vhost queue NAME (protocol)`.
///
/// # Errors
/// [`ServeError::Stopped`] with [`TransportError::Connect`] if the broker
/// cannot be reached; [`ServeError::Route`] never.
pub fn bind_amqp(settings: ServeSettings) -> BoxFuture<'static, Result<Bound, ServeError>> {
    Box::pin(async move {
        let amqp = settings.amqp;
        let unreachable = |source: TransportError| ServeError::Stopped {
            transport: "amqp",
            source,
        };
        let protocol = Protocol::named(amqp.protocol)
            .map_err(|err| unreachable(TransportError::Unexpected(err.to_string())))?;
        let connection =
            ConnectionSettings::new(&amqp.url).with_connection_name("switchboard serve");
        let queue = QueueSpec::new(&amqp.queue).durable(amqp.durable);
        let options = ServerOptions::new(Binding::work_queue(queue)).with_prefetch(amqp.prefetch);
        let endpoint = connection.endpoint();
        let transport = AmqpServer::new(connection, options);
        // Declared before the banner: calls made once it shows wait in the queue.
        transport
            .declare()
            .await
            .map_err(|err| unreachable(err.into()))?;
        let server = Server::new(settings.app, protocol.server());
        let banner = vec![format!(
            "switchboard consuming {} queue {} ({}, prefetch {})",
            endpoint,
            amqp.queue,
            protocol.name(),
            amqp.prefetch
        )];
        Ok(Bound::new(banner, move |shutdown| {
            Box::pin(transport.serve(server, shutdown))
        }))
    })
}
