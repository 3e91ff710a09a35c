//! [`ConnectionSettings`]: where the broker is and how to log in, TLS
//! included, and the client properties that tell operators who is connected
//! (`rabbitmqctl list_connections name client_properties`).

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use lapin::tcp::{OwnedIdentity, OwnedTLSConfig};
use lapin::uri::{AMQPScheme, AMQPUri};
use lapin::{Connection, ConnectionProperties};
use switchboard::Fingerprint;
use switchboard::catalog::{Address, PASSWORD_OPTION};

use crate::error::AmqpError;

/// The default broker URL: the local RabbitMQ, vhost `/`, as guest.
pub const DEFAULT_URL: &str = "amqp://127.0.0.1:5672/%2f";

/// How to reach and log in to the broker.
///
/// User, password and vhost come from the URL (`amqp://user:pass@host/vhost`)
/// unless set separately, which wins (so a password can come from the
/// environment rather than a URL in a config file). `amqps://` URLs use TLS
/// with peer verification: against [`TlsSettings::ca_file`] when set, else
/// the system's roots.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConnectionSettings {
    /// `amqp://` or `amqps://` URL.
    pub url: String,
    /// Overrides the URL's user.
    pub user: Option<String>,
    /// Overrides the URL's password.
    pub password: Option<String>,
    /// Overrides the URL's vhost.
    pub vhost: Option<String>,
    /// CA and client certificate for `amqps://`.
    pub tls: TlsSettings,
    /// The connection name shown by `rabbitmqctl list_connections name`.
    pub connection_name: String,
    /// The application named in the client properties.
    pub application: String,
    /// The process's fingerprint: `fingerprint` in the client properties
    /// (its JSON form), and a table in the headers of what it publishes.
    pub fingerprint: Option<Arc<Fingerprint>>,
}

/// TLS files for `amqps://` (PEM).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct TlsSettings {
    /// The CA certificate(s) the broker's certificate must chain to.
    pub ca_file: Option<PathBuf>,
    /// A client certificate, sent when the broker asks for one.
    pub cert_file: Option<PathBuf>,
    /// The client certificate's private key (PKCS#8 PEM).
    pub key_file: Option<PathBuf>,
}

