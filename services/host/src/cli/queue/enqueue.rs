//! `switchboard enqueue METHOD name=value...`: one call into the queue.

use std::time::{Duration, SystemTime};

use clap::Args;
use clap::builder::NonEmptyStringValueParser;
use switchboard::catalog::{self, Address, ProtocolEntry};
use switchboard::protocol::OutgoingCall;
use switchboard::{CarriedHeaders, ClientProtocol, SIGNATURE_HEADER};
use switchboard_sqlite_queue::{QueueOptions, QueueProducer, task_content_type};

use super::QueueFile;
use crate::catalog::protocols;
use crate::cli::Context;
use crate::cli::amqp::{self, DEFAULT_QUEUE};
use crate::cli::params::{self, Param};
use crate::cli::signing::SignArgs;
use crate::tools;
use crate::tools::CommandError;
use crate::tools::duration::{self, Least};

/// Options of `enqueue`.
#[derive(Debug, Args)]
#[command(after_help = "\
Prints the new task's id. The call is one-way: consumers run it later and \
record a fault in the failures table (`switchboard queue failures`); nothing \
is answered. The queue file is created if it does not exist.

Before anything is written, the call is checked against the method as the \
services linked into this binary define it: an unknown method, missing or \
mistyped parameters and broken constraints are refused (exit status 2). \
--no-check skips that, for queues served by another program.")]
pub(crate) struct EnqueueArgs {
    /// The method's wire name.
    #[arg(value_parser = NonEmptyStringValueParser::new())]
    method: String,
    /// Parameters as `name=value`; a value that parses as JSON is sent as
    /// JSON (`seconds=0.5`, `tags=["a"]`), anything else as a string.
    #[arg(value_name = "NAME=VALUE", value_parser = params::parse)]
    params: Vec<Param>,
    #[command(flatten)]
    queue: QueueFile,
    /// The task's wire format; consumers must use the same (default:
    /// `json` in a queue file, `jsonrpc` over AMQP, as `serve` reads).
    #[arg(long, env = "SWITCHBOARD_QUEUE_PROTOCOL", value_parser = protocols::callable_parser())]
    protocol: Option<&'static ProtocolEntry>,
    /// Send to this address of any linked transport instead
    /// (`sqlite:queue.db`, `amqp://host:5672/%2f?queue=demo`): one way,
    /// printing the id the transport gives (a queue file's task id).
    #[arg(
        long,
        value_name = "ADDRESS",
        env = "SWITCHBOARD_TO",
        hide_env_values = true,
        conflicts_with = "ttl"
    )]
    to: Option<Address>,
    /// Consumers that reach the task later than this after it was enqueued
    /// record it as `Client.Expired` instead of running it: zero or more
    /// seconds, or a number with a unit (500ms, 1.5s, 2m, 1h).
    #[arg(
        long,
        env = "SWITCHBOARD_TTL",
        value_name = "SECONDS",
        value_parser = duration::seconds(Least::Zero),
        allow_hyphen_values = true,
    )]
    ttl: Option<Duration>,
    /// Enqueue without checking the method and its parameters against the
    /// services this binary knows (for queues served by another program).
    #[arg(long, env = "SWITCHBOARD_NO_CHECK")]
    no_check: bool,
    /// Publish to RabbitMQ at this broker instead of the queue file: one
    /// way, persistent, returning once the broker confirmed it.
    #[arg(long, env = "SWITCHBOARD_AMQP_URL", hide_env_values = true)]
    amqp_url: Option<String>,
    /// The RabbitMQ queue to publish to.
    #[arg(long, env = "SWITCHBOARD_AMQP_QUEUE", default_value = DEFAULT_QUEUE)]
    amqp_queue: String,
    #[command(flatten)]
    signing: SignArgs,
}

impl EnqueueArgs {
    /// The encoded call: bare params for protocols with a bare-params form
    /// (the queue row names the method), a notification otherwise.
    fn body(&self, codec: &dyn ClientProtocol) -> Result<Vec<u8>, CommandError> {
        let params = params::object(&self.params);
        let call = OutgoingCall {
            method: &self.method,
            params: &params,
            id: None,
            method_in_transport: true,
        };
        codec.encode_call(call).map_err(CommandError::Encode)
    }

