//! `switchboard gridmap import FILE...` and `export SLUG`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use switchboard_gridmap::{sync, text::MapFile};

use super::call::{CallProtocol, client};

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

pub(crate) async fn run(command: GridmapCommand) -> ExitCode {
    match command {
        GridmapCommand::Import { files, url, token } => {
            import(&files, &url, token.as_deref()).await
        }
        GridmapCommand::Export {
            slug,
            output,
            url,
            token,
        } => export(&slug, output, &url, token.as_deref()).await,
    }
}

async fn import(files: &[PathBuf], url: &str, token: Option<&str>) -> ExitCode {
    let client = match client(url, CallProtocol::Jsonrpc, token) {
        Ok(client) => client,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let mut status = ExitCode::SUCCESS;
    for path in files {
        let text = match tokio::fs::read_to_string(path).await {
            Ok(text) => text,
            Err(err) => {
                status = super::fail(&format!("cannot read {}", path.display()), &err);
                continue;
            }
        };
        let file = match MapFile::parse(&text) {
            Ok(file) => file,
            Err(err) => {
                status = super::fail(&format!("{} is not a map file", path.display()), &err);
                continue;
            }
        };
        match sync::import(&client, &file).await {
            Ok(summary) => println!("{} -> {}", path.display(), summary.slug),
            Err(err) => status = super::fail(&format!("cannot import {}", path.display()), &err),
        }
    }
    status
}

async fn export(slug: &str, output: Option<PathBuf>, url: &str, token: Option<&str>) -> ExitCode {
    let client = match client(url, CallProtocol::Jsonrpc, token) {
        Ok(client) => client,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let file = match sync::export(&client, slug).await {
        Ok(file) => file,
        Err(err) => return super::fail(&format!("cannot export `{slug}`"), &err),
    };
    let text = file.to_text();
    match output {
        None => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Some(path) => match tokio::fs::write(&path, text).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => super::fail(&format!("cannot write {}", path.display()), &err),
        },
    }
}
