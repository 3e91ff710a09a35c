//! The status and control messages, as JSON on the bus: Postage's message
//! dictionary (`type`, `name`, `category`, `version`, `fingerprint`,
//! `content`, `_reserved`), so a Python program with pika reads and sends
//! them without switchboard.
//!
//! - **Status** (topic [`STATUS_TOPIC`]): `type: "status"`, `name` one of
//!   `online`, `heartbeat`, `drained`, `offline` (content: [`Liveness`]),
//!   or `answer` (content: [`Answer`], a component's answer to a control
//!   command). Postage's own `MessageStatus(NAME)` is read too: its
//!   content is `{}`, so every [`Liveness`] field takes its default, and
//!   its `name` is the status, whatever it is.
//!
//! A Postage consumer reads ours as any status message: it dispatches on
//! `type` and `name` and hands `content` (a dictionary) to its handler;
//! the fingerprint's values are strings, as Postage's are, with three
//! keys more (`version`, `instance`, `started_at`).
//! - **Control** (topic [`CONTROL_TOPIC`]): `type: "command"`, `name` one
//!   of `drain`, `quit`, `restart`; `content.parameters` is [`ControlParameters`];
//!   `_reserved.signature` signs it when components share a secret.

use serde::{Deserialize, Serialize};
use switchboard::Fingerprint;

/// The topic components announce themselves on.
pub const STATUS_TOPIC: &str = "switchboard.status";

/// The topic control commands are published on.
pub const CONTROL_TOPIC: &str = "switchboard.control";

/// The message format's version, as Postage numbers it.
const VERSION: &str = "2";

/// One message on the status or control topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message<C> {
    /// `status` or `command`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What happened (`online`, `heartbeat`...) or what to do (`quit`...).
    pub name: String,
    /// Always `message`: nothing waits for a reply to this message itself.
    #[serde(default = "message_category")]
    pub category: String,
    /// The format's version (`2`).
    #[serde(default)]
    pub version: String,
    /// Who sent it.
    pub fingerprint: Fingerprint,
    /// What it says.
    pub content: C,
    /// Signatures and other envelope data.
    #[serde(rename = "_reserved", default)]
    pub reserved: Reserved,
}

fn message_category() -> String {
    "message".to_owned()
}

/// A message's `_reserved` part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reserved {
    /// The command's signature (hex HMAC-SHA256), when signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl<C> Message<C> {
    /// A `type` message named `name` from `fingerprint`.
    pub fn new(kind: &str, name: &str, fingerprint: Fingerprint, content: C) -> Self {
        Self {
            kind: kind.to_owned(),
            name: name.to_owned(),
            category: message_category(),
            version: VERSION.to_owned(),
            fingerprint,
            content,
            reserved: Reserved::default(),
        }
    }
}

/// What a component is doing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// Taking work (what a Postage component that says nothing more is
    /// taken to do).
    #[default]
    Serving,
    /// Finishing what runs, taking nothing new.
    Draining,
    /// Finished draining; up, taking nothing.
    Drained,
    /// Stopping.
    Stopping,
}

impl Activity {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Serving => "serving",
            Self::Draining => "draining",
            Self::Drained => "drained",
            Self::Stopping => "stopping",
        }
    }
}

/// The content of `online`, `heartbeat`, `drained` and `offline`, as a
/// dictionary: `activity` (`serving`, `draining`, `drained`, `stopping`),
/// `heartbeat_s` (a number), `transports` and `methods` (lists of
/// strings), `in_flight` and `done` (numbers), `at` (RFC 3339 text).
///
/// Every field has a default, so Postage's `MessageStatus`, whose content
/// is `{}`, reads as a serving component that announces no heartbeat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Liveness {
    /// What the component is doing.
    pub activity: Activity,
    /// Seconds between its heartbeats: missing two makes it `lost`. `0`
    /// (a Postage component) announces none: it is never `lost`, only
    /// `offline` when it says so.
    pub heartbeat_s: f64,
    /// Where it serves (addresses, passwords masked).
    pub transports: Vec<String>,
    /// The methods it serves.
    pub methods: Vec<String>,
    /// Calls running now.
    pub in_flight: u64,
    /// Calls finished since it started.
    pub done: u64,
    /// When this was sent (RFC 3339, UTC).
    pub at: String,
}

/// What a control command asks, in `content.parameters`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlParameters {
    /// Who must obey: a component name, `pid@host`, an instance id, or
    /// `all`.
    pub target: String,
    /// An id the answers repeat.
    pub request: String,
    /// When it was sent (RFC 3339, UTC): a signed command older than a
    /// minute is refused.
    pub sent_at: String,
}

/// A control command's `content`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlContent {
    /// The order.
    pub parameters: ControlParameters,
}

