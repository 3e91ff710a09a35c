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
    let transport = catalog::connect(replies_for(address, protocol), connect)
        .await
        .map_err(|source| CommandError::Connect {
            address: address.to_string(),
            source,
        })?;
    Ok(Client::new(transport, codec))
}

/// `address`, asking for one reply queue per call (`reply=per_call`) when
/// it is RabbitMQ's, the protocol is Postage's and the address does not
/// say otherwise: Postage programs answer `reply_to` without the
/// request's correlation id, so the AMQP transport's default (direct
/// reply-to, matched by correlation id) would never see their replies.
/// The host decides it because it alone knows both: the transport never
/// names a protocol, and the protocol never names a transport.
fn replies_for(address: &Address, protocol: &ProtocolEntry) -> Address {
    let rabbit = matches!(address.scheme(), "amqp" | "amqps");
    if rabbit && protocol.name() == "postage" && address.option("reply").is_none() {
        address.clone().with_option("reply", "per_call")
    } else {
        address.clone()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postage_over_rabbitmq_waits_on_a_queue_per_call_unless_told()
    -> Result<(), Box<dyn std::error::Error>> {
        let postage = catalog::protocol("postage").ok_or("postage is not linked")?;
        let jsonrpc = catalog::protocol("jsonrpc").ok_or("jsonrpc is not linked")?;
        let rabbit = Address::parse("amqp://127.0.0.1:5672/%2f?exchange=e&routing_key=k")?;
        assert_eq!(
            replies_for(&rabbit, postage).option("reply"),
            Some("per_call")
        );
        assert_eq!(replies_for(&rabbit, jsonrpc).option("reply"), None);
        let told = rabbit.clone().with_option("reply", "direct");
        assert_eq!(replies_for(&told, postage).option("reply"), Some("direct"));
        let http = Address::parse("http://127.0.0.1:8080")?;
        assert_eq!(replies_for(&http, postage).option("reply"), None);
        Ok(())
    }
}
