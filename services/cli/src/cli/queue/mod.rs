//! The SQLite queue commands: `consume` (run a consumer), `enqueue` (put a
//! call in) and `queue status|failures|retry|gc` (operate on the file).
//! Producer and consumers must agree on the protocol: both JSON formats are
//! `application/json`, so a mismatch shows up as malformed-task failures.

mod admin;
mod consume;
mod enqueue;
mod progress;
mod table;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use switchboard::{ClientProtocol, InProtocol, OutProtocol};
use switchboard_json::{JsonDocument, JsonRpc};

pub(crate) use admin::QueueCommand;
pub(crate) use consume::ConsumeArgs;
pub(crate) use enqueue::EnqueueArgs;
pub(crate) use {
    admin::run as run_admin, consume::run as run_consume, enqueue::run as run_enqueue,
};

/// The queue file option shared by every queue command.
#[derive(Debug, Args)]
pub(crate) struct QueueFile {
    /// The SQLite queue file (WAL mode; `-wal` and `-shm` files sit beside it).
    #[arg(
        long = "queue",
        value_name = "FILE",
        env = "SWITCHBOARD_QUEUE",
        default_value = "switchboard-queue.db"
    )]
    path: PathBuf,
}

impl QueueFile {
    /// The path as given.
    fn path(&self) -> &Path {
        &self.path
    }

    /// The path, or an error saying how to create the file if it is missing
    /// (opening it would create an empty queue, which hides a typo).
    fn existing(&self) -> Result<&Path, String> {
        if self.path.exists() {
            return Ok(&self.path);
        }
        let shown = self.path.display();
        Err(format!(
            "no queue file at {shown}; it is created by the first \
             `switchboard enqueue METHOD name=value... --queue {shown}` \
             or `switchboard consume --queue {shown} --worker ID`"
        ))
    }
}

/// The wire format of the tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum QueueProtocol {
    /// The JSON document: the task holds the bare params, the queue row
    /// names the method.
    Json,
    /// JSON-RPC 2.0: the task holds a whole notification (no `id`).
    Jsonrpc,
}

impl QueueProtocol {
    /// The name used on the command line.
    fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Jsonrpc => "jsonrpc",
        }
    }

    /// The encoder producers use.
    fn client(self) -> Arc<dyn ClientProtocol> {
        match self {
            Self::Json => Arc::new(JsonDocument),
            Self::Jsonrpc => Arc::new(JsonRpc),
        }
    }

    /// The decoder and encoder consumers use.
    fn server(self) -> (Arc<dyn InProtocol>, Arc<dyn OutProtocol>) {
        match self {
            Self::Json => (Arc::new(JsonDocument), Arc::new(JsonDocument)),
            Self::Jsonrpc => (Arc::new(JsonRpc), Arc::new(JsonRpc)),
        }
    }
}

/// Prints `message` as an error and returns the failure exit code.
fn refuse(message: &str) -> std::process::ExitCode {
    eprintln!("error: {message}");
    std::process::ExitCode::FAILURE
}
