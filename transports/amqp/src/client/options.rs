//! [`ClientOptions`]: where an [`AmqpClient`](super::AmqpClient) publishes
//! and how it waits for replies.

use std::collections::BTreeSet;

/// Where replies come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ReplyMode {
    /// RabbitMQ's direct reply-to (`amq.rabbitmq.reply-to`): no queue at
    /// all, the fastest.
    #[default]
    DirectReplyTo,
    /// A broker-named exclusive auto-delete queue per connection, for
    /// brokers without direct reply-to.
    ExclusiveQueue,
    /// A broker-named exclusive auto-delete queue per call, consumed until
    /// its one reply comes, then cancelled: Postage's scheme. Whatever
    /// arrives there is the reply, so it works with servers that answer
    /// `reply_to` without the request's `correlation_id` (Postage's
    /// `GenericConsumer.rpc_reply`); it costs a queue declaration per call.
    PerCall,
}

impl ReplyMode {
    /// The value of the `reply` address option: `direct`, `exclusive` or
    /// `per_call`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DirectReplyTo => "direct",
            Self::ExclusiveQueue => "exclusive",
            Self::PerCall => "per_call",
        }
    }
}

impl std::str::FromStr for ReplyMode {
    type Err = String;

    /// Reads the `reply` address option's value.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        [Self::DirectReplyTo, Self::ExclusiveQueue, Self::PerCall]
            .into_iter()
            .find(|mode| mode.as_str() == value)
            .ok_or_else(|| format!("`{value}` is not a reply mode (direct, exclusive, per_call)"))
    }
}

/// How a request's routing key is chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Routing {
    /// Always this routing key (a queue's name, on the default exchange).
    Fixed(String),
    /// The prefix followed by the method's name: one queue per method, each
    /// bound to its method, so bodies carry the bare parameters.
    PerMethod(String),
}

/// Where and how an [`AmqpClient`](super::AmqpClient) publishes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientOptions {
    /// The exchange requests are published to (empty: the default
    /// exchange, which routes by queue name).
    pub exchange: String,
    /// The routing key of each request.
    pub routing: Routing,
    /// Where replies come back.
    pub reply_mode: ReplyMode,
    /// Whether one-way messages are persistent (delivery mode 2), so a
    /// durable queue keeps them across a broker restart.
    pub persistent: bool,
    /// Methods safe to run twice: a call to one that fails on a lost
    /// connection is sent again, up to `retries` times, before its deadline.
    pub idempotent: BTreeSet<String>,
    /// How often an idempotent call is sent again.
    pub retries: u32,
}

impl ClientOptions {
    /// Publishes to the queue `queue` through the default exchange.
    pub fn to_queue(queue: impl Into<String>) -> Self {
        Self::to_exchange("", queue)
    }

    /// Publishes to `exchange` with `routing_key`.
    pub fn to_exchange(exchange: impl Into<String>, routing_key: impl Into<String>) -> Self {
        Self {
            exchange: exchange.into(),
            routing: Routing::Fixed(routing_key.into()),
            reply_mode: ReplyMode::default(),
            persistent: true,
            idempotent: BTreeSet::new(),
            retries: 0,
        }
    }

    /// Publishes each call to `exchange` with the routing key `prefix` +
    /// method name, to queues bound to one method each.
    pub fn per_method(exchange: impl Into<String>, prefix: impl Into<String>) -> Self {
        Self {
            routing: Routing::PerMethod(prefix.into()),
            ..Self::to_exchange(exchange, "")
        }
    }

    /// Waits for replies per `mode`.
    #[must_use]
    pub fn with_reply_mode(mut self, mode: ReplyMode) -> Self {
        self.reply_mode = mode;
        self
    }

    /// Sends `methods` again, up to `retries` times, when the connection is
    /// lost before their reply.
    #[must_use]
    pub fn with_idempotent<I, S>(mut self, methods: I, retries: u32) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.idempotent = methods.into_iter().map(Into::into).collect();
        self.retries = retries;
        self
    }

    /// Whether one-way messages are persistent.
    #[must_use]
    pub fn with_persistent(mut self, persistent: bool) -> Self {
        self.persistent = persistent;
        self
    }

    /// The routing key for `method`.
    pub fn routing_key(&self, method: &str) -> String {
        match &self.routing {
            Routing::Fixed(key) => key.clone(),
            Routing::PerMethod(prefix) => format!("{prefix}{method}"),
        }
    }
}