impl ConnectionSettings {
    /// Settings for `url`, with a connection name of `switchboard`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            user: None,
            password: None,
            vhost: None,
            tls: TlsSettings::default(),
            connection_name: "switchboard".to_owned(),
            application: "switchboard".to_owned(),
            fingerprint: None,
        }
    }

    /// Shows `fingerprint` in the client properties and sends it with
    /// every message.
    #[must_use]
    pub fn with_fingerprint(mut self, fingerprint: impl Into<Arc<Fingerprint>>) -> Self {
        self.fingerprint = Some(fingerprint.into());
        self
    }

    /// Logs in as `user` with `password`, whatever the URL says.
    #[must_use]
    pub fn with_credentials(
        mut self,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.user = Some(user.into());
        self.password = Some(password.into());
        self
    }

    /// Uses `vhost`, whatever the URL says.
    #[must_use]
    pub fn with_vhost(mut self, vhost: impl Into<String>) -> Self {
        self.vhost = Some(vhost.into());
        self
    }

    /// Verifies the broker against the CA certificates in `ca_file`.
    #[must_use]
    pub fn with_ca_file(mut self, ca_file: impl Into<PathBuf>) -> Self {
        self.tls.ca_file = Some(ca_file.into());
        self
    }

    /// Presents the client certificate `cert_file` with its key `key_file`.
    #[must_use]
    pub fn with_client_cert(
        mut self,
        cert_file: impl Into<PathBuf>,
        key_file: impl Into<PathBuf>,
    ) -> Self {
        self.tls.cert_file = Some(cert_file.into());
        self.tls.key_file = Some(key_file.into());
        self
    }

    /// Names the connection (and the application in its client properties).
    #[must_use]
    pub fn with_connection_name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.application.clone_from(&name);
        self.connection_name = name;
        self
    }

    /// The parsed URL with the separate settings applied.
    ///
    /// # Errors
    /// [`AmqpError::InvalidSetting`] if the URL does not parse.
    pub fn uri(&self) -> Result<AMQPUri, AmqpError> {
        let mut uri = AMQPUri::from_str(&self.url).map_err(|why| AmqpError::InvalidSetting {
            setting: "amqp url",
            why,
        })?;
        if let Some(user) = &self.user {
            uri.authority.userinfo.username.clone_from(user);
        }
        if let Some(password) = &self.password {
            uri.authority.userinfo.password.clone_from(password);
        }
        if let Some(vhost) = &self.vhost {
            uri.vhost.clone_from(vhost);
        }
        Ok(uri)
    }

    /// `scheme://host:port/vhost` (vhost percent-encoded), for logs and
    /// errors: never the password.
    pub fn endpoint(&self) -> String {
        match self.uri() {
            Ok(uri) => {
                let scheme = match uri.scheme {
                    AMQPScheme::AMQP => "amqp",
                    AMQPScheme::AMQPS => "amqps",
                };
                format!("{scheme}://{}", self.broker())
            }
            Err(_) => "an unparsable url".to_owned(),
        }
    }

    /// `host:port/vhost` (vhost percent-encoded, `127.0.0.1:5672/%2f`):
    /// the broker a link goes to, as the metrics label it
    /// ([`metrics::BROKER`](crate::metrics::BROKER)) and readiness names
    /// it. Never the credentials.
    ///
    /// ```
    /// use switchboard_amqp::ConnectionSettings;
    ///
    /// let settings = ConnectionSettings::new("amqp://bob:secret@broker.example/%2f");
    /// assert_eq!(settings.broker(), "broker.example:5672/%2f");
    /// assert_eq!(settings.with_vhost("orders").broker(), "broker.example:5672/orders");
    /// ```
    pub fn broker(&self) -> String {
        match self.uri() {
            Ok(uri) => {
                let (host, port) = (uri.authority.host, uri.authority.port);
                format!("{host}:{port}/{}", uri.vhost.replace('/', "%2f"))
            }
            Err(_) => "unparsable".to_owned(),
        }
    }

    /// The client properties: the connection name, `application`, `host`,
    /// `pid`, `user`, `switchboard_version`, and the process's whole
    /// [`Fingerprint`] as `fingerprint` (its JSON form) when one is set, so
    /// operators see who is connected.
    pub fn properties(&self) -> ConnectionProperties {
        let fingerprint = [
            ("application", self.application.clone()),
            ("host", host_name()),
            ("pid", std::process::id().to_string()),
            ("user", std::env::var("USER").unwrap_or_default()),
            ("switchboard_version", env!("CARGO_PKG_VERSION").to_owned()),
        ];
        let properties = fingerprint.into_iter().fold(
            ConnectionProperties::default()
                .with_connection_name(self.connection_name.clone().into()),
            |properties, (key, value)| properties.with_client_property(key.into(), value.into()),
        );
        match &self.fingerprint {
            // lapin takes text properties only: the JSON form.
            Some(fingerprint) => properties.with_client_property(
                crate::FINGERPRINT_HEADER.into(),
                fingerprint.to_json().into(),
            ),
            None => properties,
        }
    }

    /// The TLS files, read.
    ///
    /// # Errors
    /// [`AmqpError::TlsFile`] if a file cannot be read.
    pub fn tls_config(&self) -> Result<OwnedTLSConfig, AmqpError> {
        let read = |path: &PathBuf| {
            std::fs::read(path).map_err(|source| AmqpError::TlsFile {
                path: path.display().to_string(),
                source,
            })
        };
        let cert_chain = match &self.tls.ca_file {
            Some(path) => Some(String::from_utf8_lossy(&read(path)?).into_owned()),
            None => None,
        };
        let identity = match (&self.tls.cert_file, &self.tls.key_file) {
            (Some(cert), Some(key)) => Some(OwnedIdentity::PKCS8 {
                pem: read(cert)?,
                key: read(key)?,
            }),
            _ => None,
        };
        Ok(OwnedTLSConfig {
            identity,
            cert_chain,
        })
    }

    /// Opens a connection.
    ///
    /// # Errors
    /// [`AmqpError::Connect`] if the broker cannot be reached or refuses the
    /// login or the TLS handshake; setting and file errors as for
    /// [`uri`](Self::uri) and [`tls_config`](Self::tls_config).
    pub async fn connect(&self) -> Result<Connection, AmqpError> {
        let uri = self.uri()?;
        let tls = self.tls_config()?;
        let connect = |source| AmqpError::Connect {
            endpoint: self.endpoint(),
            source,
        };
        let runtime = lapin::runtime::default_runtime().map_err(connect)?;
        let connection = Connection::connect_uri_with_config(uri, self.properties(), tls, runtime)
            .await
            .map_err(connect)?;
        tracing::info!(endpoint = %self.endpoint(), name = %self.connection_name, "connected to the broker");
        Ok(connection)
    }
}

/// The settings as a catalog address: the URL as written, with what is
/// set apart from it (login, virtual host, TLS files) as the options that
/// win over it, for services that take a transport by address. The
/// connection's name is not in it: the service names its connections. A
/// URL without a scheme is taken as an `amqp:` target, to fail when used.
impl From<ConnectionSettings> for Address {
    fn from(settings: ConnectionSettings) -> Self {
        let address = Address::parse(&settings.url)
            .unwrap_or_else(|_| Address::new("amqp", settings.url.clone()));
        let file = |path: Option<PathBuf>| path.map(|path| path.display().to_string());
        let apart = [
            ("user", settings.user),
            (PASSWORD_OPTION, settings.password),
            ("vhost", settings.vhost),
            ("ca_file", file(settings.tls.ca_file)),
            ("cert_file", file(settings.tls.cert_file)),
            ("key_file", file(settings.tls.key_file)),
        ];
        apart
            .into_iter()
            .fold(address, |address, (key, value)| match value {
                Some(value) => address.with_option(key, value),
                None => address,
            })
    }
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        Self::new(DEFAULT_URL)
    }
}

/// This machine's host name, or `unknown`.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|name| name.trim().to_owned())
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separate_settings_override_the_url_and_the_endpoint_hides_the_password()
    -> Result<(), AmqpError> {
        let settings = ConnectionSettings::new("amqps://alice:secret@broker:5671/prod")
            .with_credentials("bob", "hunter2")
            .with_vhost("test");
        let uri = settings.uri()?;
        assert_eq!(uri.authority.userinfo.username, "bob");
        assert_eq!(uri.authority.userinfo.password, "hunter2");
        assert_eq!(uri.vhost, "test");
        assert_eq!(settings.endpoint(), "amqps://broker:5671/test");
        assert!(ConnectionSettings::new("http://x").uri().is_err());
        Ok(())
    }
}
