//! [`StoreError`], and the one place it becomes a [`Fault`].

use std::path::PathBuf;

use switchboard::Fault;

/// Why a store operation failed: a rule refused it, or the database did.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The sensor or statistics asked for do not exist.
    #[error("{0}")]
    NotFound(String),
    /// The change clashes with what is stored (a taken sensor name).
    #[error("{0}")]
    Conflict(String),
    /// The database file could not be opened or prepared.
    #[error("cannot open the sensor database `{}`", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The stats tables have a schema version this build does not know.
    #[error("the sensor tables have schema version {found}; this build knows 0 to {known}")]
    UnknownSchema {
        /// The stored version.
        found: i64,
        /// The newest version this build can migrate to.
        known: i64,
    },
    /// A query failed.
    #[error("sensor database query failed")]
    Sqlite(#[from] rusqlite::Error),
    /// Stored statistics could not be read back.
    #[error("stored statistics are not valid JSON")]
    Corrupt(#[from] serde_json::Error),
    /// The blocking task running an operation failed.
    #[error("a sensor database task failed")]
    Task(#[from] tokio::task::JoinError),
}

impl From<StoreError> for Fault {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(message) => Fault::not_found(message),
            StoreError::Conflict(message) => Fault::conflict(message),
            other => {
                tracing::error!(error = %other, cause = ?other, "sensor store failed");
                Fault::server("internal error")
            }
        }
    }
}

/// `sensor `name`` does not exist.
pub(crate) fn no_sensor(name: &str) -> StoreError {
    StoreError::NotFound(format!("no sensor `{name}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_errors_keep_their_message_and_others_say_nothing() {
        let fault = Fault::from(no_sensor("s"));
        assert_eq!(
            (fault.code(), fault.message()),
            ("Client.NotFound", "no sensor `s`")
        );
        let fault = Fault::from(StoreError::Conflict("taken".into()));
        assert_eq!(
            (fault.code(), fault.message()),
            ("Client.Conflict", "taken")
        );
        let fault = Fault::from(StoreError::Sqlite(rusqlite::Error::InvalidQuery));
        assert_eq!(
            (fault.code(), fault.message()),
            ("Server", "internal error")
        );
    }
}
