//! The delivery models a server consumes by, named per [`Binding`]:
//!
//! | model | declared | who gets a message | use |
//! |---|---|---|---|
//! | [`WorkQueue`](DeliveryModel::WorkQueue) | the named queue (durable if configured so) | exactly one consumer; competing consumers share the load, `prefetch` at a time each | tasks, RPC services |
//! | [`Broadcast`](DeliveryModel::Broadcast) | the fanout exchange, and per consumer a broker-named exclusive auto-delete queue bound to it | every consumer gets every message (while it is connected) | notifications, cache invalidation |
//! | [`Topic`](DeliveryModel::Topic) | the topic exchange, the queue (shared by name, or private), the pattern binding | one consumer per queue, for messages whose routing key matches the pattern | filtered events, logs by severity |
//! | [`Routed`](DeliveryModel::Routed) | the exchange (any type, its flags as given), the queue, one binding per routing key | one consumer per queue: a queue shared by name takes turns (round robin), a queue of one consumer's own (`{queue}-{pid}{host}`, Postage's private queue) gets every message | Postage's `eqk`: `(Exchange, [(queue, key), ...])` |
//!
//! A binding may name one method: its messages are then that method's bare
//! parameters (`{"s": "hi"}`), as over `POST /json/{method}`, for in
//! protocols that have such a form (the JSON document); JSON-RPC bodies name
//! their method themselves.

use lapin::Channel;

use crate::error::AmqpError;
use crate::topology::{ExchangeSpec, QueueSpec, bind, declare_exchange, declare_queue};

/// How messages reach a consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryModel {
    /// A shared queue: each message to one consumer.
    WorkQueue(QueueSpec),
    /// A fanout exchange: each consumer declares its own private queue.
    Broadcast(ExchangeSpec),
    /// A topic exchange, a queue and a routing-key pattern.
    Topic {
        /// The topic exchange.
        exchange: ExchangeSpec,
        /// The routing-key pattern (`logs.*`, `sensor.#`).
        pattern: String,
        /// The queue bound by the pattern ([`QueueSpec::private`] for one
        /// per consumer).
        queue: QueueSpec,
    },
    /// A named exchange of any type and a queue bound to it by each of
    /// several routing keys: Postage's `eqk` entries for one queue.
    Routed {
        /// The exchange, declared with exactly its flags.
        exchange: ExchangeSpec,
        /// The routing keys the queue is bound by (at least one; an empty
        /// key for a fanout exchange).
        keys: Vec<String>,
        /// The queue.
        queue: QueueSpec,
    },
}

/// What one consumer of a server consumes: a delivery model and,
/// optionally, the one method its messages call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// How messages reach the consumer.
    pub model: DeliveryModel,
    /// The method every message calls, when the queue is bound to one.
    pub method: Option<String>,
}

impl Binding {
    /// A work queue.
    pub fn work_queue(queue: QueueSpec) -> Self {
        Self {
            model: DeliveryModel::WorkQueue(queue),
            method: None,
        }
    }

    /// A broadcast through the fanout exchange `exchange`.
    pub fn broadcast(exchange: ExchangeSpec) -> Self {
        Self {
            model: DeliveryModel::Broadcast(exchange),
            method: None,
        }
    }

    /// `queue` bound to the topic exchange `exchange` by `pattern`.
    pub fn topic(exchange: ExchangeSpec, pattern: impl Into<String>, queue: QueueSpec) -> Self {
        Self {
            model: DeliveryModel::Topic {
                exchange,
                pattern: pattern.into(),
                queue,
            },
            method: None,
        }
    }

    /// `queue` bound to `exchange` by each of `keys` (Postage's `eqk`:
    /// `(EchoExchange, [("echo-queue", "echo-rk")])`).
    pub fn routed<I, K>(exchange: ExchangeSpec, keys: I, queue: QueueSpec) -> Self
    where
        I: IntoIterator<Item = K>,
        K: Into<String>,
    {
        Self {
            model: DeliveryModel::Routed {
                exchange,
                keys: keys.into_iter().map(Into::into).collect(),
                queue,
            },
            method: None,
        }
    }

    /// Binds the queue to `method`: bodies are its bare parameters.
    #[must_use]
    pub fn with_method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// The model's name, for logs: `work queue`, `broadcast`, `topic`.
    pub fn model_name(&self) -> &'static str {
        match self.model {
            DeliveryModel::WorkQueue(_) => "work queue",
            DeliveryModel::Broadcast(_) => "broadcast",
            DeliveryModel::Topic { .. } => "topic",
            DeliveryModel::Routed { .. } => "routed",
        }
    }

    /// Whether its queue has a name (shared), as opposed to a private queue
    /// the broker names per connection.
    pub fn has_named_queue(&self) -> bool {
        match &self.model {
            DeliveryModel::WorkQueue(queue)
            | DeliveryModel::Topic { queue, .. }
            | DeliveryModel::Routed { queue, .. } => !queue.is_private(),
            DeliveryModel::Broadcast(_) => false,
        }
    }

    /// The queue as metrics and readiness name it: its name, or
    /// `private:EXCHANGE` for a queue the broker names per connection
    /// (whose name would be a new label value on every connection).
    pub(crate) fn queue_label(&self) -> String {
        match &self.model {
            DeliveryModel::WorkQueue(queue) if !queue.is_private() => queue.name.clone(),
            DeliveryModel::Topic { queue, .. } if !queue.is_private() => queue.name.clone(),
            // A process's own queue (`{queue}-{pid}{host}`) is one label
            // value per process, as a work queue's consumer is.
            DeliveryModel::Routed { queue, .. } if !queue.is_private() => queue.name.clone(),
            DeliveryModel::WorkQueue(_) => "private:amq.default".to_owned(),
            DeliveryModel::Broadcast(exchange)
            | DeliveryModel::Topic { exchange, .. }
            | DeliveryModel::Routed { exchange, .. } => {
                format!("private:{}", exchange.name)
            }
        }
    }

    /// Declares (or, `passive`, checks) what the model needs; returns the
    /// queue to consume.
    pub(crate) async fn declare(
        &self,
        channel: &Channel,
        passive: bool,
    ) -> Result<String, AmqpError> {
        match &self.model {
            DeliveryModel::WorkQueue(queue) => declare_queue(channel, queue, passive).await,
            DeliveryModel::Broadcast(exchange) => {
                declare_exchange(channel, exchange, passive).await?;
                let queue = declare_queue(channel, &QueueSpec::private(), passive).await?;
                bind(channel, &queue, &exchange.name, "").await?;
                Ok(queue)
            }
            DeliveryModel::Topic {
                exchange,
                pattern,
                queue,
            } => {
                declare_exchange(channel, exchange, passive).await?;
                let name = declare_queue(channel, queue, passive).await?;
                if !passive || queue.is_private() {
                    bind(channel, &name, &exchange.name, pattern).await?;
                }
                Ok(name)
            }
            DeliveryModel::Routed {
                exchange,
                keys,
                queue,
            } => {
                declare_exchange(channel, exchange, passive).await?;
                let name = declare_queue(channel, queue, passive).await?;
                if !passive || queue.is_private() {
                    for key in keys {
                        bind(channel, &name, &exchange.name, key).await?;
                    }
                }
                Ok(name)
            }
        }
    }
}
