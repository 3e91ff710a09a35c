//! Watching components: [`StatusFeed`] follows the status topic and keeps
//! [`Components`], the last word of every component seen, with its state
//! (`online`, `draining`, `drained`, `offline`, or `lost` once it missed
//! two heartbeats). Nothing is asked of the components: what they announce
//! is enough, so a busy one never looks missing.
//!
//! A Postage component (`MessageStatus(NAME)`, no content) is listed too:
//! `offline` makes it offline, any other status online, and its own word
//! is kept as-is (`status` in `--json`; [`Seen::shown_state`] gives it in
//! place of the state when it is not one of ours). It announces no
//! heartbeat interval, so it is never `lost`: a Postage component that
//! dies without saying `offline` stays listed as it last said, by a
//! `status --watch` that heard it (a later `status` does not hear it at
//! all).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use switchboard::catalog::bus::{Bus, Subscription};
use switchboard::{Fingerprint, TransportError};

use super::secret::time_of;
use super::wire::{Activity, Answer, Liveness, Message, STATUS_TOPIC, Status};

/// Heartbeats a component may miss before it is `lost`.
pub const MISSED_BEATS: f64 = 2.0;

/// What is known of a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Serving.
    Online,
    /// Finishing its running calls, taking nothing new.
    Draining,
    /// Up, taking nothing.
    Drained,
    /// Stopped cleanly.
    Offline,
    /// Missed two heartbeats.
    Lost,
}

impl State {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Draining => "draining",
            Self::Drained => "drained",
            Self::Offline => "offline",
            Self::Lost => "lost",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One component, as its last status said.
#[derive(Debug, Clone, Serialize)]
pub struct Seen {
    /// Who it is.
    pub fingerprint: Fingerprint,
    /// What its last status said.
    pub liveness: Liveness,
    /// Its state now.
    pub state: State,
    /// Seconds since its last status.
    pub last_heartbeat_s: f64,
    /// Seconds since it started, by its own clock's start time.
    pub uptime_s: Option<f64>,
    /// The status it last sent, as it said it (`online`, `heartbeat`...;
    /// a Postage component's own word).
    #[serde(rename = "status")]
    said: String,
    #[serde(skip)]
    heard: Instant,
}

/// Every component seen, by instance id.
#[derive(Debug, Default, Clone)]
pub struct Components {
    seen: BTreeMap<String, Seen>,
}

impl Components {
    /// Takes in a liveness status; returns whether the component's state
    /// changed (or it is new).
    pub fn hear(&mut self, message: Message<Liveness>) -> bool {
        let state = match (message.name.as_str(), message.content.activity) {
            ("offline", _) => State::Offline,
            (_, Activity::Draining) => State::Draining,
            (_, Activity::Drained) => State::Drained,
            (_, Activity::Stopping) => State::Offline,
            (_, Activity::Serving) => State::Online,
        };
        let key = instance_key(&message.fingerprint);
        let changed = self.seen.get(&key).is_none_or(|seen| seen.state != state);
        self.seen.insert(
            key,
            Seen {
                fingerprint: message.fingerprint,
                liveness: message.content,
                state,
                last_heartbeat_s: 0.0,
                uptime_s: None,
                heard: Instant::now(),
                said: message.name,
            },
        );
        changed
    }

    /// Marks `lost` the components that missed two heartbeats; returns
    /// those that became lost.
    pub fn expire(&mut self) -> Vec<Seen> {
        let mut lost = Vec::new();
        for seen in self.seen.values_mut() {
            // No interval announced (a Postage component): never lost.
            let beats = seen.liveness.heartbeat_s > 0.0;
            let live =
                beats && matches!(seen.state, State::Online | State::Draining | State::Drained);
            let allowed =
                Duration::from_secs_f64(seen.liveness.heartbeat_s.max(0.1) * MISSED_BEATS);
            if live && seen.heard.elapsed() > allowed {
                seen.state = State::Lost;
                lost.push(seen.clone());
            }
        }
        lost
    }

    /// The components, ages filled in, sorted by name then pid@host.
    pub fn list(&self) -> Vec<Seen> {
        let now = SystemTime::now();
        let mut list: Vec<Seen> = self
            .seen
            .values()
            .map(|seen| {
                let mut seen = seen.clone();
                seen.last_heartbeat_s = seen.heard.elapsed().as_secs_f64();
                seen.uptime_s = time_of(&seen.fingerprint.started_at)
                    .and_then(|started| now.duration_since(started).ok())
                    .map(|up| up.as_secs_f64());
                seen
            })
            .collect();
        list.sort_by(|a, b| {
            (&a.fingerprint.name, a.fingerprint.pid_at_host())
                .cmp(&(&b.fingerprint.name, b.fingerprint.pid_at_host()))
        });
        list
    }

    /// The longest heartbeat interval announced, if any was.
    pub fn longest_heartbeat(&self) -> Option<Duration> {
        self.seen
            .values()
            .map(|seen| seen.liveness.heartbeat_s)
            .fold(None, |longest: Option<f64>, s| {
                Some(longest.map_or(s, |l| l.max(s)))
            })
            .map(|s| Duration::from_secs_f64(s.max(0.0)))
    }
}

impl Seen {
    /// The status message it last sent (`online`, `heartbeat`...).
    pub fn last_said(&self) -> &str {
        &self.said
    }