/// What a component answers a control command, as an `answer` status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The command's request id.
    pub request: String,
    /// The command (`drain`, `quit`, `restart`).
    pub command: String,
    /// What came of it: `drained`, `quitting`, `restarting` or `refused`.
    pub outcome: String,
    /// Why, when refused.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// A status message: liveness or an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// `online`, `heartbeat`, `drained` or `offline` (the name is the
    /// message's).
    Liveness(Message<Liveness>),
    /// `answer`.
    Answer(Message<Answer>),
}

impl Status {
    /// Reads a status message; `None` for anything else on the topic.
    pub fn parse(body: &[u8]) -> Option<Self> {
        #[derive(Deserialize)]
        struct Head {
            #[serde(rename = "type")]
            kind: String,
            name: String,
        }
        let head: Head = serde_json::from_slice(body).ok()?;
        if head.kind != "status" {
            return None;
        }
        match head.name.as_str() {
            "answer" => serde_json::from_slice(body).ok().map(Self::Answer),
            _ => serde_json::from_slice(body).ok().map(Self::Liveness),
        }
    }

    /// Who sent it.
    pub fn fingerprint(&self) -> &Fingerprint {
        match self {
            Self::Liveness(message) => &message.fingerprint,
            Self::Answer(message) => &message.fingerprint,
        }
    }
}

/// The JSON bytes of `message`.
pub(crate) fn encode<C: Serialize>(message: &Message<C>) -> Vec<u8> {
    // Strings, numbers and vectors of strings always serialize.
    serde_json::to_vec(message).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heartbeat_is_postages_status_message() -> Result<(), serde_json::Error> {
        let me = Fingerprint::new("maps", "service", "1.0");
        let beat = Message::new(
            "status",
            "heartbeat",
            me.clone(),
            Liveness {
                activity: Activity::Serving,
                heartbeat_s: 5.0,
                transports: vec!["http://127.0.0.1:8080".to_owned()],
                methods: vec!["demo.echo".to_owned()],
                in_flight: 1,
                done: 2,
                at: "2026-12-07T17:00:00Z".to_owned(),
            },
        );
        let json: serde_json::Value = serde_json::from_slice(&encode(&beat))?;
        assert_eq!(json["type"], "status");
        assert_eq!(json["name"], "heartbeat");
        assert_eq!(json["category"], "message");
        assert_eq!(json["fingerprint"]["pid"], std::process::id().to_string());
        assert_eq!(json["content"]["activity"], "serving");
        assert!(json["_reserved"].is_object());
        assert_eq!(Status::parse(&encode(&beat)), Some(Status::Liveness(beat)));
        Ok(())
    }

    #[test]
    fn other_messages_on_the_topic_are_skipped() {
        assert_eq!(Status::parse(b"not json"), None);
        assert_eq!(
            Status::parse(br#"{"type": "command", "name": "quit"}"#),
            None
        );
        assert_eq!(
            Status::parse(br#"{"type": "status", "name": "online"}"#),
            None
        );
    }

    #[test]
    fn postages_message_status_is_a_liveness_with_defaults()
    -> Result<(), Box<dyn std::error::Error>> {
        // MessageStatus('online') as Postage sends it, fingerprint and all.
        let body = br#"{"type": "status", "name": "online", "category": "message",
            "version": "2", "content": {}, "_reserved": {},
            "fingerprint": {"name": "echo_receive", "type": "controller", "pid": "4242",
                            "host": "box", "user": "ana", "vhost": "/"}}"#;
        let Some(Status::Liveness(message)) = Status::parse(body) else {
            return Err("not read as a liveness status".into());
        };
        assert_eq!(message.name, "online");
        assert_eq!(message.fingerprint.pid_at_host(), "4242@box");
        assert_eq!(message.content, Liveness::default());
        assert_eq!(message.content.activity, Activity::Serving);
        assert_eq!(message.content.heartbeat_s, 0.0);
        Ok(())
    }

    #[test]
    fn ours_carry_every_key_a_postage_consumer_reads() -> Result<(), serde_json::Error> {
        let me = Fingerprint::new("maps", "service", "1.0");
        let online = Message::new("status", "online", me, Liveness::default());
        let json: serde_json::Value = serde_json::from_slice(&encode(&online))?;
        for key in [
            "type",
            "name",
            "category",
            "version",
            "fingerprint",
            "content",
            "_reserved",
        ] {
            assert!(json.get(key).is_some(), "no `{key}`");
        }
        assert_eq!(json["version"], "2");
        let fingerprint = json["fingerprint"]
            .as_object()
            .map(|f| f.values().all(|v| v.is_string()));
        assert_eq!(fingerprint, Some(true), "{json}");
        Ok(())
    }
}
