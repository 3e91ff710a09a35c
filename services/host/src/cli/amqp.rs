//! The AMQP flags of `serve` (`--transport amqp` with `--amqp-url`,
//! `--amqp-queue`, ...), kept as they were: they are turned into the
//! address `serve --on` takes, so both paths bind the same transport.

use clap::Args;
use switchboard::catalog::{Address, AddressError, ProtocolEntry};

use crate::catalog::protocols;

/// The queue `serve`, `call` and `enqueue` use over AMQP unless told
/// otherwise: the host's name.
pub(crate) const DEFAULT_QUEUE: &str = "switchboard";

/// The `amqp` transport's flags of `serve`.
#[derive(Debug, Args)]
pub(crate) struct AmqpServeArgs {
    /// The broker (`amqp://user:pass@host:5672/vhost`, or `amqps://`).
    #[arg(long, env = "SWITCHBOARD_AMQP_URL", default_value = switchboard_amqp::settings::DEFAULT_URL, hide_env_values = true)]
    amqp_url: String,
    /// The work queue consumed.
    #[arg(long, env = "SWITCHBOARD_AMQP_QUEUE", default_value = DEFAULT_QUEUE)]
    amqp_queue: String,
    /// Messages (and calls) held at once.
    #[arg(long, env = "SWITCHBOARD_AMQP_PREFETCH", default_value_t = switchboard_amqp::server::DEFAULT_PREFETCH)]
    amqp_prefetch: u16,
    /// Declare the queue durable (`false` to match a transient queue other
    /// programs declared).
    #[arg(long, env = "SWITCHBOARD_AMQP_DURABLE", default_value_t = true, action = clap::ArgAction::Set)]
    amqp_durable: bool,
    /// The protocol the queue's messages are read in.
    #[arg(long, env = "SWITCHBOARD_AMQP_PROTOCOL", default_value = "jsonrpc", value_parser = protocols::callable_parser())]
    amqp_protocol: &'static ProtocolEntry,
}

impl AmqpServeArgs {
    /// The address these flags describe:
    /// `URL?queue=Q&prefetch=N&durable=B&protocol=P`.
    ///
    /// # Errors
    /// [`AddressError`] if `--amqp-url` is not an address.
    pub(crate) fn address(&self) -> Result<Address, AddressError> {
        Ok(Address::parse(&self.amqp_url)?
            .with_option("queue", self.amqp_queue.clone())
            .with_option("prefetch", self.amqp_prefetch.max(1).to_string())
            .with_option("durable", self.amqp_durable.to_string())
            .with_option("protocol", self.amqp_protocol.name()))
    }
}

/// The address `call` and `enqueue` reach the queue `queue` at, on the
/// broker `url`.
///
/// # Errors
/// [`AddressError`] if `url` is not an address.
pub(crate) fn queue_address(url: &str, queue: &str) -> Result<Address, AddressError> {
    Ok(Address::parse(url)?.with_option("queue", queue))
}
