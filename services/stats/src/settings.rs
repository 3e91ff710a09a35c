//! [`Settings`]: where tasks, notifications and logs go (the address of a
//! message bus, [`crate::backend`]), and where the API is, read from
//! `SWITCHBOARD_*` variables or, so that an existing deployment's `.env`
//! works unchanged, the course's own names, which become options of the
//! broker's address.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `SWITCHBOARD_STATS_BROKER` | the bus as an address: the broker as a URL (`amqp://user:pass@host:5672/vhost`, `amqps://…`), or any linked transport's bus (`sqlite:QUEUE?events=EVENTS`) | none: the embedded SQLite queue |
//! | `PWP_RABBIT_URI` | the broker as the course writes it, `host:port` (not a URL) | none |
//! | `PWP_RABBIT_USER`, `PWP_RABBIT_PASSWD` | the broker login (`user=`, `password=`) | the URL's, else `guest` |
//! | `PWP_RABBIT_VHOST` | the broker's virtual host (`vhost=`) | the URL's, else `/` |
//! | `CA_CERT` | TLS with peer verification against this CA (PEM; `ca_file=`) | plain AMQP for `PWP_RABBIT_URI` |
//! | `PWP_RABBIT_CLIENT_CERT`, `PWP_RABBIT_CLIENT_KEY` | a client certificate for TLS peer verification (`cert_file=`, `key_file=`) | none |
//! | `SWITCHBOARD_API_SERVER`, `API_SERVER` | the API the worker `PUT`s statistics to | `http://127.0.0.1:8080` |
//! | `SWITCHBOARD_QUEUE` | the SQLite queue file of tasks | `switchboard-queue.db` beside the state file |
//! | `SWITCHBOARD_STATS_EVENTS` | the SQLite file of notifications and logs | `switchboard-events.db` beside the state file |
//!
//! The course connects over TLS even without `CA_CERT`, verifying nothing;
//! here, a `PWP_RABBIT_URI` without `CA_CERT` is plain AMQP, and TLS
//! always verifies the broker (`SWITCHBOARD_STATS_BROKER=amqps://…` uses the
//! system's roots when no `CA_CERT` is given).

use std::path::Path;
use std::time::Duration;

use switchboard::catalog::{Address, AddressError, PASSWORD_OPTION};

/// The API the worker reports to unless configured.
pub const DEFAULT_API_SERVER: &str = "http://127.0.0.1:8080";
/// How long a computation may stay pending before a `GET` enqueues it
/// again (its task lost with a broker, its worker gone).
pub const DEFAULT_PENDING_TIMEOUT: Duration = Duration::from_secs(60);

/// The course's variables and the broker address options they set.
const COURSE_OPTIONS: [(&str, &str); 4] = [
    ("PWP_RABBIT_VHOST", "vhost"),
    ("CA_CERT", "ca_file"),
    ("PWP_RABBIT_CLIENT_CERT", "cert_file"),
    ("PWP_RABBIT_CLIENT_KEY", "key_file"),
];

/// Everything the stats service needs besides its state file.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// Where tasks, notifications and logs go: the address of a bus
    /// ([`Backend::open`](crate::Backend::open)).
    pub bus: Address,
    /// The API the worker `PUT`s statistics to; `None` until configured
    /// (then [`DEFAULT_API_SERVER`], unless a host such as `serve` knows
    /// its own address).
    pub api_server: Option<String>,
    /// See [`DEFAULT_PENDING_TIMEOUT`].
    pub pending_timeout: Duration,
}

impl Settings {
    /// The bus at `bus`: an [`Address`], or anything that converts into
    /// one (a broker's connection settings).
    pub fn new(bus: impl Into<Address>) -> Self {
        Self {
            bus: bus.into(),
            api_server: None,
            pending_timeout: DEFAULT_PENDING_TIMEOUT,
        }
    }

    /// The embedded bus: SQLite files in `dir`, nothing to install.
    pub fn embedded(dir: &Path) -> Self {
        Self::new(embedded(
            &dir.join("switchboard-queue.db"),
            &dir.join("switchboard-events.db"),
        ))
    }

