//! `switchboard gridmap import` and `export`: map text files to and from a
//! running server, through typed calls in JSON-RPC. One module per
//! subcommand; what they share (where the server is) is here.

mod export;
mod import;

use clap::{Args, Subcommand};
use switchboard::Client;
use switchboard_host::HostInfo;
use switchboard_host::catalog::protocols;
use switchboard_host::tools::{self, CommandError, Exit};

/// The protocol the gridmap tools call in.
const PROTOCOL: &str = "jsonrpc";

/// The gridmap tools.
#[derive(Debug, Subcommand)]
pub(crate) enum GridmapCommand {
    /// Create or update maps on the server from map text files (one-way
    /// sync): only what differs is written.
    Import(import::ImportArgs),
    /// Print a map in the map text format, write it to a file, or write
    /// every map into a directory.
    Export(export::ExportArgs),
}

/// Where the server is, and the token to send it.
#[derive(Debug, Args)]
pub(crate) struct ServerArgs {
    /// The server's base URL.
    #[arg(long, env = "SWITCHBOARD_URL", default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Send `Authorization: Bearer <token>`.
    #[arg(long, env = "SWITCHBOARD_AUTH_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

impl ServerArgs {
    /// A client of the server, in [`PROTOCOL`].
    async fn client(&self, host: &HostInfo) -> Result<Client, CommandError> {
        let protocol = protocols::named(PROTOCOL)?;
        tools::client_at(host, &self.url, protocol, self.token.as_deref()).await
    }
}

/// Runs a gridmap tool.
pub(crate) async fn run(command: GridmapCommand, host: &HostInfo) -> Result<Exit, CommandError> {
    match command {
        GridmapCommand::Import(args) => import::run(args, host).await,
        GridmapCommand::Export(args) => export::run(args, host).await,
    }
}

/// Reports `result`'s failure, if any, and keeps its exit status in `exit`:
/// the tools go on with the next file or map, and exit with the last
/// failure's status.
fn note(exit: &mut Exit, result: Result<(), CommandError>) {
    if let Err(err) = result {
        tools::report(&err);
        *exit = err.exit();
    }
}
