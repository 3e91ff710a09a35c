//! `switchboard enqueue METHOD name=value...`: one call into the queue.

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use clap::Args;
use serde_json::Value;
use switchboard::protocol::OutgoingCall;
use switchboard_sqlite_queue::{QueueOptions, QueueProducer};

use super::{QueueFile, QueueProtocol, refuse};
use crate::cli::call::parse_params;

/// Options of `enqueue`.
#[derive(Debug, Args)]
#[command(after_help = "\
Prints the new task's id. The call is one-way: consumers run it later and \
record a fault in the failures table (`switchboard queue failures`); nothing \
is answered. The queue file is created if it does not exist.")]
pub(crate) struct EnqueueArgs {
    /// The method's wire name.
    method: String,
    /// Parameters as `name=value`; a value that parses as JSON is sent as
    /// JSON (`seconds=0.5`, `tags=["a"]`), anything else as a string.
    params: Vec<String>,
    #[command(flatten)]
    queue: QueueFile,
    /// The task's wire format; consumers must use the same.
    #[arg(long, value_enum, default_value_t = QueueProtocol::Json)]
    protocol: QueueProtocol,
    /// Consumers that reach the task later than this many seconds after it
    /// was enqueued record it as `Client.Expired` instead of running it.
    #[arg(long, value_name = "SECONDS")]
    ttl: Option<f64>,
}

impl EnqueueArgs {
    /// The encoded call: bare params for the JSON document (the queue row
    /// names the method), a notification for JSON-RPC.
    fn body(&self) -> Result<Vec<u8>, String> {
        let params = Value::Object(parse_params(&self.params)?);
        let call = OutgoingCall {
            method: &self.method,
            params: &params,
            id: None,
            method_in_transport: true,
        };
        self.protocol
            .client()
            .encode_call(call)
            .map_err(|err| format!("cannot encode the call: {err}"))
    }

    fn expires_at(&self) -> Result<Option<SystemTime>, String> {
        let Some(ttl) = self.ttl else {
            return Ok(None);
        };
        Duration::try_from_secs_f64(ttl)
            .ok()
            .and_then(|ttl| SystemTime::now().checked_add(ttl))
            .map(Some)
            .ok_or_else(|| "--ttl must be a non-negative number of seconds".to_owned())
    }
}

pub(crate) async fn run(args: EnqueueArgs) -> ExitCode {
    if args.method.is_empty() {
        return refuse("the method name is empty");
    }
    let (body, expires_at) = match (args.body(), args.expires_at()) {
        (Ok(body), Ok(expires_at)) => (body, expires_at),
        (Err(message), _) | (_, Err(message)) => return refuse(&message),
    };
    let path = args.queue.path();
    let producer = match QueueProducer::open(path, QueueOptions::default()) {
        Ok(producer) => producer,
        Err(err) => {
            return crate::cli::fail(&format!("cannot open the queue {}", path.display()), &err);
        }
    };
    let content_type = args.protocol.client().content_type();
    match producer
        .enqueue(&args.method, content_type, body, expires_at)
        .await
    {
        Ok(id) => {
            println!("{id}");
            ExitCode::SUCCESS
        }
        Err(err) => crate::cli::fail("cannot enqueue the call", &err),
    }
}
