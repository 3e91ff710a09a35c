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
//! | `exchange` | serve: bind the queue to this exchange (declared durable, not auto-delete, as Postage's `Exchange` is) instead of consuming a work queue; call: publish to it | none: the default exchange, routing by queue name |
//! | `exchange_type` | the exchange's type, server only | `direct` |
//! | `routing_key` | serve: a key the queue is bound by (repeat it for several); call: the key published with | the queue's name |
//! | `reply` | how a client waits for replies, client only: `direct` (RabbitMQ's direct reply-to), `exclusive` (one broker-named queue per connection), `per_call` (one broker-named exclusive auto-delete queue per call, consumed until its one reply comes: Postage's scheme, for servers that answer `reply_to` without the request's `correlation_id`; `switchboard call --protocol postage` sets it unless the address says otherwise) | `direct` |
//! | `private` | serve: the queue is this process's own, named `{queue}-{pid}{host}` as Postage names a private queue (auto-delete: gone with the process's consumer), so every server gets every message; `false`: a shared queue, served in turns | `false` |
//! | `heartbeat`, `channel_max`, `frame_max`, `connection_timeout`, `auth_mechanism` | lapin's own URL options | lapin's |
//! | `user`, `password`, `vhost` | the login and virtual host, over the URL's (so a password need not be in a URL) | the URL's |
//! | `ca_file`, `cert_file`, `key_file` | TLS files for `amqps://` (PEM), over the host's | the host's [`TlsSettings`], if it stores one in the settings' typed values |
//!
//! A served address adds a probe to the process's readiness
//! ([`ServeSettings::readiness`]), `amqp HOST:PORT/VHOST queue NAME`:
//! ready while the server consumes, not ready with the last connection
//! error while it reconnects.
//!
//! The same address without `queue` and the server's options is also a
//! message bus ([`switchboard::catalog::bus`]; the declarations are in
//! the bus module's table): work queues, fanout exchanges as topics.

use std::path::PathBuf;
use std::sync::Arc;

use switchboard::catalog::{
    Address, AddressError, BindError, Bound, BoxFuture, Capabilities, ConnectSettings,
    PASSWORD_OPTION, ServeSettings, TransportEntry, inventory,
};
use switchboard::{ClientTransport, Fingerprint, Server, ServerTransport, TransportError};

use crate::server::DEFAULT_PREFETCH;
use crate::{
    AmqpClient, AmqpServer, Binding, ClientOptions, ConnectionSettings, ExchangeSpec, QueueSpec,
    ReplyMode, ServerOptions, TlsSettings,
};

/// Every option an address of this transport takes, in four runs: what
/// a server reads (and a client's `exchange`, `routing_key`, `queue`),
/// what only a client reads, lapin's own URL options, then the login and
/// TLS files. The runs are the slices below, so each option is named once.
const OPTIONS: &[&str] = &[
    // A server's: the queue it consumes and how.
    "queue",
    "prefetch",
    "durable",
    "protocol",
    "exchange",
    "exchange_type",
    "routing_key",
    "private",
    // A client's: how it waits for replies.
    "reply",
    // lapin's, passed through in the URL.
    "heartbeat",
    "channel_max",
    "frame_max",
    "connection_timeout",
    "auth_mechanism",
    // The login and TLS files.
    "user",
    PASSWORD_OPTION,
    "vhost",
    "ca_file",
    "cert_file",
    "key_file",
];

/// The options that say how to connect: lapin's, the login, TLS files.
pub(crate) const CONNECTION_OPTIONS: &[&str] = OPTIONS.split_at(9).1;

/// The broker `address` (of this transport) is on, alone: its URL with
/// the options that say how to connect, without those that say what a
/// server consumes or how a client waits for replies. For a bus or a
/// status feed on the broker a service is served from.
///
/// ```
/// use switchboard::catalog::Address;
///
/// let served = Address::parse("amqp://u:p@broker/%2f?queue=q&exchange=x&heartbeat=5")?;
/// let broker = switchboard_amqp::catalog::broker_of(&served);
/// assert_eq!(broker.options().collect::<Vec<_>>(), [("heartbeat", "5")]);
/// # Ok::<(), switchboard::catalog::AddressError>(())
/// ```
pub fn broker_of(address: &Address) -> Address {
    address
        .options()
        .filter(|(key, _)| !CONNECTION_OPTIONS.contains(key))
        .map(|(key, _)| key.to_owned())
        .collect::<Vec<_>>()
        .iter()
        .fold(address.clone(), |broker, key| broker.without_option(key))
}

