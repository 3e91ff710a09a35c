//! This crate's entry in the transport catalog ([`switchboard::catalog`]):
//! `amqp://user:pass@host:5672/vhost?queue=NAME` (or `amqps://`) consumes a
//! durable work queue on RabbitMQ and answers each message that has
//! `reply_to`, or sends calls to that queue (RPC over direct reply-to, or
//! one-way with publisher confirms).
//!
//! | option | meaning | default |
//! |---|---|---|
//! | `queue` | the work queue | the host's name |
//! | `prefetch` | messages (and calls) held at once, server only | 32 |
//! | `durable` | declare the queue durable, server only | `true` |
//! | `protocol` | the protocol messages are read in, server only | the host's default, else `jsonrpc` |
//! | `heartbeat`, `channel_max`, `frame_max`, `connection_timeout`, `auth_mechanism` | lapin's own URL options | lapin's |
//!
//! TLS files for `amqps://` come from the [`TlsSettings`] in the settings'
//! typed values, when the host stores one.

use std::sync::Arc;

use switchboard::catalog::{
    Address, AddressError, BindError, Bound, BoxFuture, Capabilities, ConnectSettings,
    ServeSettings, TransportEntry, inventory,
};
use switchboard::{ClientTransport, Server, ServerTransport, TransportError};

use crate::server::DEFAULT_PREFETCH;
use crate::{
    AmqpClient, AmqpServer, Binding, ClientOptions, ConnectionSettings, QueueSpec, ServerOptions,
    TlsSettings,
};

/// The options lapin reads from the URL itself.
const LAPIN_OPTIONS: &[&str] = &[
    "heartbeat",
    "channel_max",
    "frame_max",
    "connection_timeout",
    "auth_mechanism",
];

/// Every option an address of this transport takes.
const OPTIONS: &[&str] = &[
    "queue",
    "prefetch",
    "durable",
    "protocol",
    "heartbeat",
    "channel_max",
    "frame_max",
    "connection_timeout",
    "auth_mechanism",
];

inventory::submit! {
    TransportEntry::new(
        "amqp",
        "RabbitMQ: consumes a work queue and replies to reply_to; calls over direct reply-to",
        &["amqp", "amqps"],
    )
    .example("amqp://guest:guest@127.0.0.1:5672/%2f?queue=demo")
    .options(OPTIONS)
    .capabilities(Capabilities::NONE.with_replies().with_one_way().with_groups())
    .bind(bind)
    .connect(connect)
    .conformance(|_, unique| {
        Some(format!(
            "amqp://127.0.0.1:5672/%2f?queue=switchboard-conformance-{unique}&durable=false"
        ))
    })
}

/// The broker settings of `address`: its URL with lapin's own options
/// only, named `name`, with the host's TLS files if any.
fn connection(
    address: &Address,
    name: String,
    settings: &switchboard::catalog::TypedSettings,
) -> ConnectionSettings {
    let mut url = address.without_options();
    let lapin: Vec<String> = address
        .options()
        .filter(|(key, _)| LAPIN_OPTIONS.contains(key))
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    if !lapin.is_empty() {
        url = format!("{url}?{}", lapin.join("&"));
    }
    let mut connection = ConnectionSettings::new(url).with_connection_name(name);
    if let Some(tls) = settings.get::<TlsSettings>() {
        connection.tls = tls.clone();
    }
    connection
}

fn queue_of(address: &Address, default: &str) -> String {
    address.option("queue").unwrap_or(default).to_owned()
}

fn bind(address: Address, settings: ServeSettings) -> BoxFuture<'static, Result<Bound, BindError>> {
    Box::pin(async move {
        address.check_options(OPTIONS)?;
        let protocol = settings.protocol_at(&address, "jsonrpc")?;
        let prefetch = address
            .parse_option::<u16>("prefetch")?
            .unwrap_or(DEFAULT_PREFETCH)
            .max(1);
        let durable = address.parse_option::<bool>("durable")?.unwrap_or(true);
        let queue = queue_of(&address, &settings.host_name);
        let connection = connection(
            &address,
            format!("{} serve", settings.host_name),
            &settings.settings,
        );
        let spec = QueueSpec::new(&queue).durable(durable);
        let options = ServerOptions::new(Binding::work_queue(spec)).with_prefetch(prefetch);
        let endpoint = connection.endpoint();
        let transport = AmqpServer::new(connection, options);
        // Declared before the banner: calls made once it shows wait in the queue.
        transport
            .declare()
            .await
            .map_err(|err| BindError::Unreachable {
                address: address.to_string(),
                source: TransportError::from(err),
            })?;
        let server = Server::new(settings.app, protocol.server(&settings.settings));
        let reach = address
            .clone()
            .without_option("prefetch")
            .without_option("durable")
            .without_option("protocol")
            .with_option("queue", queue.clone());
        let banner = vec![format!(
            "{} consuming {endpoint} queue {queue} ({}, prefetch {prefetch})",
            settings.host_name,
            protocol.name(),
        )];
        Ok(Bound::new(banner, move |shutdown| {
            Box::pin(transport.serve(server, shutdown))
        })
        .with_reach(reach))
    })
}

fn connect(
    address: Address,
    settings: ConnectSettings,
) -> BoxFuture<'static, Result<Arc<dyn ClientTransport>, BindError>> {
    Box::pin(async move {
        address.check_options(OPTIONS)?;
        refuse_server_options(&address)?;
        let queue = queue_of(&address, &settings.host_name);
        let connection = connection(&address, settings.client_name.clone(), &settings.settings);
        let client = AmqpClient::connect(connection, ClientOptions::to_queue(queue))
            .await
            .map_err(|err| BindError::Unreachable {
                address: address.to_string(),
                source: TransportError::from(err),
            })?;
        Ok(Arc::new(client) as Arc<dyn ClientTransport>)
    })
}

/// A client does not declare or consume: options only a server reads are
/// a mistake worth saying.
fn refuse_server_options(address: &Address) -> Result<(), AddressError> {
    match ["prefetch", "durable", "protocol"]
        .into_iter()
        .find(|key| address.option(key).is_some())
    {
        Some(key) => Err(address.invalid(format!(
            "option `{key}` is for serving; a client takes queue and lapin's options"
        ))),
        None => Ok(()),
    }
}
