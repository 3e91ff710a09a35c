//! [`ServerOptions`]: what a server consumes and how it treats failures.

use std::time::Duration;

use switchboard::Protocols;

use crate::backoff::Backoff;
use crate::delivery::Binding;
use crate::topology::Topology;

/// The default prefetch: how many messages a consumer holds unacked, which
/// is also how many calls it runs at once.
pub const DEFAULT_PREFETCH: u16 = 32;
/// The default number of attempts before a failing one-way call is
/// dead-lettered.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// The default wait before a failed one-way call is tried again.
pub const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(1);

/// Where dead letters go: an exchange and a routing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The exchange (it, and a queue bound to it, must exist: declare them
    /// in [`ServerOptions::topology`]).
    pub exchange: String,
    /// The routing key; `None`: the name of the queue the message came from.
    pub routing_key: Option<String>,
}

/// What an [`AmqpServer`](super::AmqpServer) consumes and how.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerOptions {
    /// What to consume; one consumer per binding, on one channel.
    pub bindings: Vec<Binding>,
    /// Messages held unacked per consumer: the concurrency bound.
    pub prefetch: u16,
    /// Extra topology declared before consuming (dead-letter exchange and
    /// queue, say).
    pub topology: Topology,
    /// Only check that the named exchanges and queues exist.
    pub passive: bool,
    /// Attempts before a one-way call failing on the server's side is
    /// dead-lettered (at least 1).
    pub max_attempts: u32,
    /// The wait before the next attempt.
    pub retry_delay: Duration,
    /// Where poison messages go. `None`: they are rejected without requeue,
    /// so the queue's own `x-dead-letter-exchange` (if any) takes them.
    pub dead_letter: Option<DeadLetter>,
    /// Reconnect steps after the connection or channel drops.
    pub reconnect: Backoff,
    /// Protocols picked by a message's `content_type`, before the
    /// [`Server`](switchboard::Server)'s own (the default, also used for
    /// messages without a content type): a content type tagged with a
    /// protocol's name (`application/json; protocol=json`, see
    /// [`tagged_content_type`](switchboard::protocol::tagged_content_type))
    /// is read by that protocol, an untagged one by the first of its media
    /// type. So one queue carries both JSON protocols.
    pub protocols: Vec<(String, Protocols)>,
}

impl ServerOptions {
    /// Consumes `binding`, with the defaults.
    pub fn new(binding: Binding) -> Self {
        Self {
            bindings: vec![binding],
            prefetch: DEFAULT_PREFETCH,
            topology: Topology::default(),
            passive: false,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            retry_delay: DEFAULT_RETRY_DELAY,
            dead_letter: None,
            reconnect: Backoff::default(),
            protocols: Vec::new(),
        }
    }

    /// Also consumes `binding`.
    #[must_use]
    pub fn with_binding(mut self, binding: Binding) -> Self {
        self.bindings.push(binding);
        self
    }

    /// Holds at most `prefetch` messages (and calls) at once per consumer.
    #[must_use]
    pub fn with_prefetch(mut self, prefetch: u16) -> Self {
        self.prefetch = prefetch.max(1);
        self
    }

    /// Declares `topology` before consuming.
    #[must_use]
    pub fn with_topology(mut self, topology: Topology) -> Self {
        self.topology = topology;
        self
    }

    /// Declares nothing; checks that the topology exists.
    #[must_use]
    pub fn with_passive(mut self, passive: bool) -> Self {
        self.passive = passive;
        self
    }

    /// Tries failing one-way calls `max_attempts` times, `delay` apart.
    #[must_use]
    pub fn with_retries(mut self, max_attempts: u32, delay: Duration) -> Self {
        self.max_attempts = max_attempts.max(1);
        self.retry_delay = delay;
        self
    }

    /// Dead-letters to `exchange` with `routing_key` (default: the queue's
    /// name).
    #[must_use]
    pub fn with_dead_letter(
        mut self,
        exchange: impl Into<String>,
        routing_key: Option<String>,
    ) -> Self {
        self.dead_letter = Some(DeadLetter {
            exchange: exchange.into(),
            routing_key,
        });
        self
    }

    /// Reconnects with `backoff`.
    #[must_use]
    pub fn with_reconnect(mut self, backoff: Backoff) -> Self {
        self.reconnect = backoff;
        self
    }

    /// Reads messages of `media_type` with `protocols`: untagged ones
    /// (unless an earlier protocol reads that media type too), and those
    /// tagged with the input protocol's name (`; protocol=json`).
    #[must_use]
    pub fn with_protocol(
        mut self,
        media_type: impl Into<String>,
        protocols: impl Into<Protocols>,
    ) -> Self {
        self.protocols.push((media_type.into(), protocols.into()));
        self
    }
}
