//! Sending control commands: [`send`] publishes `drain`, `quit` or
//! `restart` for a target on the control topic and gathers the answers
//! from the status topic, which it follows first so none is missed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use switchboard::catalog::bus::Bus;
use switchboard::{Fingerprint, TransportError};

use super::runtime::Command;
use super::secret::{ControlSecret, now_rfc3339};
use super::watch::{Components, Seen, State, StatusFeed};
use super::wire::{Answer, CONTROL_TOPIC, ControlContent, ControlParameters, Message, encode};

/// How long to wait for heartbeats when no component announced its own
/// interval yet: the default interval.
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(5);

/// A control command to send.
#[derive(Debug, Clone)]
pub struct ControlRequest {
    /// What to do.
    pub command: Command,
    /// Who: a component name, `pid@host`, an instance id, or `all`.
    pub target: String,
    /// How long to wait for the answers.
    pub timeout: Duration,
    /// The secret to sign with, when components require one.
    pub secret: Option<ControlSecret>,
}

/// What came back.
#[derive(Debug, Clone, Default)]
pub struct ControlReport {
    /// Each answer, in the order they came.
    pub answers: Vec<Message<Answer>>,
    /// Components the target names that were heard from but did not
    /// answer in time.
    pub silent: Vec<Seen>,
}

impl ControlReport {
    /// Whether every component targeted answered, none refused, and at
    /// least one answered.
    pub fn succeeded(&self) -> bool {
        !self.answers.is_empty()
            && self.silent.is_empty()
            && self.answers.iter().all(|a| a.content.outcome != "refused")
    }
}

/// Sends `request` from `sender` on `bus` and waits for the answers: until
/// every component the target names answered (those heard from in a
/// heartbeat interval, or the one a `pid@host` or instance target names),
/// or until the timeout.
///
/// # Errors
/// The bus's, if the status topic cannot be followed or the command not
/// published.
pub async fn send(
    bus: &Arc<dyn Bus>,
    sender: &Fingerprint,
    request: &ControlRequest,
) -> Result<ControlReport, TransportError> {
    let mut feed = StatusFeed::follow(bus).await?;
    let parameters = ControlParameters {
        target: request.target.clone(),
        request: format!("{}-{:016x}", sender.instance, fastrand::u64(..)),
        sent_at: now_rfc3339(),
    };
    let name = request.command.as_str();
    let mut message = Message::new(
        "command",
        name,
        sender.clone(),
        ControlContent {
            parameters: parameters.clone(),
        },
    );
    if let Some(secret) = &request.secret {
        message.reserved.signature = Some(secret.sign(name, &parameters));
    }
    bus.publish(CONTROL_TOPIC, encode(&message)).await?;

    let started = Instant::now();
    let deadline = started + request.timeout;
    let single = names_one(&request.target);
    let mut components = Components::default();
    let mut report = ControlReport::default();
    loop {
        // Wake up at least once a second to see whether all answered.
        let step = (Instant::now() + Duration::from_secs(1)).min(deadline);
        let mut answered_one = false;
        feed.gather_until(step, &mut components, |answer| {
            if answer.content.request != parameters.request {
                return false;
            }
            report.answers.push(answer);
            answered_one = true;
            single
        })
        .await?;
        let heard_long_enough =
            started.elapsed() >= components.longest_heartbeat().unwrap_or(DEFAULT_HEARTBEAT);
        let silent = silent(&components, &parameters, &report.answers);
        let done = (single && answered_one)
            || (heard_long_enough && silent.is_empty() && !report.answers.is_empty());
        if done || Instant::now() >= deadline {
            report.silent = silent;
            return Ok(report);
        }
    }
}

/// Whether `target` names one process (an instance id or `pid@host`)
/// rather than every component of a name, or all.
fn names_one(target: &str) -> bool {
    target.contains('@') || (target.len() == 16 && target.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The live components the command targets that have not answered; not
/// those that started since it was sent (a restarted one), which never
/// saw it.
fn silent(
    components: &Components,
    command: &ControlParameters,
    answers: &[Message<Answer>],
) -> Vec<Seen> {
    let target = command.target.as_str();
    components
        .list()
        .into_iter()
        .filter(|seen| matches!(seen.state, State::Online | State::Draining | State::Drained))
        // Both RFC 3339 in UTC to the second: they compare as text.
        .filter(|seen| seen.fingerprint.started_at < command.sent_at)
        .filter(|seen| {
            let me = &seen.fingerprint;
            target == "all"
                || target == me.name
                || target == me.instance
                || target == me.pid_at_host()
        })
        .filter(|seen| {
            !answers
                .iter()
                .any(|a| a.fingerprint.instance == seen.fingerprint.instance)
        })
        .collect()
}