/// The options lapin reads from the URL itself.
const LAPIN_OPTIONS: &[&str] = CONNECTION_OPTIONS.split_at(5).0;

inventory::submit! {
    TransportEntry::new(
        "amqp",
        "RabbitMQ: consumes a work queue and replies to reply_to; calls over direct reply-to",
        &["amqp", "amqps"],
    )
    .example("amqp://guest:guest@127.0.0.1:5672/%2f?queue=demo")
    .options(OPTIONS)
    .capabilities(
        Capabilities::NONE
            .with_replies()
            .with_one_way()
            .with_broadcast()
            .with_groups(),
    )
    .bind(bind)
    .connect(connect)
    .bus(crate::bus::open)
    .conformance(|_, unique| {
        Some(format!(
            "amqp://127.0.0.1:5672/%2f?queue=switchboard-conformance-{unique}&durable=false"
        ))
    })
}

/// The broker settings of `address`: its URL with lapin's own options
/// only, named `name`, with the host's TLS files if any, and the login,
/// virtual host and TLS files its options name over both.
pub(crate) fn connection(
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
    let option = |key: &str| address.option(key).map(str::to_owned);
    // Each option wins alone, as ConnectionSettings' own fields do.
    connection.user = option("user").or(connection.user);
    connection.password = option(PASSWORD_OPTION).or(connection.password);
    connection.vhost = option("vhost").or(connection.vhost);
    let file = |key: &str| address.option(key).map(PathBuf::from);
    connection.tls.ca_file = file("ca_file").or(connection.tls.ca_file);
    connection.tls.cert_file = file("cert_file").or(connection.tls.cert_file);
    connection.tls.key_file = file("key_file").or(connection.tls.key_file);
    connection
}

/// `connection` showing `fingerprint`, its virtual host filled in.
pub(crate) fn fingerprinted(
    mut connection: ConnectionSettings,
    fingerprint: Option<&Arc<Fingerprint>>,
) -> ConnectionSettings {
    if let Some(fingerprint) = fingerprint {
        let mut fingerprint = Fingerprint::clone(fingerprint);
        if let Ok(uri) = connection.uri() {
            fingerprint.vhost = Some(uri.vhost);
        }
        connection.fingerprint = Some(Arc::new(fingerprint));
    }
    connection
}

fn queue_of(address: &Address, default: &str) -> String {
    address.option("queue").unwrap_or(default).to_owned()
}

