//! [`Settings`]: where tasks, notifications and logs go, and where the API
//! is, read from `SWITCHBOARD_*` variables or, so that an existing
//! deployment's `.env` works unchanged, the course's own names.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `SWITCHBOARD_STATS_BROKER` | the broker as a URL (`amqp://user:pass@host:5672/vhost`, `amqps://…`) | none: the embedded SQLite queue |
//! | `PWP_RABBIT_URI` | the broker as the course writes it, `host:port` (not a URL) | none |
//! | `PWP_RABBIT_USER`, `PWP_RABBIT_PASSWD` | the broker login | the URL's, else `guest` |
//! | `PWP_RABBIT_VHOST` | the broker's virtual host | the URL's, else `/` |
//! | `CA_CERT` | TLS with peer verification against this CA (PEM) | plain AMQP for `PWP_RABBIT_URI` |
//! | `PWP_RABBIT_CLIENT_CERT`, `PWP_RABBIT_CLIENT_KEY` | a client certificate for TLS peer verification | none |
//! | `SWITCHBOARD_API_SERVER`, `API_SERVER` | the API the worker `PUT`s statistics to | `http://127.0.0.1:8080` |
//! | `SWITCHBOARD_QUEUE` | the SQLite queue file of tasks | `switchboard-queue.db` beside the state file |
//! | `SWITCHBOARD_STATS_EVENTS` | the SQLite file of notifications and logs | `switchboard-events.db` beside the state file |
//!
//! The course connects over TLS even without `CA_CERT`, verifying nothing;
//! here, a `PWP_RABBIT_URI` without `CA_CERT` is plain AMQP, and TLS
//! always verifies the broker (`SWITCHBOARD_STATS_BROKER=amqps://…` uses the
//! system's roots when no `CA_CERT` is given).

use std::path::{Path, PathBuf};
use std::time::Duration;

use switchboard_amqp::ConnectionSettings;

/// The API the worker reports to unless configured.
pub const DEFAULT_API_SERVER: &str = "http://127.0.0.1:8080";
/// How long a computation may stay pending before a `GET` enqueues it
/// again (its task lost with a broker, its worker gone).
pub const DEFAULT_PENDING_TIMEOUT: Duration = Duration::from_secs(60);

/// Where the stats system's messages travel.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum BackendSettings {
    /// The embedded default: SQLite files, nothing to install.
    Sqlite {
        /// The queue file holding tasks (method `compute_stats`).
        queue: PathBuf,
        /// The file holding notifications and logs (a fan-out topic).
        events: PathBuf,
    },
    /// RabbitMQ: the `stats` queue and the `notifications` and `logs`
    /// fanout exchanges.
    Amqp(ConnectionSettings),
}

/// Everything the stats service needs besides its state file.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// Where tasks, notifications and logs go.
    pub backend: BackendSettings,
    /// The API the worker `PUT`s statistics to; `None` until configured
    /// (then [`DEFAULT_API_SERVER`], unless a host such as `serve` knows
    /// its own address).
    pub api_server: Option<String>,
    /// See [`DEFAULT_PENDING_TIMEOUT`].
    pub pending_timeout: Duration,
}

impl Settings {
    /// The embedded backend with its files in `dir`.
    pub fn embedded(dir: &Path) -> Self {
        Self {
            backend: BackendSettings::Sqlite {
                queue: dir.join("switchboard-queue.db"),
                events: dir.join("switchboard-events.db"),
            },
            api_server: None,
            pending_timeout: DEFAULT_PENDING_TIMEOUT,
        }
    }

    /// The broker at `settings`.
    pub fn amqp(settings: ConnectionSettings) -> Self {
        Self {
            backend: BackendSettings::Amqp(settings),
            api_server: None,
            pending_timeout: DEFAULT_PENDING_TIMEOUT,
        }
    }

    /// Reports to the API at `url`.
    #[must_use]
    pub fn with_api_server(mut self, url: impl Into<String>) -> Self {
        self.api_server = Some(url.into());
        self
    }

    /// Enqueues a computation again after it was pending for `timeout`.
    #[must_use]
    pub fn with_pending_timeout(mut self, timeout: Duration) -> Self {
        self.pending_timeout = timeout;
        self
    }

    /// The settings from the process environment (see the module's
    /// table), the SQLite files beside the state file `db`.
    pub fn from_env(db: &Path) -> Self {
        Self::from_vars(db, |name| {
            std::env::var(name).ok().filter(|v| !v.is_empty())
        })
    }