    /// What a list shows as its state: the state, or the status as it
    /// said it when that is none of ours (a Postage component's `busy`).
    pub fn shown_state(&self) -> &str {
        match self.said.as_str() {
            "online" | "heartbeat" | "drained" | "offline" => self.state.as_str(),
            own => own,
        }
    }
}

/// The key a component is kept under: its instance id, or for a Postage
/// component (which has none) its name and pid@host, since one Python
/// process may run several components.
pub(crate) fn instance_key(fingerprint: &Fingerprint) -> String {
    if fingerprint.instance.is_empty() {
        format!("{} {}", fingerprint.name, fingerprint.pid_at_host())
    } else {
        fingerprint.instance.clone()
    }
}

/// What a [`StatusFeed`] hears.
#[derive(Debug, Clone)]
pub enum Heard {
    /// A liveness status.
    Liveness(Message<Liveness>),
    /// A component's answer to a control command.
    Answer(Message<Answer>),
}

/// The status topic, followed.
#[derive(Debug)]
pub struct StatusFeed {
    subscription: Box<dyn Subscription>,
}

impl StatusFeed {
    /// Follows the status topic of `bus` from now on.
    ///
    /// # Errors
    /// The bus's, if following cannot begin.
    pub async fn follow(bus: &Arc<dyn Bus>) -> Result<Self, TransportError> {
        let subscription = bus.subscribe(STATUS_TOPIC).await?;
        Ok(Self { subscription })
    }

    /// The next status message, skipping anything else on the topic.
    ///
    /// # Errors
    /// The bus's, once the subscription ended.
    pub async fn next(&mut self) -> Result<Heard, TransportError> {
        loop {
            let body = self.subscription.next().await?;
            match Status::parse(&body) {
                Some(Status::Liveness(message)) => return Ok(Heard::Liveness(message)),
                Some(Status::Answer(message)) => return Ok(Heard::Answer(message)),
                None => tracing::debug!("skipped a message on the status topic that is no status"),
            }
        }
    }

    /// What is heard until `deadline`, into `components`; answers are
    /// handed to `on_answer`.
    ///
    /// # Errors
    /// The bus's, if the subscription ended.
    pub async fn gather_until(
        &mut self,
        deadline: Instant,
        components: &mut Components,
        mut on_answer: impl FnMut(Message<Answer>) -> bool,
    ) -> Result<(), TransportError> {
        loop {
            let heard = match tokio::time::timeout_at(deadline.into(), self.next()).await {
                Err(_elapsed) => return Ok(()),
                Ok(heard) => heard?,
            };
            match heard {
                Heard::Liveness(message) => {
                    components.hear(message);
                }
                Heard::Answer(answer) => {
                    if on_answer(answer) {
                        return Ok(());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beat(name: &str, activity: Activity, heartbeat_s: f64) -> Message<Liveness> {
        let fingerprint = Fingerprint::new("maps", "service", "1.0");
        Message::new(
            "status",
            name,
            fingerprint,
            Liveness {
                activity,
                heartbeat_s,
                transports: Vec::new(),
                methods: Vec::new(),
                in_flight: 0,
                done: 0,
                at: String::new(),
            },
        )
    }

    #[test]
    fn states_follow_what_components_say() {
        let mut components = Components::default();
        let online = beat("online", Activity::Serving, 5.0);
        assert!(components.hear(online.clone()));
        assert!(!components.hear(Message {
            name: "heartbeat".into(),
            ..online.clone()
        }));
        let mut drained = online.clone();
        drained.content.activity = Activity::Drained;
        assert!(components.hear(drained));
        assert_eq!(components.list()[0].state, State::Drained);
        assert!(components.hear(Message {
            name: "offline".into(),
            ..online
        }));
        assert_eq!(components.list()[0].state, State::Offline);
        assert!(components.list()[0].uptime_s.is_some());
    }

    #[test]
    fn a_component_missing_two_heartbeats_is_lost_and_an_offline_one_is_not() {
        let mut components = Components::default();
        components.hear(beat("heartbeat", Activity::Serving, 0.01));
        let mut gone = beat("offline", Activity::Stopping, 0.01);
        gone.fingerprint.name = "other".into();
        components.hear(gone);
        // Intervals are taken as at least 0.1 s: two of them.
        std::thread::sleep(Duration::from_millis(250));
        let lost = components.expire();
        assert_eq!(lost.len(), 1);
        assert_eq!(lost[0].fingerprint.name, "maps");
        let states: Vec<State> = components.list().iter().map(|s| s.state).collect();
        assert_eq!(states, [State::Lost, State::Offline]);
        assert!(components.expire().is_empty(), "lost once, not again");
    }

    #[test]
    fn a_postage_component_is_never_lost_and_its_own_word_is_shown() {
        let mut components = Components::default();
        let postage = Message::new(
            "status",
            "busy",
            Fingerprint::new("echo_receive", "controller", ""),
            Liveness::default(),
        );
        components.hear(postage.clone());
        // Same process, another component: listed apart.
        components.hear(Message {
            name: "online".into(),
            fingerprint: Fingerprint::new("echo_send", "application", ""),
            ..postage.clone()
        });
        std::thread::sleep(Duration::from_millis(250));
        assert!(components.expire().is_empty());
        let list = components.list();
        let shown: Vec<(&str, &str)> = list
            .iter()
            .map(|s| (s.fingerprint.name.as_str(), s.shown_state()))
            .collect();
        assert_eq!(shown, [("echo_receive", "busy"), ("echo_send", "online")]);
        assert_eq!(list[0].state, State::Online);
        components.hear(Message {
            name: "offline".into(),
            ..postage
        });
        assert_eq!(components.list()[0].state, State::Offline);
    }
}