    /// Checks the method and the parameters as its consumer would: the
    /// method is registered, the parameters decode into its arguments, and
    /// they meet its constraints.
    fn check(&self) -> Result<(), CommandError> {
        let Some(method) = switchboard::registered().find(|m| m.name == self.method) else {
            let mut known: Vec<_> = switchboard::registered().map(|m| m.name).collect();
            known.sort_unstable();
            return Err(CommandError::Unfit(format!(
                "unknown method `{}` (known: {}; --no-check enqueues it anyway)",
                self.method,
                known.join(", ")
            )));
        };
        let params = serde_json::to_vec(&params::object(&self.params)).map_err(|err| {
            CommandError::Unfit(format!("the parameters cannot be encoded: {err}"))
        })?;
        let args = (method.deserialize_json)(&params).map_err(|err| {
            CommandError::Unfit(format!(
                "the parameters do not fit `{}`: {err}",
                method.name
            ))
        })?;
        (method.validate)(&args).map_err(|fault| {
            CommandError::Unfit(format!(
                "`{}` would refuse the call: {}",
                method.name,
                fault.message()
            ))
        })
    }

    /// When the task expires, if it does. (The sum cannot overflow: a
    /// `--ttl` is at most about 31 years.)
    fn expires_at(&self) -> Option<SystemTime> {
        SystemTime::now().checked_add(self.ttl?)
    }
}

/// Enqueues the call and prints the new task's id (over AMQP: publishes
/// it and prints `published`).
pub(crate) async fn run(args: EnqueueArgs, context: &Context) -> Result<(), CommandError> {
    if !args.no_check {
        args.check()?;
    }
    match destination(&args)? {
        Some(address) => send(&args, context, &address).await,
        None => enqueue_in_file(&args).await,
    }
}

/// Where the call goes if not into the queue file: `--to`, or the queue
/// of `--amqp-url`.
fn destination(args: &EnqueueArgs) -> Result<Option<Address>, CommandError> {
    match (&args.to, &args.amqp_url) {
        (Some(to), _) => Ok(Some(to.clone())),
        (None, Some(url)) => amqp::queue_address(url, &args.amqp_queue)
            .map(Some)
            .map_err(|err| CommandError::Connect {
                address: url.clone(),
                source: err.into(),
            }),
        (None, None) => Ok(None),
    }
}

/// Puts the call into the queue file (`--queue`) and prints its task id.
async fn enqueue_in_file(args: &EnqueueArgs) -> Result<(), CommandError> {
    let protocol = match args.protocol {
        Some(protocol) => protocol,
        None => protocols::named("json")?,
    };
    let codec = protocol
        .client_protocol(&Default::default())
        .ok_or(crate::catalog::CatalogError::NoClient(protocol.name()))?;
    let body = args.body(codec.as_ref())?;
    let mut headers = CarriedHeaders::default();
    if let Some(signer) = args.signing.signer()? {
        headers.set(SIGNATURE_HEADER, signer.sign(&args.method, &body));
    }
    let path = args.queue.path();
    let producer = QueueProducer::open(path, QueueOptions::default()).map_err(
        CommandError::queue(format!("cannot open the queue {}", path.display())),
    )?;
    let content_type = task_content_type(codec.content_type(), codec.name());
    let id = producer
        .enqueue_with_headers(
            &args.method,
            &content_type,
            body,
            args.expires_at(),
            &headers,
        )
        .await
        .map_err(CommandError::queue("cannot enqueue the call"))?;
    println!("{id}");
    Ok(())
}

/// Sends the call one-way to `address` and prints what the transport says
/// of it: with `--to`, the id it gives (a queue file's task id, an AMQP
/// message id), else `published`. The protocol defaults to
/// `json` on transports without replies (queues, as their consumers read
/// by default) and `jsonrpc` on the others (as `serve` reads AMQP).
async fn send(
    args: &EnqueueArgs,
    context: &Context,
    address: &Address,
) -> Result<(), CommandError> {
    let protocol = match args.protocol {
        Some(protocol) => protocol,
        None => {
            let replies = catalog::transport_for(address)
                .map(|t| t.capabilities_of().replies)
                .unwrap_or(true);
            protocols::named(if replies { "jsonrpc" } else { "json" })?
        }
    };
    let signer = args.signing.signer()?;
    let mut client = tools::client(&context.info, address, protocol, None).await?;
    if let Some(signer) = signer {
        client = client.with_signer(signer);
    }
    let receipt = client
        .notify_named(&args.method, &params::object(&args.params), None)
        .await
        .map_err(|err| CommandError::call("cannot send the call", err))?;
    // Over `--amqp-url` the command always said `published`; an address
    // given with `--to` says what its transport knows.
    match receipt.id() {
        Some(id) if args.to.is_some() => println!("{id}"),
        _ => println!("published"),
    }
    Ok(())
}
