//! The exit statuses of a host's commands: one table, shown at the
//! end of `--help`. Which error gets which code is decided in one place
//! too, [`CommandError::exit`](super::error::CommandError::exit).

use std::process::ExitCode;

/// An exit status of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: the command did what it was asked.
    Success,
    /// 1: the operation failed: the server answered with a fault, a task
    /// failed or halted the consumer, an import failed.
    Failed,
    /// 2: the command line is wrong: an unknown flag, a bad value, a bad
    /// `name=value`, an empty method name, an unknown service or protocol.
    Usage,
    /// 3: the server or queue could not be reached or did not answer in
    /// time: a refused connection, a timeout, a transport error.
    Unreachable,
    /// 4: a local resource failed: a file or database could not be opened
    /// or written, the listen address could not be bound, the runtime
    /// could not start.
    Local,
}

impl Exit {
    /// Every code, in order.
    pub const ALL: [Self; 5] = [
        Self::Success,
        Self::Failed,
        Self::Usage,
        Self::Unreachable,
        Self::Local,
    ];

    /// The number the process exits with.
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Failed => 1,
            Self::Usage => 2,
            Self::Unreachable => 3,
            Self::Local => 4,
        }
    }

    /// What the code means, for `--help`.
    fn meaning(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failed => {
                "the operation failed: the server answered with a fault, a task \
                 failed or halted the consumer, an import failed"
            }
            Self::Usage => {
                "usage error: an unknown flag, a bad value, a bad name=value, an \
                 empty method name, an unknown service or protocol"
            }
            Self::Unreachable => {
                "the server or queue could not be reached or did not answer in time \
                 (connection refused, timeout, transport error)"
            }
            Self::Local => {
                "a local resource failed: a file or database could not be opened \
                 or written, the listen address could not be bound, the runtime \
                 could not start"
            }
        }
    }

    /// The table at the end of `--help`.
    pub fn help() -> String {
        let mut text = String::from("Exit status:\n");
        for exit in Self::ALL {
            text.push_str(&format!("  {}  {}\n", exit.code(), exit.meaning()));
        }
        text
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        Self::from(exit.code())
    }
}
