//! brubeck's three service calls, on switchboard.
//!
//! Two services share this binary. `thumbs` makes thumbnails
//! ([`make_thumbnail`]). `web` stands for a web front that needs them and does
//! not wait: it sends each request with [`Client::call_then`] and the
//! answer comes back later as a call of its own method [`on_thumbnail`],
//! through its own transport (a durable AMQP queue or a SQLite queue), so
//! the answer waits there if `web` is down when it is ready.
//!
//! The other two patterns are the client's usual calls: `client.call(..)`
//! awaits the result (brubeck's synchronous call) and
//! `client.send_one_way(..)` forgets it (fire and forget).
//!
//! `serve --send N --send-to ADDRESS --reply-to ADDRESS` (the [`sender`]
//! hook) sends `N` thumbnail requests once the transports are bound; every
//! reply handled is one line of the file beside `--db` (`STATE.replies`):
//! `page=P ok=PIXELS` or `page=P fault=CODE`.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use clap::{Arg, ArgMatches, Command, value_parser};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard::catalog::{self, Address, ConnectSettings};
use switchboard::{ApplicationBuilder, Client, Fault, State, Then, rpc};
use switchboard_host::tools::CommandError;
use switchboard_host::{Companion, ServeHook};

/// A page's thumbnail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Thumbnail {
    /// The page it shows.
    pub page: u64,
    /// How many pixels it has.
    pub pixels: u32,
}

/// Makes the thumbnail of `page`. Every hundredth page is blank and has
/// none (`Client.NotFound`).
#[rpc(service = "thumbs", throws = ["Client.NotFound"])]
pub fn make_thumbnail(page: u64) -> Result<Thumbnail, Fault> {
    if page.is_multiple_of(100) {
        return Err(Fault::not_found(format!("page {page} is blank")));
    }
    Ok(Thumbnail {
        page,
        pixels: u32::try_from(page % 1000).unwrap_or(0) * 64,
    })
}

/// What `web` attached to a request, given back with its reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Pending {
    /// The page asked for.
    pub page: u64,
}

/// Receives the thumbnail of the page in `data`, or why there is none,
/// and records it in the replies file.
#[rpc(service = "web")]
pub fn on_thumbnail(
    log: State<ReplyLog>,
    reply: Result<Thumbnail, Fault>,
    data: Pending,
) -> Result<(), Fault> {
    let line = match reply {
        Ok(thumbnail) => format!("page={} ok={}\n", data.page, thumbnail.pixels),
        Err(fault) => format!("page={} fault={}\n", data.page, fault.code),
    };
    log.append(&line)
}

/// The replies `web` handled, one line each, in a file beside the state.
#[derive(Debug)]
pub struct ReplyLog(Mutex<File>);

impl ReplyLog {
    /// The log beside the state file `db`.
    pub fn path(db: &Path) -> PathBuf {
        db.with_extension("replies")
    }

    fn append(&self, line: &str) -> Result<(), Fault> {
        let mut file = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // One write per line, in append mode: lines never interleave.
        file.write_all(line.as_bytes())
            .map_err(|err| Fault::server(format!("cannot record the reply: {err}")))
    }
}

/// Gives `web` its replies file.
///
/// # Errors
/// When the file beside `db` cannot be opened.
pub fn setup(builder: ApplicationBuilder, db: &Path) -> Result<ApplicationBuilder, std::io::Error> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(ReplyLog::path(db))?;
    Ok(builder.state(ReplyLog(Mutex::new(file))))
}

/// `serve --send N --send-to ADDRESS --reply-to ADDRESS`: once the
/// transports are bound, sends thumbnail requests for pages 1 to N to
/// `thumbs` at `--send-to`, each answered later as a call of
/// [`on_thumbnail`] at `--reply-to`, and prints `sent N`.
pub fn sender() -> ServeHook {
    ServeHook::new(sender_args, start_sender)
}

fn sender_args(command: Command) -> Command {
    command
        .arg(
            Arg::new("send")
                .long("send")
                .value_name("N")
                .value_parser(value_parser!(u64))
                .requires_all(["send_to", "reply_to"])
                .help("Send N thumbnail requests whose replies come back as calls of on_thumbnail"),
        )
        .arg(
            Arg::new("send_to")
                .long("send-to")
                .value_name("ADDRESS")
                .help("Where the thumbs service is reached"),
        )
        .arg(
            Arg::new("reply_to")
                .long("reply-to")
                .value_name("ADDRESS")
                .help("Where this process's web service is reached, without credentials"),
        )
}

fn start_sender(
    matches: &ArgMatches,
    _app: &switchboard::Application,
    _base: Option<&str>,
) -> Result<Option<Companion>, CommandError> {
    let Some(&count) = matches.get_one::<u64>("send") else {
        return Ok(None);
    };
    let text = |name: &str| matches.get_one::<String>(name).cloned().unwrap_or_default();
    let (to, reply_to) = (text("send_to"), text("reply_to"));
    let address = Address::parse(&to).map_err(|err| CommandError::Connect {
        address: to.clone(),
        source: err.into(),
    })?;
    let sending = tokio::spawn(async move {
        match send(address, &reply_to, count).await {
            Ok(()) => println!("sent {count}"),
            Err(err) => eprintln!("thumbs: sending stopped: {err}"),
        }
    });
    let banner = format!("thumbs sending {count} requests to {to}");
    Ok(Some(Companion::new(vec![banner], move || async move {
        sending.abort();
        Ok(())
    })))
}

/// Sends the requests for pages 1 to `count`, one after the other.
async fn send(
    address: Address,
    reply_to: &str,
    count: u64,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let protocol = catalog::protocol("jsonrpc").ok_or("the jsonrpc protocol is not linked")?;
    let settings = ConnectSettings::new(protocol).with_client_name("thumbs web");
    let transport = catalog::connect(address, settings).await?;
    let codec = protocol
        .client_protocol(&Default::default())
        .ok_or("jsonrpc cannot send calls")?;
    let client = Client::new(transport, codec);
    for page in 1..=count {
        let then = Then::method_of::<OnThumbnail>()
            .at(reply_to)
            .with_data(serde_json::json!({ "page": page }));
        client.call_then(MakeThumbnail { page }, then).await?;
    }
    Ok(())
}
