//! [`CommandError`]: everything a command can fail with, and the one place
//! it becomes a message on standard error and an exit code ([`report`]).
//! A host's own commands fail with their own errors through
//! [`CommandError::Tool`], saying their exit status by [`ToolError`].

use std::error::Error as _;
use std::path::PathBuf;
use std::process::ExitCode;

use switchboard::catalog::BindError;
use switchboard::protocol::ProtocolError;
use switchboard::signing::SecretError;
use switchboard::{CallError, Fault, TransportError};
use switchboard_http::HttpClientError;
use switchboard_sqlite_queue::QueueError;

use super::exit::Exit;
use crate::catalog::CatalogError;
use crate::hosting::{HostError, ServeError};

/// An error of a host's own command, which says its exit status.
pub trait ToolError: std::error::Error + Send + Sync + 'static {
    /// The exit status: see [`Exit`].
    fn exit(&self) -> Exit;
}

/// Why a command failed. Each variant keeps its cause as `source`, which
/// [`report`] prints after the message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
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
         `{host} enqueue METHOD name=value... --queue {shown}` \
         or `{host} consume --queue {shown} --worker ID`",
        shown = .path.display()
    )]
    NoQueueFile {
        /// The file.
        path: PathBuf,
        /// The host's name, for the commands that create it.
        host: String,
    },
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
    /// A secret file (`--secret-file`) could not be read, or holds no
    /// valid secret. The message names the file and the line, never the
    /// secret.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The SIGINT and SIGTERM handlers could not be installed.
    #[error("cannot listen for shutdown signals")]
    Signals(#[source] std::io::Error),
    /// The async runtime could not be started.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    /// A client transport could not be opened from its address.
    #[error("cannot open {address}")]
    Connect {
        /// The address, password masked.
        address: String,
        /// Why.
        #[source]
        source: BindError,
    },
    /// `restart` could not start the command again.
    #[error("cannot start this command again")]
    Restart(#[source] std::io::Error),
    /// The status bus failed (it could not be followed or published on).
    #[error("{context}")]
    StatusBus {
        /// What was being done.
        context: String,
        /// Why.
        #[source]
        source: TransportError,
    },
    /// A control command was refused.
    #[error("{0}")]
    Control(String),
    /// A control command's target did not answer in time, or none was
    /// found.
    #[error("{0}")]
    NoAnswer(String),
    /// A host's own command failed (its causes are reported as its own).
    #[error("{0}")]
    Tool(Box<dyn ToolError>),
}

impl<T: ToolError> From<T> for CommandError {
    fn from(err: T) -> Self {
        Self::Tool(Box::new(err))
    }
}

impl CommandError {
    /// A failed call: the server's fault as itself, anything else with
    /// `context`.
    pub fn call(context: impl Into<String>, err: CallError) -> Self {
        match err {
            CallError::Fault(fault) => Self::Fault(fault),
            source => Self::Call {
                context: context.into(),
                source,
            },
        }
    }

    /// A failed queue operation, with `context`.
    pub fn queue(context: impl Into<String>) -> impl FnOnce(QueueError) -> Self {
        let context = context.into();
        move |source| Self::Queue { context, source }
    }

    /// The exit code: see [`Exit`] for the table.
    pub fn exit(&self) -> Exit {
        match self {
            Self::Usage(_) | Self::Catalog(_) | Self::Unfit(_) => Exit::Usage,
            Self::Fault(_) | Self::Encode(_) => Exit::Failed,
            Self::Call { source, .. } => call_exit(source),
            Self::Queue { source, .. } => queue_exit(source),
            Self::Host(HostError::Setup { .. }) => Exit::Local,
            Self::Host(_) => Exit::Failed,
            Self::Serve(ServeError::Bind { source, .. }) | Self::Connect { source, .. } => {
                bind_exit(source)
            }
            Self::Serve(ServeError::Stopped { source, .. }) => match source {
                TransportError::Io(_) => Exit::Local,
                _ => Exit::Unreachable,
            },
            Self::Tool(tool) => tool.exit(),
            Self::StatusBus { .. } | Self::NoAnswer(_) => Exit::Unreachable,
            Self::Control(_) => Exit::Failed,
            Self::Secret(SecretError::Read { .. }) => Exit::Local,
            Self::Secret(_) => Exit::Usage,
            Self::Restart(_)
            | Self::NoQueueFile { .. }
            | Self::HttpClient(_)
            | Self::File { .. }
            | Self::Signals(_)
            | Self::Runtime(_) => Exit::Local,
        }
    }
}

/// An address that is wrong, or asks what its transport cannot do, is a
/// usage error; a local resource, local; a peer not reached, unreachable.
fn bind_exit(err: &BindError) -> Exit {
    match err {
        BindError::Address(_) | BindError::Unsupported { .. } => Exit::Usage,
        BindError::Local { .. } => Exit::Local,
        BindError::Unreachable { .. } => Exit::Unreachable,
        _ => Exit::Failed,
    }
}

/// A fault is the operation failing; a transport error, the server not
/// reached (or not in time); a reply that cannot be read, a failure.
pub fn call_exit(err: &CallError) -> Exit {
    match err {
        CallError::Transport(TransportError::NoReplies { .. }) => Exit::Usage,
        CallError::Transport(_) => Exit::Unreachable,
        _ => Exit::Failed,
    }
}

/// A locked file is the queue not answering in time; a file SQLite cannot
/// read or write, or a thread that cannot start, a local failure; the
/// rest (a halt, a task not found), the operation failing.
pub fn queue_exit(err: &QueueError) -> Exit {
    match err {
        QueueError::Busy { .. } => Exit::Unreachable,
        QueueError::Sqlite(_) | QueueError::SchemaTooNew { .. } | QueueError::Spawn(_) => {
            Exit::Local
        }
        _ => Exit::Failed,
    }
}

/// Prints `err` on standard error and returns its exit code. A fault is
/// printed as `code: message` (and its detail); a usage error as clap
/// words it; anything else as `error: <what>: <cause>`, then one
/// `  caused by: ...` line per deeper cause.
pub fn report(err: &CommandError) -> ExitCode {
    match err {
        CommandError::Usage(usage) => {
            // Nothing better to do if standard error is closed.
            let _ = usage.print();
        }
        CommandError::Fault(fault) => {
            eprintln!("{}: {}", fault.code(), fault.message());
            if let Some(detail) = fault.detail() {
                eprintln!("detail: {detail}");
            }
        }
        _ => {
            let mut source = match err {
                CommandError::Tool(tool) => tool.source(),
                _ => err.source(),
            };
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
            (
                CommandError::call("c", CallError::Fault(fault())),
                Exit::Failed,
            ),
            (CommandError::call("c", refused), Exit::Unreachable),
            (CommandError::call("c", timeout), Exit::Unreachable),
            (
                CommandError::Call {
                    context: "cannot import x".into(),
                    source: CallError::Fault(fault()),
                },
                Exit::Failed,
            ),
            (
                CommandError::queue("q")(QueueError::Halted {
                    task_id: 2,
                    code: "Client".into(),
                }),
                Exit::Failed,
            ),
            (
                CommandError::queue("q")(QueueError::NoSuchTask(9)),
                Exit::Failed,
            ),
            (
                CommandError::queue("q")(QueueError::Busy {
                    waited: std::time::Duration::from_secs(5),
                }),
                Exit::Unreachable,
            ),
            (
                CommandError::NoQueueFile {
                    path: "q.db".into(),
                    host: "h".into(),
                },
                Exit::Local,
            ),
            (
                CommandError::Serve(ServeError::Bind {
                    address: "http://127.0.0.1:80".into(),
                    source: BindError::Local {
                        action: "listen on",
                        target: "127.0.0.1:80".into(),
                        source: Box::new(io()),
                    },
                }),
                Exit::Local,
            ),
            (
                CommandError::Serve(ServeError::Bind {
                    address: "nats://h".into(),
                    source: BindError::Address(switchboard::catalog::AddressError::NoScheme(
                        "x".into(),
                    )),
                }),
                Exit::Usage,
            ),
            (
                CommandError::Host(HostError::Setup {
                    service: "gridmap".into(),
                    source: Box::new(io()),
                }),
                Exit::Local,
            ),
            (
                CommandError::Catalog(CatalogError::NoClient("rest")),
                Exit::Usage,
            ),
            (CommandError::Runtime(io()), Exit::Local),
            (CommandError::Signals(io()), Exit::Local),
            (
                CommandError::Secret(SecretError::Read {
                    path: "secret".into(),
                    source: io(),
                }),
                Exit::Local,
            ),
            (
                CommandError::Secret(SecretError::Empty {
                    path: "secret".into(),
                }),
                Exit::Usage,
            ),
        ];
        for (err, exit) in cases {
            assert_eq!(err.exit(), exit, "{err:?}");
        }
    }

    #[test]
    fn a_clap_error_is_a_usage_error() {
        let usage = clap::Error::new(clap::error::ErrorKind::InvalidValue);
        assert_eq!(CommandError::Usage(usage).exit().code(), 2);
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
