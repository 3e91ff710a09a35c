//! Command-line parsing and dispatch. Settings come from flags, then
//! `SWITCHBOARD_*` environment variables, then a `.env` file in the working
//! directory (loaded first, never overriding the real environment).

mod call;
mod gridmap;
mod queue;
mod serve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A pluggable RPC framework: one service, many protocols and transports.
#[derive(Debug, Parser)]
#[command(name = "switchboard", version, about, long_about = None)]
struct Cli {
    /// Log filter (`info`, `debug`, `switchboard=trace`, ...).
    #[arg(long, env = "SWITCHBOARD_LOG", default_value = "info", global = true)]
    log: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve services over HTTP (JSON-RPC, JSON document, REST bindings).
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
    #[command(subcommand)]
    Queue(queue::QueueCommand),
}

/// Parses the command line and runs the command.
pub(crate) fn run() -> ExitCode {
    // A missing .env file is normal; a malformed one is worth a word.
    if let Err(err) = dotenvy::dotenv() {
        if !err.not_found() {
            eprintln!("warning: .env not loaded: {err}");
        }
    }
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&cli.log).unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Call(args) => call::run(args).await,
            Command::Gridmap(command) => gridmap::run(command).await,
            Command::Consume(args) => queue::run_consume(args).await,
            Command::Enqueue(args) => queue::run_enqueue(args).await,
            Command::Queue(command) => queue::run_admin(command).await,
        }
    })
}

/// Prints an error with its causes and returns the failure exit code.
pub(crate) fn fail(context: &str, err: &dyn std::error::Error) -> ExitCode {
    eprintln!("error: {context}: {err}");
    let mut source = err.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
    ExitCode::FAILURE
}
