//! [`ToolFailure`]: how the gridmap and stats tools fail beyond what the
//! host's [`CommandError`] says, each with its exit status.

use std::path::PathBuf;

use switchboard::TransportError;
use switchboard_gridmap::MapFileError;
use switchboard_gridmap::sync::ExportError;
use switchboard_host::tools::{CommandError, Exit, ToolError, call_exit, queue_exit};
use switchboard_sqlite_queue::QueueError;

/// Why a gridmap or stats tool failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ToolFailure {
    /// A map could not be exported.
    #[error("cannot export `{slug}`")]
    Export {
        /// The map asked for.
        slug: String,
        /// Why.
        #[source]
        source: ExportError,
    },
    /// `export --all` cannot make its directory.
    #[error("cannot write map files into {}", dir.display())]
    ExportDir {
        /// The directory.
        dir: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A directory given to import holds no `*.txt` file.
    #[error("{} holds no map file (*.txt)", .0.display())]
    NoMapFiles(PathBuf),
    /// A file given to import is not a map file.
    #[error("{} is not a map file", path.display())]
    MapFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: MapFileError,
    },
    /// A stats tool failed.
    #[error("{context}")]
    Stats {
        /// What was being done.
        context: String,
        /// Why it failed (boxed: broker and queue errors are large).
        #[source]
        source: Box<switchboard_stats::ClientError>,
    },
    /// A stats worker stopped with an error.
    #[error("the stats worker stopped")]
    StatsWorker(#[source] Box<switchboard_stats::WorkerError>),
}

impl ToolFailure {
    /// A failed stats tool, with `context`.
    pub(crate) fn stats(
        context: impl Into<String>,
    ) -> impl FnOnce(switchboard_stats::ClientError) -> CommandError {
        let context = context.into();
        move |source| {
            Self::Stats {
                context,
                source: Box::new(source),
            }
            .into()
        }
    }
}

impl From<switchboard_stats::WorkerError> for ToolFailure {
    fn from(err: switchboard_stats::WorkerError) -> Self {
        Self::StatsWorker(Box::new(err))
    }
}

impl ToolError for ToolFailure {
    fn exit(&self) -> Exit {
        match self {
            Self::MapFile { .. } | Self::NoMapFiles(_) => Exit::Failed,
            Self::ExportDir { .. } => Exit::Local,
            Self::Export { source, .. } => match source {
                ExportError::Call(call) => call_exit(call),
                _ => Exit::Failed,
            },
            Self::Stats { source, .. } => stats_exit(source),
            Self::StatsWorker(source) => worker_exit(source),
        }
    }
}

/// A queue file's failure as the queue tools say it; a broker's,
/// unreachable; the application not serving stats, a failure. (A worker
/// that could not bind its queue fails as a transport that cannot be
/// opened: `CommandError::Connect`.)
fn worker_exit(err: &switchboard_stats::WorkerError) -> Exit {
    use switchboard_stats::WorkerError;
    match err {
        WorkerError::Transport(TransportError::Io(cause)) => {
            match cause.downcast_ref::<QueueError>() {
                Some(queue) => queue_exit(queue),
                None => Exit::Unreachable,
            }
        }
        WorkerError::Transport(_) => Exit::Unreachable,
        _ => Exit::Failed,
    }
}

/// The API or the broker not reached, or no statistics in time: 3; the
/// API refusing, statistics not ready without `--wait`: 1.
fn stats_exit(err: &switchboard_stats::ClientError) -> Exit {
    use switchboard_stats::ClientError;
    match err {
        ClientError::Api(_) | ClientError::Backend(_) | ClientError::Timeout(_) => {
            Exit::Unreachable
        }
        _ => Exit::Failed,
    }
}

#[cfg(test)]
mod tests {
    use switchboard::{CallError, TransportError};

    use super::*;

    #[test]
    fn each_kind_of_failure_has_its_exit_code() {
        let export = ToolFailure::Export {
            slug: "x".into(),
            source: ExportError::Call(CallError::Transport(TransportError::Timeout)),
        };
        assert_eq!(export.exit(), Exit::Unreachable);
        let err: CommandError = export.into();
        assert_eq!(err.exit(), Exit::Unreachable);
        let dir = ToolFailure::ExportDir {
            dir: "out".into(),
            source: std::io::Error::other("read-only file system"),
        };
        assert_eq!(dir.exit(), Exit::Local);
        assert_eq!(ToolFailure::NoMapFiles("maps".into()).exit(), Exit::Failed);
    }

    #[test]
    fn a_stopped_worker_exits_as_its_transport_failed() {
        let worker =
            |err: TransportError| ToolFailure::from(switchboard_stats::WorkerError::from(err));
        let locked = QueueError::Busy {
            waited: std::time::Duration::from_secs(5),
        };
        let unreadable = QueueError::Spawn(std::io::Error::other("no threads left"));
        assert_eq!(worker(locked.into()).exit(), Exit::Unreachable);
        assert_eq!(worker(unreadable.into()).exit(), Exit::Local);
        assert_eq!(worker(TransportError::Closed).exit(), Exit::Unreachable);
    }
}
