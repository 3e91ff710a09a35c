//! `switchboard call METHOD name=value...`.

use std::time::{Duration, Instant};

use clap::Args;
use clap::builder::NonEmptyStringValueParser;
use serde_json::Value;
use switchboard::catalog::{Address, ProtocolEntry};

use super::Context;
use super::amqp::{self, DEFAULT_QUEUE};
use super::params::{self, Param};
use super::signing::SignArgs;
use crate::catalog::protocols;
use crate::tools::duration::{self, Least};
use crate::tools::{self, CommandError};

/// The shortest deadline a call gets (`--timeout 0` means this).
const MIN_TIMEOUT: Duration = Duration::from_millis(1);
/// The longest deadline a call gets.
const MAX_TIMEOUT: Duration = Duration::from_secs(86_400);

/// Options of `call`.
#[derive(Debug, Args)]
pub(crate) struct CallArgs {
    /// The method's wire name.
    #[arg(value_parser = NonEmptyStringValueParser::new())]
    method: String,
    /// Parameters as `name=value`; a value that parses as JSON is sent as
    /// JSON (`width=10`, `tags=["a"]`), anything else as a string.
    #[arg(value_name = "NAME=VALUE", value_parser = params::parse)]
    params: Vec<Param>,
    /// Where to call: an address of any linked transport
    /// (`http://127.0.0.1:8080`, `amqp://host:5672/%2f?queue=demo`);
    /// without it, --url, or --amqp-url with --queue.
    #[arg(
        long,
        value_name = "ADDRESS",
        env = "SWITCHBOARD_TO",
        hide_env_values = true
    )]
    to: Option<Address>,
    /// The server's base URL.
    #[arg(long, env = "SWITCHBOARD_URL", default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The protocol to call in.
    #[arg(long, env = "SWITCHBOARD_CALL_PROTOCOL", default_value = "jsonrpc", value_parser = protocols::callable_parser())]
    protocol: &'static ProtocolEntry,
    /// Give up after this long (at most a day): seconds, or a number with
    /// a unit (500ms, 1.5s, 2m, 1h).
    #[arg(
        long,
        env = "SWITCHBOARD_TIMEOUT",
        value_name = "SECONDS",
        default_value = "30",
        value_parser = duration::seconds(Least::Zero),
        allow_hyphen_values = true,
    )]
    timeout: Duration,
    /// Send `Authorization: Bearer <token>`.
    #[arg(long, env = "SWITCHBOARD_AUTH_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Call over RabbitMQ at this broker instead of HTTP (RPC over direct
    /// reply-to).
    #[arg(long, env = "SWITCHBOARD_AMQP_URL", hide_env_values = true)]
    amqp_url: Option<String>,
    /// The queue to call over AMQP.
    #[arg(long, alias = "amqp-queue", env = "SWITCHBOARD_AMQP_QUEUE", default_value = DEFAULT_QUEUE)]
    queue: String,
    #[command(flatten)]
    signing: SignArgs,
}

impl CallArgs {
    /// Where the call goes: `--to`, else the AMQP queue, else `--url`.
    fn address(&self) -> Result<Address, CommandError> {
        let address = match (&self.to, &self.amqp_url) {
            (Some(to), _) => return Ok(to.clone()),
            (None, Some(url)) => amqp::queue_address(url, &self.queue),
            (None, None) => Address::parse(&self.url),
        };
        address.map_err(|err| CommandError::Connect {
            address: self.amqp_url.clone().unwrap_or_else(|| self.url.clone()),
            source: err.into(),
        })
    }
}

/// Calls the method and prints its result as JSON on standard output.
pub(crate) async fn run(args: CallArgs, context: &Context) -> Result<(), CommandError> {
    let address = args.address()?;
    let signer = args.signing.signer()?;
    let mut client = tools::client(
        &context.info,
        &address,
        args.protocol,
        args.token.as_deref(),
    )
    .await?;
    if let Some(signer) = signer {
        client = client.with_signer(signer);
    }
    let deadline = Instant::now() + args.timeout.clamp(MIN_TIMEOUT, MAX_TIMEOUT);
    let value: Value = client
        .call_named(&args.method, &params::object(&args.params), Some(deadline))
        .await
        .map_err(|err| CommandError::call("the call failed", err))?;
    println!(
        "{}",
        serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string())
    );
    Ok(())
}
