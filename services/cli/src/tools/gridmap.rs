//! `switchboard gridmap import FILE...` and `export SLUG`.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use switchboard::Client;
use switchboard_gridmap::{sync, text::MapFile};
use switchboard_host::HostInfo;
use switchboard_host::catalog::protocols;
use switchboard_host::tools::{self, CommandError, Exit};

use super::error::ToolFailure;

/// The protocol the gridmap tools call in.
const PROTOCOL: &str = "jsonrpc";

/// The gridmap tools.
#[derive(Debug, Subcommand)]
pub(crate) enum GridmapCommand {
    /// Create or update maps on the server from map text files (one-way sync).
    Import {
        /// Map files: a name line, rows of `.`/`#`/letters, then `letter,Name,range` lines.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The server's base URL.
        #[arg(long, env = "SWITCHBOARD_URL", default_value = "http://127.0.0.1:8080")]
        url: String,
        /// Send `Authorization: Bearer <token>`.
        #[arg(long, env = "SWITCHBOARD_AUTH_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
    /// Print a map in the map text format (or write it to a file).
    Export {
        /// The map's slug.
        slug: String,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// The server's base URL.
        #[arg(long, env = "SWITCHBOARD_URL", default_value = "http://127.0.0.1:8080")]
        url: String,
        /// Send `Authorization: Bearer <token>`.
        #[arg(long, env = "SWITCHBOARD_AUTH_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
}

/// Runs a gridmap tool.
pub(crate) async fn run(command: GridmapCommand, host: &HostInfo) -> Result<Exit, CommandError> {
    match command {
        GridmapCommand::Import { files, url, token } => {
            let client =
                tools::client_at(host, &url, protocols::named(PROTOCOL)?, token.as_deref()).await?;
            Ok(import_all(&client, &files).await)
        }
        GridmapCommand::Export {
            slug,
            output,
            url,
            token,
        } => {
            let client =
                tools::client_at(host, &url, protocols::named(PROTOCOL)?, token.as_deref()).await?;
            export(&client, &slug, output).await.map(|()| Exit::Success)
        }
    }
}

/// Imports each file, reporting those that fail and going on with the
/// next; the exit code is the last failure's (success if none failed).
async fn import_all(client: &Client, files: &[PathBuf]) -> Exit {
    let mut exit = Exit::Success;
    for path in files {
        match import(client, path).await {
            Ok(slug) => println!("{} -> {slug}", path.display()),
            Err(err) => {
                tools::report(&err);
                exit = err.exit();
            }
        }
    }
    exit
}

/// Imports one map file; returns the map's slug.
async fn import(client: &Client, path: &Path) -> Result<String, CommandError> {
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(|source| CommandError::File {
            action: "read",
            path: path.to_owned(),
            source,
        })?;
    let file = MapFile::parse(&text).map_err(|source| ToolFailure::MapFile {
        path: path.to_owned(),
        source,
    })?;
    let summary = sync::import(client, &file)
        .await
        .map_err(|source| CommandError::Call {
            context: format!("cannot import {}", path.display()),
            source,
        })?;
    Ok(summary.slug)
}

/// Prints map `slug` in the map text format, or writes it to `output`.
async fn export(client: &Client, slug: &str, output: Option<PathBuf>) -> Result<(), CommandError> {
    let file = sync::export(client, slug)
        .await
        .map_err(|source| ToolFailure::Export {
            slug: slug.to_owned(),
            source,
        })?;
    let text = file.to_text();
    match output {
        None => print!("{text}"),
        Some(path) => {
            tokio::fs::write(&path, text)
                .await
                .map_err(|source| CommandError::File {
                    action: "write",
                    path,
                    source,
                })?;
        }
    }
    Ok(())
}
