//! The AMQP flags: what `serve --transport amqp` consumes, and where
//! `call` and `enqueue` publish when given `--amqp-url`.

use std::sync::Arc;

use clap::Args;
use switchboard::{CallError, Client, ClientProtocol};
use switchboard_amqp::{AmqpClient, ClientOptions, ConnectionSettings};
use switchboard_cli::catalog::{Entry, Protocol};
use switchboard_cli::hosting::AmqpServeSettings;
use switchboard_cli::hosting::amqp::DEFAULT_QUEUE;

use super::error::CliError;

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
    #[arg(long, env = "SWITCHBOARD_AMQP_PROTOCOL", default_value = "jsonrpc", value_parser = Protocol::callable_parser())]
    amqp_protocol: &'static Protocol,
}

impl AmqpServeArgs {
    /// The settings of the `amqp` transport.
    pub(crate) fn settings(&self) -> AmqpServeSettings {
        let mut settings = AmqpServeSettings::default();
        settings.url.clone_from(&self.amqp_url);
        settings.queue.clone_from(&self.amqp_queue);
        settings.prefetch = self.amqp_prefetch.max(1);
        settings.durable = self.amqp_durable;
        settings.protocol = self.amqp_protocol.name();
        settings
    }
}

/// A client publishing to `queue` at the broker `url`, in `codec`.
///
/// # Errors
/// [`CliError::Call`] (exit 3) if the broker cannot be reached.
pub(crate) async fn client(
    url: &str,
    queue: &str,
    codec: Arc<dyn ClientProtocol>,
) -> Result<Client, CliError> {
    let settings = ConnectionSettings::new(url).with_connection_name("switchboard cli");
    let transport = AmqpClient::connect(settings, ClientOptions::to_queue(queue))
        .await
        .map_err(|err| {
            CliError::call("cannot reach the broker", CallError::Transport(err.into()))
        })?;
    Ok(Client::new(Arc::new(transport), codec))
}
