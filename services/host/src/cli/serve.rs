//! `serve`: the services on every transport asked, in every protocol
//! picked, until SIGINT or SIGTERM; then every transport stops taking
//! work, lets running calls finish, and the command exits.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::builder::PossibleValuesParser;
use clap::{ArgMatches, Args};
use switchboard::catalog::{Address, Readiness};
use switchboard::{Application, Fingerprint};
use switchboard_http::{Auth, FaultStatuses, HttpConfig};

use super::Context;
use super::amqp::AmqpServeArgs;
use super::component::{self, ComponentArgs, Ending, Serving, Stage};
use super::hosted::{Hosted, ProtocolsArg};
use super::metrics::MetricsArgs;
use super::replies::RepliesArgs;
use super::signing::VerifyArgs;
use crate::components::{CallCounts, Served};
use crate::host::Companion;
use crate::hosting;
use crate::tools::duration::{self, Least};
use crate::tools::{CommandError, signal};

/// Options of `serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Serve at these addresses, comma-separated or repeated: any scheme
    /// of a linked transport (replaces --transport and --listen).
    #[arg(
        long = "on",
        value_name = "ADDRESS",
        env = "SWITCHBOARD_ON",
        value_delimiter = ',',
        hide_env_values = true
    )]
    on: Vec<Address>,
    /// Address to listen on.
    #[arg(long, env = "SWITCHBOARD_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    hosted: Hosted,
    #[command(flatten)]
    protocols: ProtocolsArg,
    /// Transports to serve on without --on, comma-separated.
    #[arg(
        long = "transport",
        env = "SWITCHBOARD_TRANSPORT",
        value_name = "NAMES",
        value_delimiter = ',',
        default_value = "http",
        value_parser = PossibleValuesParser::new(["http", "amqp"]),
    )]
    transports: Vec<String>,
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
    component: ComponentArgs,
    #[command(flatten)]
    metrics: MetricsArgs,
    #[command(flatten)]
    replies: RepliesArgs,
    #[command(flatten)]
    signing: VerifyArgs,
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

impl ServeArgs {
    /// The addresses served: `--on`'s, else those `--transport` names.
    fn addresses(&self) -> Result<Vec<Address>, CommandError> {
        if !self.on.is_empty() {
            return Ok(self.on.clone());
        }
        self.transports
            .iter()
            .map(|name| match name.as_str() {
                "amqp" => self.amqp.address().map_err(|err| {
                    CommandError::Serve(hosting::ServeError::Bind {
                        address: "--amqp-url".to_owned(),
                        source: err.into(),
                    })
                }),
                _ => Address::parse(&format!("http://{}", self.listen)).map_err(|err| {
                    CommandError::Serve(hosting::ServeError::Bind {
                        address: self.listen.to_string(),
                        source: err.into(),
                    })
                }),
            })
            .collect()
    }
}

/// Sets up the services, binds every transport, starts the serve hooks,
/// prints the banner, announces the process as a component, then serves
/// until SIGINT, SIGTERM or a control command.
pub(crate) async fn run(
    args: ServeArgs,
    context: &Context,
    matches: Option<&ArgMatches>,
) -> Result<(), CommandError> {
    let counts = Arc::new(CallCounts::default());
    let readiness = Readiness::new();
    // With no probe at all, `/readyz` would say ready before any transport
    // is bound: this one holds it at 503 until they are.
    let startup = readiness.probe("startup");
    let signing = args.signing.load()?;
    let metrics = args.metrics.start(&context.info, &readiness).await?;
    let setups = [hosting::counting(&counts), hosting::metering(metrics.on())];
    let app = args.hosted.application_counted(
        context,
        args.public_url.as_deref(),
        setups
            .into_iter()
            .chain(
                args.replies
                    .setup(context, signing.as_ref().map(|s| s.signer.clone())),
            )
            .chain(signing.map(|s| s.setup)),
    )?;
    let fingerprint = Arc::clone(&context.fingerprint);
    let mut settings = hosting::serve_settings(
        &context.info,
        app.clone(),
        args.protocols.protocols.clone(),
        args.config(),
    )
    .with_fingerprint(Arc::clone(&fingerprint))
    .with_readiness(readiness);
    // Protocols that write the sender into their messages (Postage) read it here.
    settings.settings.insert(Fingerprint::clone(&fingerprint));
    if let Some(page) = metrics.page() {
        settings = settings.with_metrics(page.clone());
    }
    let addresses = args.addresses()?;
    let bound = hosting::bind_all(&addresses, &settings).await?;
    drop(startup);
    let shutdown = signal().map_err(CommandError::Signals)?;
    let base = bound.iter().find_map(|(_, b)| b.http_url());
    let companions = start_companions(context, matches, &app, base.as_deref())?;
    let banners = bound
        .iter()
        .flat_map(|(_, b)| b.banner().iter())
        .chain(companions.iter().flat_map(|c| c.banner.iter()));
    print_banner(&args, banners);
    let served = Served {
        transports: bound
            .iter()
            .filter_map(|(_, b)| b.reach().map(ToString::to_string))
            .collect(),
        methods: app.methods().map(|m| m.name.to_owned()).collect(),
    };
    let component = args
        .component
        .start(
            &context.info,
            &fingerprint,
            served,
            Arc::clone(&counts),
            &addresses,
            args.hosted.state_dir(),
        )
        .await?;
    let (listeners, consumers): (Vec<_>, Vec<_>) = bound.into_iter().partition(|(name, _)| {
        switchboard::catalog::transport(name).is_some_and(|t| t.keeps_serving_while_draining())
    });
    let stage = |bound: Vec<_>| match bound.is_empty() {
        true => Stage::none(),
        false => Stage::spawn(|stop| Box::pin(hosting::serve_all(bound, stop))),
    };
    let serving = Serving {
        consumers: stage(consumers),
        listeners: stage(listeners),
        draining: settings.draining.clone(),
        counts: Arc::clone(&counts),
    };
    let ending = component::serve_until_told(component, shutdown, serving).await;
    for companion in companions {
        (companion.stop)().await?;
    }
    if ending? == Ending::Restart {
        component::restart()?;
    }
    Ok(())
}

/// Starts what the host's serve hooks run beside the transports; `base`
/// is where HTTP clients reach the server, if it serves HTTP.
fn start_companions(
    context: &Context,
    matches: Option<&ArgMatches>,
    app: &Application,
    base: Option<&str>,
) -> Result<Vec<Companion>, CommandError> {
    let Some(matches) = matches else {
        return Ok(Vec::new());
    };
    let mut companions = Vec::new();
    for hook in &context.serve_hooks {
        if let Some(companion) = (hook.start)(matches, app, base)? {
            companions.push(companion);
        }
    }
    Ok(companions)
}

/// What each transport says (where it listens, which protocol answers
/// where), then what is served and where its state is kept. A closed
/// standard output (`| head -1`) is not a reason to stop serving, so
/// write errors are ignored.
fn print_banner<'a>(args: &ServeArgs, lines: impl Iterator<Item = &'a String>) {
    let mut banner = String::new();
    for line in lines {
        banner.push_str(line);
        banner.push('\n');
    }
    banner.push_str(&format!(
        "  services: {}\n  state:    {}\nStop with Ctrl-C.\n",
        args.hosted.names(),
        args.hosted.db.display()
    ));
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
}
