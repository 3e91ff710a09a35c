//! `switchboard stats get|measure|delete|worker`, and `serve`'s embedded stats
//! worker. The course's variables (`API_SERVER`, `PWP_RABBIT_URI`, ...)
//! are read as `switchboard_stats::Settings` documents; the flags here win
//! over them.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgMatches, Args, FromArgMatches, Subcommand};
use switchboard::Application;
use switchboard::catalog::{Address, BindError};
use switchboard_host::hosting::HostError;
use switchboard_host::tools::duration::{self, Least};
use switchboard_host::tools::{CommandError, Exit, signal};
use switchboard_host::{Companion, HostInfo};
use switchboard_http::RestClient;
use switchboard_stats::{Backend, BackendError, Settings, StatsClient, Worker, WorkerError};
use tokio::sync::watch;

use super::error::ToolFailure;

/// The stats tools.
#[derive(Debug, Subcommand)]
pub(crate) enum StatsCommand {
    /// Print a sensor's statistics as JSON; with --wait, wait for them to be computed.
    Get {
        /// The sensor's name.
        sensor: String,
        /// On 202 (being computed), wait for the notification, then print them.
        #[arg(long, env = "SWITCHBOARD_STATS_WAIT")]
        wait: bool,
        /// With --wait, give up after this long (exit status 3): seconds,
        /// or a number with a unit (500ms, 1.5s, 2m, 1h).
        #[arg(
            long,
            env = "SWITCHBOARD_STATS_TIMEOUT",
            value_name = "SECONDS",
            default_value = "30",
            value_parser = duration::seconds(Least::AboveZero)
        )]
        timeout: Duration,
        #[command(flatten)]
        system: StatsSystem,
    },
    /// Delete a sensor's statistics, so that the next get computes them again.
    Delete {
        /// The sensor's name.
        sensor: String,
        #[command(flatten)]
        system: StatsSystem,
    },
    /// Add measurements to a sensor (created if it does not exist).
    Measure {
        /// The sensor's name.
        sensor: String,
        /// The values.
        #[arg(required = true, allow_negative_numbers = true)]
        values: Vec<f64>,
        #[command(flatten)]
        system: StatsSystem,
    },
    /// Run a stats worker on its own: a member of the SQLite queue's
    /// `stats` group, a consumer of the RabbitMQ queue `stats`, or the
    /// worker of any other bus.
    Worker {
        /// This worker's id (its consumer id on SQLite).
        #[arg(long, value_name = "ID", env = "SWITCHBOARD_WORKER")]
        id: Option<String>,
        /// Tasks run at once: the RabbitMQ prefetch, or SQLite group members.
        #[arg(long, env = "SWITCHBOARD_STATS_PREFETCH", default_value_t = switchboard_stats::DEFAULT_PREFETCH)]
        prefetch: u16,
        #[command(flatten)]
        system: StatsSystem,
    },
}

/// Where the stats system is: the API, the state file (beside which the
/// SQLite queue and events files are), the bus.
#[derive(Debug, Args)]
pub(crate) struct StatsSystem {
    /// The API (the course's API_SERVER is read too).
    #[arg(long, value_name = "URL", env = "SWITCHBOARD_API_SERVER")]
    api_server: Option<String>,
    /// The state file; the SQLite queue and events files sit beside it.
    #[arg(
        long,
        value_name = "STATE",
        env = "SWITCHBOARD_DB",
        default_value = "switchboard.db"
    )]
    db: PathBuf,
    /// The bus as an address: the RabbitMQ broker as a URL (the course's
    /// PWP_RABBIT_* variables are read too), or any linked transport's bus
    /// (sqlite:QUEUE?events=EVENTS); without one, the embedded SQLite files.
    #[arg(
        long,
        value_name = "URL",
        env = "SWITCHBOARD_STATS_BROKER",
        hide_env_values = true
    )]
    broker: Option<String>,
}

impl StatsSystem {
    fn settings(&self) -> Result<Settings, CommandError> {
        let unusable = |address: &str| {
            let address = address.to_owned();
            move |err| CommandError::Connect {
                address,
                source: BindError::Address(err),
            }
        };
        let mut settings = Settings::from_env(&self.db).map_err(unusable("the stats bus"))?;
        if let Some(url) = &self.broker {
            settings.bus = Address::parse(url).map_err(unusable("--broker"))?;
        }
        if let Some(url) = &self.api_server {
            settings = settings.with_api_server(url);
        }
        Ok(settings)
    }

