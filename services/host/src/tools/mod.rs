//! What a host's own commands reuse from the standard ones (the
//! `switchboard` binary's `gridmap` and `stats` tools do): the error type
//! and its exit statuses, the duration parsers of every duration flag,
//! the shutdown signal, and clients opened by address.

pub mod duration;
mod error;
mod exit;
mod shutdown;

use switchboard::catalog::{self, Address, ConnectSettings, ProtocolEntry};
use switchboard::{Client, Fingerprint};

pub use error::{CommandError, ToolError, call_exit, queue_exit, report};
pub use exit::Exit;
pub use shutdown::signal;

use crate::HostInfo;

/// A client calling `address` (`http://127.0.0.1:8080`,
/// `amqp://host/%2f?queue=q`, `sqlite:queue.db`) in `protocol`, sending
/// `Authorization: Bearer <token>` if given and the transport sends one,
/// and the host's fingerprint (type `client`) where the transport carries
/// one.
///
/// # Errors
/// [`CommandError::Connect`] if the address is wrong or its transport
/// cannot be opened (exit 2, 3 or 4 by why),
/// [`CommandError::Catalog`] for a protocol that cannot be called.
pub async fn client(
    host: &HostInfo,
    address: &Address,
    protocol: &'static ProtocolEntry,
    token: Option<&str>,
) -> Result<Client, CommandError> {
    let me = Fingerprint::new(host.name(), "client", host.version());
    // Protocols that write the sender into their messages (Postage) read it here.
    let settings = crate::hosting::typed_settings(host, &switchboard_http::HttpConfig::default())
        .with(me.clone());
    let codec = protocol
        .client_protocol(&settings)
        .ok_or(crate::catalog::CatalogError::NoClient(protocol.name()))?;
    let mut connect = ConnectSettings::new(protocol)
        .with_host_name(host.name())
        .with_client_name(format!("{} cli", host.name()))
        .with_fingerprint(me);
    connect.settings = settings;
    if let Some(token) = token {
        connect = connect.with_bearer_token(token);
    }
    let transport = catalog::connect(address.clone(), connect)
        .await
        .map_err(|source| CommandError::Connect {
            address: address.to_string(),
            source,
        })?;
    Ok(Client::new(transport, codec))
}

/// [`client`] from an address's text.
///
/// # Errors
/// As [`client`]; a malformed address is [`CommandError::Connect`] (exit 2).
pub async fn client_at(
    host: &HostInfo,
    address: &str,
    protocol: &'static ProtocolEntry,
    token: Option<&str>,
) -> Result<Client, CommandError> {
    let address = Address::parse(address).map_err(|err| CommandError::Connect {
        address: address.to_owned(),
        source: err.into(),
    })?;
    client(host, &address, protocol, token).await
}