    /// The settings from the variables `var` gives.
    pub fn from_vars(db: &Path, var: impl Fn(&str) -> Option<String>) -> Self {
        let backend = match broker(&var) {
            Some(settings) => BackendSettings::Amqp(settings),
            None => BackendSettings::Sqlite {
                queue: var("SWITCHBOARD_QUEUE")
                    .map_or_else(|| db.with_file_name("switchboard-queue.db"), PathBuf::from),
                events: var("SWITCHBOARD_STATS_EVENTS")
                    .map_or_else(|| db.with_file_name("switchboard-events.db"), PathBuf::from),
            },
        };
        Self {
            backend,
            api_server: var("SWITCHBOARD_API_SERVER").or_else(|| var("API_SERVER")),
            pending_timeout: DEFAULT_PENDING_TIMEOUT,
        }
    }
}

/// The broker the variables name, if any.
fn broker(var: &impl Fn(&str) -> Option<String>) -> Option<ConnectionSettings> {
    let ca = var("CA_CERT");
    let url = match var("SWITCHBOARD_STATS_BROKER") {
        Some(url) => url,
        None => {
            let hostport = var("PWP_RABBIT_URI")?;
            let scheme = if ca.is_some() { "amqps" } else { "amqp" };
            format!("{scheme}://{hostport}")
        }
    };
    let mut settings = ConnectionSettings::new(url).with_connection_name("switchboard stats");
    if let Some(user) = var("PWP_RABBIT_USER") {
        settings = settings.with_credentials(user, var("PWP_RABBIT_PASSWD").unwrap_or_default());
    }
    if let Some(vhost) = var("PWP_RABBIT_VHOST") {
        settings = settings.with_vhost(vhost);
    }
    if let Some(ca) = ca {
        settings = settings.with_ca_file(ca);
    }
    if let (Some(cert), Some(key)) = (var("PWP_RABBIT_CLIENT_CERT"), var("PWP_RABBIT_CLIENT_KEY")) {
        settings = settings.with_client_cert(cert, key);
    }
    Some(settings)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn the_course_env_file_means_what_it_meant() -> Result<(), switchboard_amqp::AmqpError> {
        let settings = Settings::from_vars(
            Path::new("state.db"),
            vars(&[
                ("PWP_RABBIT_URI", "broker.example:5671"),
                ("PWP_RABBIT_USER", "group7"),
                ("PWP_RABBIT_PASSWD", "secret"),
                ("PWP_RABBIT_VHOST", "group7-vhost"),
                ("CA_CERT", "/etc/ca.crt"),
                ("PWP_RABBIT_CLIENT_CERT", "/etc/client.crt"),
                ("PWP_RABBIT_CLIENT_KEY", "/etc/client.key"),
                ("API_SERVER", "http://localhost:5000"),
            ]),
        );
        let BackendSettings::Amqp(amqp) = &settings.backend else {
            panic!("expected the broker: {settings:?}");
        };
        let uri = amqp.uri()?;
        assert_eq!(amqp.endpoint(), "amqps://broker.example:5671/group7-vhost");
        assert_eq!(uri.authority.userinfo.username, "group7");
        assert_eq!(uri.authority.userinfo.password, "secret");
        assert_eq!(amqp.tls.ca_file.as_deref(), Some(Path::new("/etc/ca.crt")));
        assert_eq!(
            amqp.tls.key_file.as_deref(),
            Some(Path::new("/etc/client.key"))
        );
        assert_eq!(
            settings.api_server.as_deref(),
            Some("http://localhost:5000")
        );
        Ok(())
    }

    #[test]
    fn without_a_broker_the_files_sit_beside_the_state() {
        let settings = Settings::from_vars(Path::new("/srv/state.db"), vars(&[]));
        let BackendSettings::Sqlite { queue, events } = &settings.backend else {
            panic!("expected SQLite: {settings:?}");
        };
        assert_eq!(queue, Path::new("/srv/switchboard-queue.db"));
        assert_eq!(events, Path::new("/srv/switchboard-events.db"));
        assert_eq!(settings.api_server, None);
        let plain = Settings::from_vars(Path::new("s.db"), vars(&[("PWP_RABBIT_URI", "h:5672")]));
        let BackendSettings::Amqp(amqp) = plain.backend else {
            panic!("expected the broker");
        };
        assert_eq!(amqp.endpoint(), "amqp://h:5672/%2f");
    }
}
