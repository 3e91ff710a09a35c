//! [`AmqpError`]: why the AMQP transport could not connect, declare its
//! topology or use a channel, and how that becomes a [`TransportError`].

use switchboard::TransportError;

/// Why the AMQP transport failed outside a single call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AmqpError {
    /// A setting is unusable (a URL that does not parse, a name over 255 bytes).
    #[error("invalid setting `{setting}`: {why}")]
    InvalidSetting {
        /// The setting's name.
        setting: &'static str,
        /// What is wrong with it.
        why: String,
    },
    /// A TLS file (CA, certificate, key) could not be read.
    #[error("cannot read the TLS file `{path}`")]
    TlsFile {
        /// The file's path.
        path: String,
        /// The read error.
        #[source]
        source: std::io::Error,
    },
    /// The broker could not be reached, or refused the login or the TLS
    /// handshake.
    #[error("cannot connect to the broker at {endpoint}")]
    Connect {
        /// `scheme://host:port/vhost`, without credentials.
        endpoint: String,
        /// lapin's error.
        #[source]
        source: lapin::Error,
    },
    /// The broker refused a declaration: it differs from the existing one,
    /// or (passive mode) the exchange or queue does not exist.
    #[error("the broker refused to declare {what}")]
    Topology {
        /// `queue "name"`, `exchange "name"` or `binding ...`.
        what: String,
        /// lapin's error, carrying the broker's reply text.
        #[source]
        source: lapin::Error,
    },
    /// A channel operation failed (the connection or channel dropped).
    #[error("amqp channel operation `{operation}` failed")]
    Channel {
        /// The operation (`basic.consume`, `basic.publish`, ...).
        operation: &'static str,
        /// lapin's error.
        #[source]
        source: lapin::Error,
    },
}

impl AmqpError {
    /// A channel error for `operation`.
    pub(crate) fn channel(operation: &'static str) -> impl FnOnce(lapin::Error) -> Self {
        move |source| Self::Channel { operation, source }
    }

    /// Whether retrying later can help (the broker or network came back),
    /// as opposed to a setting or declaration that will fail again.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Connect { .. } | Self::Channel { .. })
    }
}

impl From<AmqpError> for TransportError {
    fn from(err: AmqpError) -> Self {
        match err {
            AmqpError::Connect { .. } | AmqpError::TlsFile { .. } => Self::Connect(Box::new(err)),
            AmqpError::Channel { .. } => Self::Io(Box::new(err)),
            AmqpError::InvalidSetting { .. } | AmqpError::Topology { .. } => {
                Self::Connect(Box::new(err))
            }
        }
    }
}

/// `err` and its sources, `: `-separated: what a readiness probe says.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        // Some errors repeat their source's text in their own.
        if !text.ends_with(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_errors_are_not_transient_and_map_to_connect() {
        let err = AmqpError::InvalidSetting {
            setting: "url",
            why: "no scheme".into(),
        };
        assert!(!err.is_transient());
        assert_eq!(err.to_string(), "invalid setting `url`: no scheme");
        assert!(matches!(
            TransportError::from(err),
            TransportError::Connect(_)
        ));
    }
}
