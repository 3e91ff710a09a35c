//! [`CliError`]: everything a command can fail with, and the one place it
//! becomes a message on standard error and an exit code ([`report`]).

use std::error::Error as _;
use std::path::PathBuf;
use std::process::ExitCode;

use switchboard::protocol::ProtocolError;
use switchboard::{CallError, Fault, TransportError};
use switchboard_cli::catalog::CatalogError;
use switchboard_cli::hosting::{HostError, ServeError};
use switchboard_gridmap::MapFileError;
use switchboard_gridmap::sync::ExportError;
use switchboard_http::HttpClientError;
use switchboard_sqlite_queue::QueueError;

use super::exit::Exit;

/// Why a command failed. Each variant keeps its cause as `source`, which
/// [`report`] prints after the message.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// The command line is wrong; clap's own message says how.
    #[error("invalid command line")]
    Usage(#[source] clap::Error),
    /// The server answered the call with a fault.
    #[error("{}: {}", .0.code(), .0.message())]
    Fault(Fault),
    /// A call was checked against its method before it was sent, and does
    /// not fit: an unknown method, or parameters it would refuse.
    #[error("{0}")]
    Unfit(String),
    /// A call did not complete, or failed inside a larger operation.
    #[error("{context}")]
    Call {
        /// What was being done.
        context: String,
        /// Why it failed.
        #[source]
        source: CallError,
    },
    /// A map could not be exported.
    #[error("cannot export `{slug}`")]
    Export {
        /// The map asked for.
        slug: String,
        /// Why.
        #[source]
        source: ExportError,
    },
    /// A file given to import is not a map file.
    #[error("{} is not a map file", path.display())]
    MapFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: MapFileError,
    },
    /// A queue operation failed.
    #[error("{context}")]
    Queue {
        /// What was being done.
        context: String,
        /// Why it failed.
        #[source]
        source: QueueError,
    },
    /// The queue file does not exist (opening it would create an empty
    /// queue, which hides a typo).
    #[error(
        "no queue file at {shown}; it is created by the first \
         `switchboard enqueue METHOD name=value... --queue {shown}` \
         or `switchboard consume --queue {shown} --worker ID`",
        shown = .0.display()
    )]
    NoQueueFile(PathBuf),
    /// The services could not be set up.
    #[error(transparent)]
    Host(#[from] HostError),
    /// A transport of `serve` could not start, or stopped with an error.
    #[error(transparent)]
    Serve(#[from] ServeError),
    /// A name is not in a catalog, or its protocol cannot be called.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The HTTP client could not be set up.
    #[error("cannot set up the HTTP client")]
    HttpClient(#[source] HttpClientError),
    /// The call could not be encoded.
    #[error("cannot encode the call")]
    Encode(#[source] ProtocolError),
    /// A local file could not be read or written.
    #[error("cannot {action} {}", path.display())]
    File {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
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
    /// The SIGINT and SIGTERM handlers could not be installed.
    #[error("cannot listen for shutdown signals")]
    Signals(#[source] std::io::Error),
    /// The async runtime could not be started.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
}

impl CliError {
    /// A failed call: the server's fault as itself, anything else with
    /// `context`.
    pub(crate) fn call(context: impl Into<String>, err: CallError) -> Self {
        match err {
            CallError::Fault(fault) => Self::Fault(fault),
            source => Self::Call {
                context: context.into(),
                source,
            },
        }
    }

    /// A failed stats tool, with `context`.
    pub(crate) fn stats(
        context: impl Into<String>,
    ) -> impl FnOnce(switchboard_stats::ClientError) -> Self {
        let context = context.into();
        move |source| Self::Stats {
            context,
            source: Box::new(source),
        }
    }

    /// A failed queue operation, with `context`.
    pub(crate) fn queue(context: impl Into<String>) -> impl FnOnce(QueueError) -> Self {
        let context = context.into();
        move |source| Self::Queue { context, source }
    }

    /// The exit code: see [`Exit`] for the table.
    pub(crate) fn exit(&self) -> Exit {
        match self {
            Self::Usage(_) | Self::Catalog(_) | Self::Unfit(_) => Exit::Usage,
            Self::Fault(_) | Self::MapFile { .. } | Self::Encode(_) => Exit::Failed,
            Self::Call { source, .. } => call_exit(source),
            Self::Export { source, .. } => match source {
                ExportError::Call(call) => call_exit(call),
                _ => Exit::Failed,
            },
            Self::Queue { source, .. } => queue_exit(source),
            Self::Host(HostError::Setup { .. }) => Exit::Local,
            Self::Host(_) => Exit::Failed,
            Self::Serve(ServeError::Bind { .. }) => Exit::Local,
            Self::Serve(ServeError::Stopped { source, .. }) => match source {
                TransportError::Io(_) => Exit::Local,
                _ => Exit::Unreachable,
            },
            Self::Serve(_) => Exit::Failed,
            Self::Stats { source, .. } => stats_exit(source),
            Self::StatsWorker(source) => match source.as_ref() {
                switchboard_stats::WorkerError::Queue(queue) => queue_exit(queue),
                switchboard_stats::WorkerError::Transport(_) => Exit::Unreachable,
                _ => Exit::Failed,
            },
            Self::NoQueueFile(_)
            | Self::HttpClient(_)
            | Self::File { .. }
            | Self::Signals(_)
            | Self::Runtime(_) => Exit::Local,
        }
    }
}

/// A fault is the operation failing; a transport error, the server not
/// reached (or not in time); a reply that cannot be read, a failure.
fn call_exit(err: &CallError) -> Exit {
    match err {
        CallError::Transport(TransportError::NoReplies { .. }) => Exit::Usage,
        CallError::Transport(_) => Exit::Unreachable,
        _ => Exit::Failed,
    }
}

/// A locked file is the queue not answering in time; a file SQLite cannot
/// read or write, or a thread that cannot start, a local failure; the
/// rest (a halt, a task not found), the operation failing.
fn queue_exit(err: &QueueError) -> Exit {
    match err {
        QueueError::Busy { .. } => Exit::Unreachable,
        QueueError::Sqlite(_) | QueueError::SchemaTooNew { .. } | QueueError::Spawn(_) => {
            Exit::Local
        }
        _ => Exit::Failed,
    }
}

impl From<switchboard_stats::WorkerError> for CliError {
    fn from(err: switchboard_stats::WorkerError) -> Self {
        Self::StatsWorker(Box::new(err))
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

/// Prints `err` on standard error and returns its exit code. A fault is
/// printed as `code: message` (and its detail); a usage error as clap
/// words it; anything else as `error: <what>: <cause>`, then one
/// `  caused by: ...` line per deeper cause.
pub(crate) fn report(err: &CliError) -> ExitCode {
    match err {
        CliError::Usage(usage) => {
            // Nothing better to do if standard error is closed.
            let _ = usage.print();
        }
        CliError::Fault(fault) => {
            eprintln!("{}: {}", fault.code(), fault.message());
            if let Some(detail) = fault.detail() {
                eprintln!("detail: {detail}");
            }
        }
        _ => {
            let mut source = err.source();
            match source {
                Some(cause) => eprintln!("error: {err}: {cause}"),
                None => eprintln!("error: {err}"),
            }
            source = source.and_then(|cause| cause.source());
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
        }
    }
    err.exit().into()
}

#[cfg(test)]
mod tests {
    use switchboard_sqlite_queue::QueueError;

    use super::*;

    fn io() -> std::io::Error {
        std::io::Error::other("boom")
    }

    #[test]
    fn each_kind_of_failure_has_its_exit_code() {
        let refused = CallError::Transport(TransportError::Connect(Box::new(io())));
        let timeout = CallError::Transport(TransportError::Timeout);
        let fault = || Fault::new("Client.NotFound", "no map");
        let cases = [
            (CliError::call("c", CallError::Fault(fault())), Exit::Failed),
            (CliError::call("c", refused), Exit::Unreachable),
            (CliError::call("c", timeout), Exit::Unreachable),
            (
                CliError::Call {
                    context: "cannot import x".into(),
                    source: CallError::Fault(fault()),
                },
                Exit::Failed,
            ),
            (
                CliError::Export {
                    slug: "x".into(),
                    source: ExportError::Call(CallError::Transport(TransportError::Timeout)),
                },
                Exit::Unreachable,
            ),
            (
                CliError::queue("q")(QueueError::Halted {
                    task_id: 2,
                    code: "Client".into(),
                }),
                Exit::Failed,
            ),
            (
                CliError::queue("q")(QueueError::NoSuchTask(9)),
                Exit::Failed,
            ),
            (
                CliError::queue("q")(QueueError::Busy {
                    waited: std::time::Duration::from_secs(5),
                }),
                Exit::Unreachable,
            ),
            (CliError::NoQueueFile("q.db".into()), Exit::Local),
            (
                CliError::Serve(ServeError::Bind {
                    addr: ([127, 0, 0, 1], 80).into(),
                    source: io(),
                }),
                Exit::Local,
            ),
            (
                CliError::Host(HostError::Setup {
                    service: "gridmap",
                    source: Box::new(io()),
                }),
                Exit::Local,
            ),
            (
                CliError::Catalog(CatalogError::NoClient("rest")),
                Exit::Usage,
            ),
            (CliError::Runtime(io()), Exit::Local),
            (CliError::Signals(io()), Exit::Local),
        ];
        for (err, exit) in cases {
            assert_eq!(err.exit(), exit, "{err:?}");
        }
    }

    #[test]
    fn a_clap_error_is_a_usage_error() {
        let usage = clap::Error::new(clap::error::ErrorKind::InvalidValue);
        assert_eq!(CliError::Usage(usage).exit().code(), 2);
    }

    #[test]
    fn the_help_table_lists_every_code() {
        let help = Exit::help();
        for (exit, code) in Exit::ALL.into_iter().zip(0..) {
            assert_eq!(exit.code(), code);
            assert!(help.contains(&format!("\n  {code}  ")), "{help}");
        }
    }
}
