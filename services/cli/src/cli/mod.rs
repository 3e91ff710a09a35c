//! Command-line parsing and dispatch. Settings come from flags, then
//! `SWITCHBOARD_*` environment variables, then a `.env` file in the working
//! directory (loaded first, never overriding the real environment).
//!
//! Commands return `Result<_, CliError>`; [`run`] turns an error into its
//! message and exit code in one place ([`error::report`]).

mod amqp;
mod call;
mod client;
mod duration;
mod error;
mod exit;
mod gridmap;
mod hosted;
mod interface;
mod params;
mod queue;
mod serve;
mod shutdown;
mod stats;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use error::CliError;
use exit::Exit;

/// A pluggable RPC framework: one service, many protocols and transports.
#[derive(Debug, Parser)]
#[command(name = "switchboard", version, about, long_about = None, after_help = after_help())]
struct Cli {
    /// Log filter (`info`, `debug`, `switchboard=trace`, ...).
    #[arg(long, env = "SWITCHBOARD_LOG", default_value = "info", global = true)]
    log: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve services on HTTP, in every protocol (see --protocols, --transport).
    Serve(serve::ServeArgs),
    /// Call a method on a running server and print the result as JSON.
    Call(call::CallArgs),
    /// Gridmap tools: import and export maps in the map text format.
    #[command(subcommand)]
    Gridmap(gridmap::GridmapCommand),
    /// Run a consumer of a SQLite queue file: the services run its tasks.
    Consume(queue::ConsumeArgs),
    /// Put one call into a SQLite queue file for consumers to run.
    Enqueue(queue::EnqueueArgs),
    /// Inspect and repair a SQLite queue file: status, failures, retry, gc.
    Queue(queue::QueueArgs),
    /// Write an interface document (OpenAPI, OpenRPC, the docs page) of the
    /// services without starting a server.
    Interface(interface::InterfaceArgs),
    /// Stats tools: measure, get statistics (waiting for them), run a worker.
    #[command(subcommand)]
    Stats(stats::StatsCommand),
}

/// What `--help` ends with: where settings come from, and the exit statuses.
fn after_help() -> String {
    format!(
        "Settings: every option can also be set by the SWITCHBOARD_* variable its help \
         names, in the environment or in a .env file in the working directory (the \
         environment wins).\n\n{}",
        Exit::help()
    )
}

/// Parses the command line, runs the command, and reports its error if any.
pub(crate) fn run() -> ExitCode {
    // A missing .env file is normal; a malformed one is worth a word.
    if let Err(err) = dotenvy::dotenv()
        && !err.not_found()
    {
        eprintln!("warning: .env not loaded: {err}");
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `--help` and `--version` come this way too, for standard output.
        Err(err) if !err.use_stderr() => {
            let _ = err.print();
            return Exit::Success.into();
        }
        Err(err) => return error::report(&CliError::Usage(err)),
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&cli.log).unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in log files.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match execute(cli.command) {
        Ok(exit) => exit.into(),
        Err(err) => error::report(&err),
    }
}

/// Runs `command` on a new runtime.
fn execute(command: Command) -> Result<Exit, CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(async {
        match command {
            Command::Serve(args) => serve::run(args).await.map(|()| Exit::Success),
            Command::Call(args) => call::run(args).await.map(|()| Exit::Success),
            Command::Gridmap(command) => gridmap::run(command).await,
            Command::Consume(args) => queue::run_consume(args).await.map(|()| Exit::Success),
            Command::Enqueue(args) => queue::run_enqueue(args).await.map(|()| Exit::Success),
            Command::Queue(command) => queue::run_admin(command).await.map(|()| Exit::Success),
            Command::Interface(args) => interface::run(args).map(|()| Exit::Success),
            Command::Stats(command) => stats::run(command).await,
        }
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        // Checks every default value against its parser, among others.
        Cli::command().debug_assert();
    }
}
