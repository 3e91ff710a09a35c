//! The SQLite queue commands: `consume` (run a consumer), `enqueue` (put a
//! call in) and `queue status|failures|retry|gc` (operate on the file).
//! Producer and consumers must agree on the protocol (any callable one of
//! the catalog): both JSON formats are `application/json`, so a mismatch
//! shows up as malformed-task failures.

mod admin;
mod consume;
mod enqueue;
mod progress;
mod table;

use std::path::{Path, PathBuf};

use clap::Args;

use crate::tools::CommandError;

pub(crate) use admin::QueueArgs;
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
        default_value = "switchboard-queue.db",
        global = true
    )]
    path: PathBuf,
}

impl QueueFile {
    /// The path as given.
    fn path(&self) -> &Path {
        &self.path
    }

    /// The path, or [`CommandError::NoQueueFile`] (which says how to create
    /// it) if the file is missing: opening it would create an empty queue,
    /// which hides a typo.
    fn existing(&self, host: &str) -> Result<&Path, CommandError> {
        if self.path.exists() {
            Ok(&self.path)
        } else {
            Err(CommandError::NoQueueFile {
                path: self.path.clone(),
                host: host.to_owned(),
            })
        }
    }
}
