//! [`Fingerprint`]: who a process is (Postage's word): its component name
//! and type, and what the operating system says about it (pid, host,
//! user), with its version, an id unique to this start, and when it
//! started.
//!
//! A process's fingerprint travels with what it sends (an HTTP header, AMQP
//! message headers and connection properties, a SQLite queue task's row), so
//! a method reads who called it with
//! [`MethodContext::caller`](crate::MethodContext::caller). The JSON form is
//! Postage's dictionary with four more keys; its values are strings, as
//! Postage writes them (`"pid": "4242"`), and a `pid` given as a number is
//! read too.
//!
//! ```
//! use switchboard::Fingerprint;
//!
//! let me = Fingerprint::new("billing", "service", "1.4.0");
//! assert_eq!(me.name, "billing");
//! assert_eq!(me.pid, std::process::id());
//! let sent = me.to_json();
//! assert_eq!(Fingerprint::from_json(sent.as_bytes())?, me);
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The HTTP request header a client's fingerprint travels in (its JSON
/// form).
pub const FINGERPRINT_HEADER: &str = "switchboard-fingerprint";

/// The longest JSON form read from a peer, in bytes; a longer one is
/// ignored (the caller is then unknown).
pub const MAX_FINGERPRINT_LEN: usize = 4096;

/// Who a process is: a component's name and type, filled in with what the
/// operating system says about the process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Fingerprint {
    /// The component's name (the host's name unless given).
    pub name: String,
    /// The component's type (`service`, `worker`, `application`...).
    #[serde(rename = "type")]
    pub kind: String,
    /// The process id.
    #[serde(serialize_with = "pid_as_string", deserialize_with = "pid_from_either")]
    pub pid: u32,
    /// The machine's host name.
    pub host: String,
    /// The user the process runs as.
    pub user: String,
    /// The AMQP virtual host, when the process is on a broker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vhost: Option<String>,
    /// The component's version.
    #[serde(default)]
    pub version: String,
    /// An id unique to this start of the process.
    #[serde(default)]
    pub instance: String,
    /// When the process started, RFC 3339 in UTC (`2026-12-07T17:35:54Z`).
    #[serde(default)]
    pub started_at: String,
}

impl Fingerprint {
    /// The fingerprint of this process as component `name` of type `kind`
    /// at `version`: pid, host and user from the operating system, a fresh
    /// instance id, started now.
    pub fn new(
        name: impl Into<String>,
        kind: impl Into<String>,
        version: impl Into<String>,
    ) -> Self {
        let now = SystemTime::now();
        let pid = std::process::id();
        Self {
            name: name.into(),
            kind: kind.into(),
            pid,
            host: host_name(),
            user: user_name(),
            vhost: None,
            version: version.into(),
            instance: instance_id(pid, now),
            started_at: rfc3339(now),
        }
    }

    /// The same fingerprint on AMQP virtual host `vhost`.
    #[must_use]
    pub fn with_vhost(mut self, vhost: impl Into<String>) -> Self {
        self.vhost = Some(vhost.into());
        self
    }

    /// `pid@host`, how the process is told apart on a cluster.
    pub fn pid_at_host(&self) -> String {
        format!("{}@{}", self.pid, self.host)
    }

    /// The compact JSON form, as headers and rows carry it.
    pub fn to_json(&self) -> String {
        // A struct of strings always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads the JSON form.
    ///
    /// # Errors
    /// The JSON error, if `json` is not a fingerprint or is longer than
    /// [`MAX_FINGERPRINT_LEN`].
    pub fn from_json(json: &[u8]) -> Result<Self, serde_json::Error> {
        if json.len() > MAX_FINGERPRINT_LEN {
            return Err(serde::de::Error::custom("the fingerprint is too long"));
        }
        serde_json::from_slice(json)
    }

    /// The fingerprint a peer sent, if it sent a readable one: a header or
    /// column that does not hold one is no error of the call, only an
    /// unknown caller (logged at debug).
    pub fn from_peer(json: &[u8]) -> Option<Self> {
        Self::from_json(json)
            .inspect_err(
                |err| tracing::debug!(error = %err, "unreadable caller fingerprint ignored"),
            )
            .ok()
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, {}@{})",
            self.name, self.kind, self.pid, self.host
        )
    }
}