fn bind(address: Address, settings: ServeSettings) -> BoxFuture<'static, Result<Bound, BindError>> {
    Box::pin(async move {
        address.check_options(OPTIONS)?;
        if address.option("reply").is_some() {
            return Err(address
                .invalid("option `reply` is for calling; a server answers each message's reply_to")
                .into());
        }
        let protocol = settings.protocol_at(&address, "jsonrpc")?;
        let prefetch = address
            .parse_option::<u16>("prefetch")?
            .unwrap_or(DEFAULT_PREFETCH)
            .max(1);
        let durable = address.parse_option::<bool>("durable")?.unwrap_or(true);
        let queue = queue_of(&address, &settings.host_name);
        let connection = fingerprinted(
            connection(
                &address,
                format!("{} serve", settings.host_name),
                &settings.settings,
            ),
            settings.fingerprint.as_ref(),
        );
        let binding = match routed(&address, &queue, settings.fingerprint.as_deref())? {
            Some(binding) => binding,
            None => Binding::work_queue(QueueSpec::new(&queue).durable(durable)),
        };
        let options = ServerOptions::new(binding).with_prefetch(prefetch);
        let endpoint = connection.endpoint();
        // Not ready until it consumes; named in `GET /readyz` while the
        // broker is away.
        let transport = AmqpServer::new(connection, options).with_readiness(&settings.readiness);
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
            .without_option("exchange_type")
            .without_option("private")
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

/// The binding of an address with `exchange`: its queue bound to that
/// exchange by each `routing_key` (default: the queue's name), shared, or
/// this process's own with `private=true`. `None` without `exchange`.
///
/// The queue is declared as Postage's consumers declare theirs (AMQP's
/// defaults: not durable) unless `durable=true`, so a Python program
/// declaring the same queue is not refused.
fn routed(
    address: &Address,
    queue: &str,
    fingerprint: Option<&Fingerprint>,
) -> Result<Option<Binding>, AddressError> {
    let Some(exchange) = address.option("exchange") else {
        return match ["exchange_type", "routing_key", "private"]
            .into_iter()
            .find(|key| address.option(key).is_some())
        {
            Some(key) => Err(address.invalid(format!("option `{key}` needs `exchange`"))),
            None => Ok(None),
        };
    };
    let kind = address.option("exchange_type").unwrap_or("direct");
    let exchange = ExchangeSpec::new(exchange, kind).durable(true);
    let mut keys: Vec<&str> = address
        .options()
        .filter(|(key, _)| *key == "routing_key")
        .map(|(_, value)| value)
        .collect();
    if keys.is_empty() {
        keys.push(queue);
    }
    let durable = address.parse_option::<bool>("durable")?.unwrap_or(false);
    let spec = if address.parse_option::<bool>("private")?.unwrap_or(false) {
        // Not exclusive, as Postage declares it, so other connections may
        // look at it; deleted once its consumer goes, unlike Postage's.
        QueueSpec::new(private_queue(queue, fingerprint)).auto_delete(true)
    } else {
        QueueSpec::new(queue).durable(durable)
    };
    Ok(Some(Binding::routed(exchange, keys, spec)))
}

/// Postage's private queue name: `{queue}-{pid}{host}`.
pub fn private_queue(queue: &str, fingerprint: Option<&Fingerprint>) -> String {
    match fingerprint {
        Some(me) => format!("{queue}-{}{}", me.pid, me.host),
        None => {
            let me = Fingerprint::new("", "", "");
            format!("{queue}-{}{}", me.pid, me.host)
        }
    }
}

fn connect(
    address: Address,
    settings: ConnectSettings,
) -> BoxFuture<'static, Result<Arc<dyn ClientTransport>, BindError>> {
    Box::pin(async move {
        address.check_options(OPTIONS)?;
        refuse_server_options(&address)?;
        let queue = queue_of(&address, &settings.host_name);
        let connection = fingerprinted(
            connection(&address, settings.client_name.clone(), &settings.settings),
            settings.fingerprint.as_ref(),
        );
        let options = match address.option("exchange") {
            Some(exchange) => {
                let key = address.option("routing_key").unwrap_or(&queue);
                ClientOptions::to_exchange(exchange, key)
            }
            None => ClientOptions::to_queue(queue),
        };
        let options = match address.parse_option::<ReplyMode>("reply")? {
            Some(mode) => options.with_reply_mode(mode),
            None => options,
        };
        let client = AmqpClient::connect(connection, options)
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
    match ["prefetch", "durable", "protocol", "exchange_type", "private"]
        .into_iter()
        .find(|key| address.option(key).is_some())
    {
        Some(key) => Err(address.invalid(format!(
            "option `{key}` is for serving; a client takes queue, exchange, routing_key, reply and lapin's options"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use switchboard::catalog::TypedSettings;

    use super::*;

    #[test]
    fn the_option_runs_are_where_their_names_say() {
        assert_eq!(
            LAPIN_OPTIONS,
            [
                "heartbeat",
                "channel_max",
                "frame_max",
                "connection_timeout",
                "auth_mechanism"
            ]
        );
        assert_eq!(CONNECTION_OPTIONS.first(), Some(&"heartbeat"));
        assert_eq!(CONNECTION_OPTIONS.last(), Some(&"key_file"));
        assert!(CONNECTION_OPTIONS.contains(&PASSWORD_OPTION));
    }
    use crate::AmqpError;

    #[test]
    fn options_win_over_the_url_and_the_hosts_tls() -> Result<(), Box<dyn std::error::Error>> {
        let address = Address::parse(
            "amqps://alice:old@broker.example:5671/prod?user=group7&password=s%26cret\
             &vhost=group7-vhost&ca_file=/etc/ca.crt&key_file=/etc/client.key&heartbeat=10",
        )?;
        let host_tls = TlsSettings {
            cert_file: Some("/etc/client.crt".into()),
            ..TlsSettings::default()
        };
        let typed = TypedSettings::default().with(host_tls);
        let connection = connection(&address, "test".into(), &typed);
        let uri = connection.uri()?;
        assert_eq!(uri.authority.userinfo.username, "group7");
        assert_eq!(uri.authority.userinfo.password, "s&cret");
        assert_eq!(
            connection.endpoint(),
            "amqps://broker.example:5671/group7-vhost"
        );
        assert_eq!(uri.query.heartbeat, Some(10));
        assert_eq!(
            connection.tls.ca_file.as_deref(),
            Some(Path::new("/etc/ca.crt"))
        );
        assert_eq!(
            connection.tls.cert_file.as_deref(),
            Some(Path::new("/etc/client.crt"))
        );
        assert_eq!(
            connection.tls.key_file.as_deref(),
            Some(Path::new("/etc/client.key"))
        );
        assert!(!address.to_string().contains("s%26cret"), "{address}");
        Ok(())
    }

    #[test]
    fn an_exchange_binds_the_queue_by_each_key_shared_or_private()
    -> Result<(), Box<dyn std::error::Error>> {
        use crate::DeliveryModel;
        let me = Fingerprint::new("echo_receive", "controller", "1.0");
        let shared = Address::parse(
            "amqp://127.0.0.1:5672/%2f?exchange=echo-exchange&routing_key=echo-rk\
             &routing_key=echo-fanout-rk&queue=echo-queue",
        )?;
        let binding = routed(&shared, "echo-queue", Some(&me))?.ok_or("not routed")?;
        let DeliveryModel::Routed {
            exchange,
            keys,
            queue,
        } = binding.model
        else {
            return Err("not a routed binding".into());
        };
        assert_eq!(
            exchange,
            ExchangeSpec::new("echo-exchange", "direct").durable(true)
        );
        assert_eq!(keys, ["echo-rk", "echo-fanout-rk"]);
        assert_eq!(queue, QueueSpec::new("echo-queue"));
        let private = shared.clone().with_option("private", "true");
        let binding = routed(&private, "echo-queue", Some(&me))?.ok_or("not routed")?;
        let DeliveryModel::Routed { queue, .. } = binding.model else {
            return Err("not a routed binding".into());
        };
        assert_eq!(queue.name, format!("echo-queue-{}{}", me.pid, me.host));
        let plain = Address::parse("amqp://127.0.0.1:5672/%2f?queue=q")?;
        assert!(routed(&plain, "q", None)?.is_none());
        let keyless = Address::parse("amqp://127.0.0.1:5672/%2f?routing_key=k")?;
        assert!(routed(&keyless, "q", None).is_err());
        Ok(())
    }

    #[test]
    fn connection_settings_become_an_address_that_means_them() -> Result<(), AmqpError> {
        let settings = ConnectionSettings::new("amqp://127.0.0.1:5672/%2f?heartbeat=5")
            .with_credentials("bob", "pa:ss")
            .with_vhost("v/1")
            .with_ca_file("/ca.pem");
        let address = Address::from(settings.clone());
        assert_eq!(address.scheme(), "amqp");
        let again = connection(
            &address,
            settings.connection_name.clone(),
            &TypedSettings::default(),
        );
        assert_eq!(again.uri()?, settings.uri()?);
        assert_eq!(again.tls.ca_file, settings.tls.ca_file);
        assert_eq!(again.endpoint(), settings.endpoint());
        Ok(())
    }
}