    /// The broker `broker`: as [`new`](Self::new), for a broker's
    /// connection settings (`switchboard_amqp::ConnectionSettings`
    /// converts into its address).
    pub fn amqp(broker: impl Into<Address>) -> Self {
        Self::new(broker)
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
    ///
    /// # Errors
    /// [`AddressError`] if `SWITCHBOARD_STATS_BROKER` is not an address.
    pub fn from_env(db: &Path) -> Result<Self, AddressError> {
        Self::from_vars(db, |name| {
            std::env::var(name).ok().filter(|v| !v.is_empty())
        })
    }

    /// The settings from the variables `var` gives.
    ///
    /// # Errors
    /// [`AddressError`] if `SWITCHBOARD_STATS_BROKER` is not an address.
    pub fn from_vars(
        db: &Path,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, AddressError> {
        let bus = match broker(&var)? {
            Some(broker) => broker,
            None => embedded(
                &var("SWITCHBOARD_QUEUE")
                    .map_or_else(|| db.with_file_name("switchboard-queue.db"), Into::into),
                &var("SWITCHBOARD_STATS_EVENTS")
                    .map_or_else(|| db.with_file_name("switchboard-events.db"), Into::into),
            ),
        };
        let mut settings = Self::new(bus);
        settings.api_server = var("SWITCHBOARD_API_SERVER").or_else(|| var("API_SERVER"));
        Ok(settings)
    }
}

/// The SQLite bus of the queue file `queue` and the events file `events`.
fn embedded(queue: &Path, events: &Path) -> Address {
    Address::new("sqlite", queue.display().to_string())
        .with_option("events", events.display().to_string())
}

/// The broker the variables name, if any, with the course's settings as
/// options of its address, which win over what its URL says.
fn broker(var: &impl Fn(&str) -> Option<String>) -> Result<Option<Address>, AddressError> {
    let address = match var("SWITCHBOARD_STATS_BROKER") {
        Some(url) => Address::parse(&url)?,
        None => match var("PWP_RABBIT_URI") {
            Some(hostport) => {
                let scheme = if var("CA_CERT").is_some() {
                    "amqps"
                } else {
                    "amqp"
                };
                Address::new(scheme, format!("//{hostport}"))
            }
            None => return Ok(None),
        },
    };
    let mut address = match var("PWP_RABBIT_USER") {
        Some(user) => address.with_option("user", user).with_option(
            PASSWORD_OPTION,
            var("PWP_RABBIT_PASSWD").unwrap_or_default(),
        ),
        None => address,
    };
    for (name, option) in COURSE_OPTIONS {
        if let Some(value) = var(name) {
            address = address.with_option(option, value);
        }
    }
    Ok(Some(address))
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
    fn the_course_env_file_means_what_it_meant() -> Result<(), AddressError> {
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
        )?;
        // What each option means to the broker is the AMQP transport's
        // (its catalog tests); here, that each variable lands in one.
        assert_eq!(
            settings.bus.to_string(),
            "amqps://broker.example:5671?user=group7&password=***&vhost=group7-vhost\
             &ca_file=/etc/ca.crt&cert_file=/etc/client.crt&key_file=/etc/client.key"
        );
        assert_eq!(settings.bus.option("password"), Some("secret"));
        assert_eq!(
            settings.api_server.as_deref(),
            Some("http://localhost:5000")
        );
        Ok(())
    }

    #[test]
    fn without_a_broker_the_files_sit_beside_the_state() -> Result<(), AddressError> {
        let settings = Settings::from_vars(Path::new("/srv/state.db"), vars(&[]))?;
        assert_eq!(settings.bus.scheme(), "sqlite");
        assert_eq!(settings.bus.path(), "/srv/switchboard-queue.db");
        assert_eq!(
            settings.bus.option("events"),
            Some("/srv/switchboard-events.db")
        );
        assert_eq!(settings.api_server, None);
        let moved = Settings::from_vars(
            Path::new("s.db"),
            vars(&[
                ("SWITCHBOARD_QUEUE", "/q/tasks.db"),
                ("SWITCHBOARD_STATS_EVENTS", "/q/ev.db"),
            ]),
        )?;
        assert_eq!(moved.bus.to_string(), "sqlite:/q/tasks.db?events=/q/ev.db");
        let plain = Settings::from_vars(Path::new("s.db"), vars(&[("PWP_RABBIT_URI", "h:5672")]))?;
        assert_eq!(plain.bus.to_string(), "amqp://h:5672");
        Ok(())
    }

    #[test]
    fn the_broker_variable_takes_any_address_and_refuses_what_is_none() {
        let broker = |url: &str| {
            Settings::from_vars(
                Path::new("s.db"),
                vars(&[("SWITCHBOARD_STATS_BROKER", url)]),
            )
        };
        let url = broker("amqp://u:p@h:5672/v").map(|s| s.bus.to_string());
        assert_eq!(url.as_deref(), Ok("amqp://u:***@h:5672/v"));
        assert!(matches!(
            broker("localhost"),
            Err(AddressError::NoScheme(_))
        ));
    }
}