    fn client(&self) -> Result<StatsClient, CommandError> {
        let settings = self.settings()?;
        let url = settings
            .api_server
            .clone()
            .unwrap_or_else(|| switchboard_stats::DEFAULT_API_SERVER.to_owned());
        let api = RestClient::new(url).map_err(CommandError::HttpClient)?;
        let backend = Backend::open(&settings.bus).map_err(|err| match err {
            // As any transport that cannot be opened: a wrong address is a
            // usage error, a file that cannot be opened a local one.
            BackendError::Open(source) => CommandError::Connect {
                address: settings.bus.to_string(),
                source,
            },
            other => ToolFailure::stats("cannot open the stats bus")(other.into()),
        })?;
        Ok(StatsClient::new(api, backend))
    }
}

/// Runs a stats tool.
pub(crate) async fn run(command: StatsCommand, host: &HostInfo) -> Result<Exit, CommandError> {
    match command {
        StatsCommand::Get {
            sensor,
            wait,
            timeout,
            system,
        } => {
            let client = system.client()?;
            let stats = client
                .get(&sensor, wait.then_some(timeout))
                .await
                .map_err(ToolFailure::stats(format!("no statistics for `{sensor}`")))?;
            let text = serde_json::to_string(&stats)
                .map_err(|err| ToolFailure::stats("cannot print the statistics")(err.into()))?;
            println!("{text}");
            Ok(Exit::Success)
        }
        StatsCommand::Delete { sensor, system } => {
            system
                .client()?
                .delete(&sensor)
                .await
                .map_err(ToolFailure::stats(format!(
                    "cannot delete the statistics of `{sensor}`"
                )))?;
            Ok(Exit::Success)
        }
        StatsCommand::Measure {
            sensor,
            values,
            system,
        } => {
            let added =
                system
                    .client()?
                    .measure(&sensor, &values)
                    .await
                    .map_err(ToolFailure::stats(format!(
                        "cannot add measurements to `{sensor}`"
                    )))?;
            println!("{added}");
            Ok(Exit::Success)
        }
        StatsCommand::Worker {
            id,
            prefetch,
            system,
        } => {
            let service = switchboard_stats::SERVICE;
            let builder = Application::builder().services([service]);
            let app = switchboard_stats::setup_with(builder, &system.db, system.settings()?)
                .map_err(|err| {
                    CommandError::Host(HostError::Setup {
                        service: service.to_owned(),
                        source: Box::new(err),
                    })
                })?
                .build()
                .map_err(|err| CommandError::Host(err.into()))?;
            let id = id.unwrap_or_else(|| format!("stats-worker-{}", std::process::id()));
            let worker = Worker::new(app, id).with_prefetch(prefetch);
            let described = worker.describe().map_err(ToolFailure::from)?;
            println!("{} running {described}", host.name());
            println!("Stop with Ctrl-C.");
            let shutdown = signal().map_err(CommandError::Signals)?;
            worker.run(shutdown).await.map_err(worker_failed)?;
            Ok(Exit::Success)
        }
    }
}

/// `serve`'s stats flag.
#[derive(Debug, Args)]
pub(crate) struct StatsServeArgs {
    /// When serving stats, also run a stats worker in this process
    /// (`false`: the API only; workers run elsewhere).
    #[arg(long, env = "SWITCHBOARD_STATS_WORKER", default_value_t = true, action = clap::ArgAction::Set)]
    stats_worker: bool,
}

/// Starts `serve`'s embedded stats worker if `app` serves stats and
/// `--stats-worker` asks for it; the worker reports to `base` (where
/// `serve` listens) unless an API server is configured. It stops after
/// its current tasks once the transports have.
pub(crate) fn embedded_worker(
    matches: &ArgMatches,
    app: &Application,
    base: Option<&str>,
) -> Result<Option<Companion>, CommandError> {
    let args = StatsServeArgs::from_arg_matches(matches).map_err(CommandError::Usage)?;
    // A probe: an application without stats has no stats state, which is
    // no error.
    let Some(service) = app.try_state::<switchboard_stats::StatsService>() else {
        return Ok(None);
    };
    if let Some(base) = base {
        service.default_api_server(base);
    }
    if !args.stats_worker {
        return Ok(None);
    }
    let worker = Worker::new(app.clone(), format!("serve-{}", std::process::id()));
    let banner = format!(
        "switchboard running {}",
        worker.describe().map_err(ToolFailure::from)?
    );
    let (stop, mut stopped) = watch::channel(false);
    let running = tokio::spawn(worker.run(async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    }));
    Ok(Some(Companion::new(vec![banner], move || async move {
        stop.send_replace(true);
        match running.await {
            Ok(result) => Ok(result.map_err(worker_failed)?),
            Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
            Err(_) => Ok(()),
        }
    })))
}

/// A worker that could not consume its queue fails as any transport that
/// cannot be opened (a wrong address is a usage error, a broker away is
/// unreachable); one that stopped, as a stats tool.
fn worker_failed(err: WorkerError) -> CommandError {
    match err {
        WorkerError::Bind { address, source } => CommandError::Connect { address, source },
        other => ToolFailure::from(other).into(),
    }
}
