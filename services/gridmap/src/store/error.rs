//! [`StoreError`], and the one place it becomes a [`Fault`].

use std::path::PathBuf;

use rusqlite::ErrorCode;
use switchboard::Fault;

/// Why a store operation failed: a rule refused it, or the database did.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The map, observer or obstacle asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The change clashes with what is stored (a taken slug or cell, a map
    /// too small for its contents).
    #[error("{0}")]
    Conflict(String),
    /// The change is invalid whatever is stored (a cell off the grid).
    #[error("{0}")]
    Invalid(String),
    /// The database file could not be opened or prepared.
    #[error("cannot open the map database `{}`", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The database's schema version is not one this build knows (a newer
    /// build wrote it).
    #[error("the map database has schema version {found}; this build knows 0 to {known}")]
    UnknownSchema {
        /// The file's `user_version`.
        found: i64,
        /// The newest version this build can migrate to.
        known: i64,
    },
    /// A query failed.
    #[error("map database query failed")]
    Sqlite(#[from] rusqlite::Error),
    /// An earlier operation panicked while it held the connection.
    #[error("the map database connection was poisoned by a panic")]
    Poisoned,
    /// The blocking task running an operation failed.
    #[error("a map database task failed")]
    Task(#[from] tokio::task::JoinError),
}

impl From<StoreError> for Fault {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(message) => Fault::not_found(message),
            StoreError::Conflict(message) => Fault::conflict(message),
            StoreError::Invalid(message) => Fault::validation(message),
            // The operations check the rules first; this is their backstop.
            StoreError::Sqlite(ref source) if is_constraint(source) => {
                tracing::warn!(error = ?err, "constraint violation past the rule checks");
                Fault::conflict("the change conflicts with stored data")
            }
            other => {
                tracing::error!(error = %other, cause = ?other, "map store failed");
                Fault::server("internal error")
            }
        }
    }
}

/// Whether SQLite refused a write for a UNIQUE, CHECK or FOREIGN KEY
/// constraint.
pub(crate) fn is_constraint(err: &rusqlite::Error) -> bool {
    err.sqlite_error_code() == Some(ErrorCode::ConstraintViolation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_errors_keep_their_message_and_others_say_nothing() {
        let fault = Fault::from(StoreError::Conflict("map `m` exists".into()));
        assert_eq!(
            (fault.code(), fault.message()),
            ("Client.Conflict", "map `m` exists")
        );
        assert_eq!(
            Fault::from(StoreError::NotFound("x".into())).code(),
            "Client.NotFound"
        );
        assert_eq!(
            Fault::from(StoreError::Invalid("x".into())).code(),
            "Client.Validation"
        );
        let fault = Fault::from(StoreError::Poisoned);
        assert_eq!(
            (fault.code(), fault.message()),
            ("Server", "internal error")
        );
        let fault = Fault::from(StoreError::Sqlite(rusqlite::Error::InvalidQuery));
        assert_eq!(fault.message(), "internal error");
    }
}