fn pid_as_string<S: Serializer>(pid: &u32, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(pid)
}

fn pid_from_either<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Pid {
        Number(u32),
        Text(String),
    }
    match Pid::deserialize(deserializer)? {
        Pid::Number(pid) => Ok(pid),
        Pid::Text(text) => text.trim().parse().map_err(serde::de::Error::custom),
    }
}

/// The machine's name: the kernel's, else `$HOSTNAME`, else `localhost`.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .or_else(|| {
            std::env::var("HOSTNAME")
                .ok()
                .filter(|name| !name.is_empty())
        })
        .unwrap_or_else(|| "localhost".to_owned())
}

/// The user's name: `$USER`, else `$LOGNAME`, else the name `/etc/passwd`
/// gives this process's uid, else the uid, else `unknown`.
fn user_name() -> String {
    ["USER", "LOGNAME"]
        .into_iter()
        .find_map(|var| std::env::var(var).ok().filter(|name| !name.is_empty()))
        .or_else(user_from_passwd)
        .unwrap_or_else(|| "unknown".to_owned())
}

fn user_from_passwd() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_owned();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let name = passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid).then(|| name.to_owned())
    });
    Some(name.unwrap_or(uid))
}

/// 16 hex digits, unique per start: the start time's nanoseconds and the
/// pid mixed with randomness.
fn instance_id(pid: u32, now: SystemTime) -> String {
    let nanos = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    // Truncation keeps the low, fast-changing bits.
    #[allow(clippy::cast_possible_truncation)]
    let mixed = (nanos as u64) ^ (u64::from(pid) << 32) ^ fastrand::u64(..);
    format!("{mixed:016x}")
}

/// `now` as RFC 3339 in UTC, to the second.
fn rfc3339(now: SystemTime) -> String {
    time::OffsetDateTime::from(now)
        .replace_nanosecond(0)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_form_is_postages_dictionary_with_strings() -> Result<(), serde_json::Error> {
        let me = Fingerprint::new("echo_send", "application", "2.0.1").with_vhost("/");
        let json: serde_json::Value = serde_json::from_str(&me.to_json())?;
        assert_eq!(json["name"], "echo_send");
        assert_eq!(json["type"], "application");
        assert_eq!(json["pid"], std::process::id().to_string());
        assert_eq!(json["vhost"], "/");
        assert!(json["host"].as_str().is_some_and(|host| !host.is_empty()));
        assert!(json["user"].as_str().is_some_and(|user| !user.is_empty()));
        assert_eq!(json["instance"].as_str().map(str::len), Some(16));
        let started = json["started_at"].as_str().unwrap_or_default();
        assert!(started.ends_with('Z') && started.len() == 20, "{started}");
        Ok(())
    }

    #[test]
    fn reads_postages_own_fingerprint_with_a_numeric_or_string_pid() -> Result<(), serde_json::Error>
    {
        let postage = br#"{"name": "echo_receive", "type": "controller", "pid": "4242",
            "host": "box", "user": "ana", "vhost": "/"}"#;
        let read = Fingerprint::from_json(postage)?;
        assert_eq!((read.pid, read.kind.as_str()), (4242, "controller"));
        assert_eq!(read.instance, "");
        let numeric = br#"{"name": "n", "type": "t", "pid": 7, "host": "h", "user": "u"}"#;
        assert_eq!(Fingerprint::from_json(numeric)?.pid, 7);
        Ok(())
    }

    #[test]
    fn each_start_has_its_own_instance() {
        let a = Fingerprint::new("a", "service", "1");
        let b = Fingerprint::new("a", "service", "1");
        assert_ne!(a.instance, b.instance);
    }

    #[test]
    fn what_is_not_a_fingerprint_is_an_unknown_caller() {
        assert!(Fingerprint::from_peer(b"not json").is_none());
        assert!(Fingerprint::from_peer(br#"{"name": "x"}"#).is_none());
        assert!(
            Fingerprint::from_peer(br#"{"name":"n","type":"t","pid":"-1","host":"h","user":"u"}"#)
                .is_none()
        );
        let long = format!(
            r#"{{"name":"{}","type":"t","pid":1,"host":"h","user":"u"}}"#,
            "x".repeat(MAX_FINGERPRINT_LEN)
        );
        assert!(Fingerprint::from_peer(long.as_bytes()).is_none());
    }
}
