//! `switchboard serve`: the services on every transport picked, in every
//! protocol picked, until SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;
use switchboard_cli::catalog::{EntryParser, Transport};
use switchboard_cli::hosting::{self, ServeSettings};
use switchboard_http::{Auth, FaultStatuses, HttpConfig};

use super::amqp::AmqpServeArgs;
use super::duration::{self, Least};
use super::error::CliError;
use super::hosted::{Hosted, ProtocolsArg};
use super::shutdown;
use super::stats::{EmbeddedWorker, StatsServeArgs};

/// Options of `serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SWITCHBOARD_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    hosted: Hosted,
    #[command(flatten)]
    protocols: ProtocolsArg,
    /// Transports to serve on, comma-separated.
    #[arg(
        long = "transport",
        env = "SWITCHBOARD_TRANSPORT",
        value_name = "NAMES",
        value_delimiter = ',',
        default_value = "http",
        value_parser = EntryParser::<Transport>::all(),
    )]
    transports: Vec<&'static Transport>,
    /// Public base URL for links the server prints (Location headers) and
    /// the interface documents' links.
    #[arg(long, env = "SWITCHBOARD_PUBLIC_URL")]
    public_url: Option<String>,
    /// Largest request body, in bytes.
    #[arg(long, env = "SWITCHBOARD_MAX_BODY", default_value_t = HttpConfig::DEFAULT_MAX_BODY_BYTES)]
    max_body: usize,
    /// Time allowed for a whole request, more than zero: seconds, or a
    /// number with a unit (500ms, 1.5s, 2m, 1h).
    #[arg(
        long,
        env = "SWITCHBOARD_REQUEST_TIMEOUT",
        value_name = "SECONDS",
        default_value = "30",
        value_parser = duration::seconds(Least::AboveZero),
        allow_hyphen_values = true,
    )]
    request_timeout: Duration,
    /// Requests served at once.
    #[arg(long, env = "SWITCHBOARD_MAX_CONCURRENT", default_value_t = HttpConfig::DEFAULT_MAX_CONCURRENT_REQUESTS)]
    max_concurrent: usize,
    /// Require `Authorization: Bearer <token>`.
    #[arg(
        long,
        env = "SWITCHBOARD_AUTH_TOKEN",
        conflicts_with = "auth_basic",
        hide_env_values = true
    )]
    auth_token: Option<String>,
    /// Require basic credentials, as `user:password`.
    #[arg(
        long,
        env = "SWITCHBOARD_AUTH_BASIC",
        value_name = "USER:PASSWORD",
        hide_env_values = true,
        value_parser = basic_credentials,
    )]
    auth_basic: Option<(String, String)>,
    /// Which faults get an HTTP error status: `protocol` lets the protocol
    /// decide (JSON-RPC error responses are `200`, as JSON-RPC clients
    /// expect; JSON document faults get their status), `always` gives
    /// every fault its status (404, 400, 500...).
    #[arg(long, env = "SWITCHBOARD_FAULT_STATUSES", value_enum, default_value_t = FaultStatusesArg::Protocol)]
    fault_statuses: FaultStatusesArg,
    #[command(flatten)]
    amqp: AmqpServeArgs,
    #[command(flatten)]
    stats: StatsServeArgs,
}

/// `--fault-statuses`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FaultStatusesArg {
    /// The protocol decides (the default).
    Protocol,
    /// Every fault gets its HTTP status.
    Always,
}

/// `user:password` (the password may hold colons).
fn basic_credentials(pair: &str) -> Result<(String, String), &'static str> {
    let (user, password) = pair.split_once(':').ok_or("expected user:password")?;
    Ok((user.to_owned(), password.to_owned()))
}

impl ServeArgs {
    fn config(&self) -> HttpConfig {
        let mut config = HttpConfig::default()
            .with_max_body_bytes(self.max_body)
            .with_request_timeout(self.request_timeout)
            .with_max_concurrent_requests(self.max_concurrent)
            .with_fault_statuses(match self.fault_statuses {
                FaultStatusesArg::Protocol => FaultStatuses::ProtocolDecides,
                FaultStatusesArg::Always => FaultStatuses::Always,
            });
        if let Some(url) = &self.public_url {
            config = config.with_public_url(url);
        }
        if let Some(token) = &self.auth_token {
            config = config.with_auth(Auth::Bearer {
                token: token.clone(),
            });
        }
        if let Some((user, password)) = &self.auth_basic {
            config = config.with_auth(Auth::Basic {
                user: user.clone(),
                password: password.clone(),
            });
        }
        config
    }
}

/// Sets up the services, binds every transport, prints the banner, then
/// serves until SIGINT or SIGTERM.
pub(crate) async fn run(args: ServeArgs) -> Result<(), CliError> {
    let app = args.hosted.application_at(args.public_url.as_deref())?;
    let settings = ServeSettings {
        app,
        protocols: args.protocols.protocols.clone(),
        listen: args.listen,
        http: args.config(),
        amqp: args.amqp.settings(),
    };
    let mut bound = Vec::with_capacity(args.transports.len());
    for transport in &args.transports {
        bound.push((*transport, transport.bind(settings.clone()).await?));
    }
    let shutdown = shutdown::signal().map_err(CliError::Signals)?;
    let base = http_base(&bound);
    let worker = EmbeddedWorker::start(&settings.app, &args.stats, base.as_deref())?;
    let worker_banner = worker.as_ref().map(|w| [w.banner().to_owned()]);
    let banners = bound
        .iter()
        .map(|(_, b)| b.banner())
        .chain(worker_banner.as_ref().map(|b| b.as_slice()));
    print_banner(&args, banners);
    let served = hosting::serve_all(bound, shutdown).await;
    if let Some(worker) = worker {
        worker.stop().await?;
    }
    served?;
    Ok(())
}

/// Where the HTTP transport listens: the embedded stats worker reports
/// there unless told otherwise.
fn http_base(bound: &[(&'static Transport, hosting::Bound)]) -> Option<String> {
    bound
        .iter()
        .find_map(|(_, b)| b.http_url().map(str::to_owned))
}

/// What each transport says (where it listens, which protocol answers
/// where), then what is served and where its state is kept.
fn print_banner<'a>(args: &ServeArgs, transports: impl Iterator<Item = &'a [String]>) {
    for line in transports.flatten() {
        println!("{line}");
    }
    println!("  services: {}", args.hosted.names());
    println!("  state:    {}", args.hosted.db.display());
    println!("Stop with Ctrl-C.");
}
