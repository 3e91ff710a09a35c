//! The library half of the `switchboard` command: the host
//! ([`switchboard_host::Host`]) with the three shipped services (`demo`,
//! `gridmap`, `stats`) and their tools (`gridmap import|export`, `stats
//! get|measure|delete|worker`, `serve`'s embedded stats worker), so that
//! tests and benchmarks build the very server the binary runs.
//!
//! # Example
//!
//! ```
//! use switchboard_http::HttpConfig;
//!
//! let dir = tempfile::tempdir()?;
//! // Every service in every protocol, as `switchboard serve` mounts them.
//! let app = switchboard_cli::application(&dir.path().join("state.db"))?;
//! let server = switchboard_cli::http_server(app, HttpConfig::default(), None)?;
//! assert!(server.endpoints().iter().any(|path| path == "/jsonrpc"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod tools;

use std::path::Path;

use clap::{Args, FromArgMatches, Subcommand};
use switchboard::Application;
use switchboard_host::catalog::Service;
use switchboard_host::hosting::{self, HostError};
use switchboard_host::{Host, ServeHook, ToolCommand};
use switchboard_http::{HttpConfig, HttpServer, RouteError};

use tools::{gridmap, stats};

/// The `switchboard` binary: the host, its services and their tools.
pub fn host() -> Host {
    let mut host = Host::new("switchboard", env!("CARGO_PKG_VERSION"))
        .about("A pluggable RPC framework: one service, many protocols and transports.")
        .command(ToolCommand::new(
            gridmap_command(),
            |matches, info| async move {
                let command = gridmap::GridmapCommand::from_arg_matches(&matches)
                    .map_err(switchboard_host::tools::CommandError::Usage)?;
                gridmap::run(command, &info).await
            },
        ))
        .command(
            ToolCommand::new(stats_command(), |matches, info| async move {
                let command = stats::StatsCommand::from_arg_matches(&matches)
                    .map_err(switchboard_host::tools::CommandError::Usage)?;
                stats::run(command, &info).await
            })
            .serving(&["worker"]),
        )
        .on_serve(ServeHook::new(
            stats::StatsServeArgs::augment_args,
            stats::embedded_worker,
        ));
    for service in services() {
        host = host.service(service);
    }
    host
}

/// The shipped services, as `--services` lists them.
pub fn services() -> Vec<Service> {
    vec![
        Service::new(switchboard_demo::SERVICE)
            .describe("echo, sum, subtract, fail and sleep: one method of each kind"),
        Service::new(switchboard_gridmap::SERVICE)
            .describe("maps, their observers and obstacles, and what each observer sees (kept in --db)")
            .with_setup(switchboard_gridmap::setup),
        Service::new(switchboard_stats::SERVICE)
            .describe("sensors, measurements and their statistics computed by queue workers (SQLite queue beside --db, or RabbitMQ)")
            .with_setup(switchboard_stats::setup),
    ]
}

/// The application `switchboard serve` builds: every shipped service, its
/// state in `db`.
///
/// # Errors
/// [`HostError`] if a service cannot be set up.
pub fn application(db: &Path) -> Result<Application, HostError> {
    application_of(&[], db, None)
}

/// The application of the shipped services named in `names` (all of
/// them if empty), its state in `db`, its `rpc.discover` document linking
/// under `public_url`.
///
/// # Errors
/// [`HostError`] if a service cannot be set up.
pub fn application_of(
    names: &[&str],
    db: &Path,
    public_url: Option<&str>,
) -> Result<Application, HostError> {
    let services: Vec<Service> = services()
        .into_iter()
        .filter(|s| names.is_empty() || names.contains(&s.name()))
        .collect();
    hosting::application(host().info(), &services, db, public_url)
}

/// `app` on HTTP as `switchboard serve` mounts it: every linked protocol
/// and the interface documents, for a server at `server_url` if known.
///
/// # Errors
/// [`RouteError`] if two methods bind one route.
pub fn http_server(
    app: Application,
    config: HttpConfig,
    server_url: Option<&str>,
) -> Result<HttpServer, RouteError> {
    let protocols = switchboard::catalog::protocols();
    hosting::http_server(host().info(), app, &protocols, config, server_url)
}

/// `gridmap`: import and export maps in the map text format.
fn gridmap_command() -> clap::Command {
    // The derive sets the about from the enum's doc: set ours after it.
    gridmap::GridmapCommand::augment_subcommands(clap::Command::new("gridmap"))
        .about("Gridmap tools: import and export maps in the map text format")
        .subcommand_required(true)
}

/// `stats`: measure, get statistics (waiting for them), run a worker.
fn stats_command() -> clap::Command {
    stats::StatsCommand::augment_subcommands(clap::Command::new("stats"))
        .about("Stats tools: measure, get statistics (waiting for them), run a worker")
        .subcommand_required(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        // Checks every default value against its parser, among others.
        host().command_line().debug_assert();
    }
}

/// The guide's examples, compiled and run as doc tests here, where every
/// transport and protocol is a dependency.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/guide.md")]
pub struct GuideDoctests;
