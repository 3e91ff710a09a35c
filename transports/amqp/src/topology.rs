//! Exchanges, queues and bindings as the operator configured them, declared
//! with **exactly** those arguments: the broker refuses a redeclaration that
//! differs (`PRECONDITION_FAILED`), and other programs (pika workers, other
//! services) declare the same names, so an argument nobody asked for would
//! break them or us. An unset option sends no argument at all.
//!
//! Passive mode declares nothing: it checks that each named exchange and
//! queue exists, and fails with the broker's `NOT_FOUND` otherwise.

use std::time::Duration;

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{Channel, ExchangeKind};

use crate::error::AmqpError;

/// An exchange to declare.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExchangeSpec {
    /// The exchange's name.
    pub name: String,
    /// `direct`, `fanout`, `topic` or `headers`.
    pub kind: String,
    /// Survives a broker restart.
    pub durable: bool,
    /// Deleted when its last binding goes.
    pub auto_delete: bool,
}

impl ExchangeSpec {
    /// A transient, non-auto-delete exchange of `kind` (AMQP's defaults).
    pub fn new(name: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind: kind.into(),
            durable: false,
            auto_delete: false,
        }
    }

    /// A fanout exchange named `name`.
    pub fn fanout(name: impl Into<String>) -> Self {
        Self::new(name, "fanout")
    }

    /// A topic exchange named `name`.
    pub fn topic(name: impl Into<String>) -> Self {
        Self::new(name, "topic")
    }

    /// Sets `durable`.
    #[must_use]
    pub fn durable(mut self, durable: bool) -> Self {
        self.durable = durable;
        self
    }

    /// Sets `auto_delete`.
    #[must_use]
    pub fn auto_delete(mut self, auto_delete: bool) -> Self {
        self.auto_delete = auto_delete;
        self
    }
}

/// A queue to declare. An empty name asks the broker to name it (private
/// queues).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct QueueSpec {
    /// The queue's name; empty: named by the broker.
    pub name: String,
    /// Survives a broker restart.
    pub durable: bool,
    /// Used by this connection only, deleted when it closes.
    pub exclusive: bool,
    /// Deleted when its last consumer goes.
    pub auto_delete: bool,
    /// `x-message-ttl`.
    pub message_ttl: Option<Duration>,
    /// `x-max-length`.
    pub max_length: Option<u32>,
    /// `x-dead-letter-exchange`: where the broker sends what it rejects or
    /// expires.
    pub dead_letter_exchange: Option<String>,
    /// `x-dead-letter-routing-key`.
    pub dead_letter_routing_key: Option<String>,
}

impl QueueSpec {
    /// A queue with AMQP's defaults: not durable, not exclusive, not
    /// auto-delete, no arguments (what `pika`'s `queue_declare(queue=...)`
    /// declares).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// A broker-named, exclusive, auto-delete queue: one consumer's own.
    pub fn private() -> Self {
        Self {
            exclusive: true,
            auto_delete: true,
            ..Self::default()
        }
    }

    /// Sets `durable`.
    #[must_use]
    pub fn durable(mut self, durable: bool) -> Self {
        self.durable = durable;
        self
    }

    /// Sets `exclusive`.
    #[must_use]
    pub fn exclusive(mut self, exclusive: bool) -> Self {
        self.exclusive = exclusive;
        self
    }

    /// Sets `auto_delete`.
    #[must_use]
    pub fn auto_delete(mut self, auto_delete: bool) -> Self {
        self.auto_delete = auto_delete;
        self
    }

    /// Sets `x-message-ttl`.
    #[must_use]
    pub fn message_ttl(mut self, ttl: Duration) -> Self {
        self.message_ttl = Some(ttl);
        self
    }

    /// Sets `x-max-length`.
    #[must_use]
    pub fn max_length(mut self, max_length: u32) -> Self {
        self.max_length = Some(max_length);
        self
    }

    /// Sets `x-dead-letter-exchange` (and the routing key, if given).
    #[must_use]
    pub fn dead_letter(mut self, exchange: impl Into<String>, routing_key: Option<String>) -> Self {
        self.dead_letter_exchange = Some(exchange.into());
        self.dead_letter_routing_key = routing_key;
        self
    }

    /// Whether the broker names the queue.
    pub fn is_private(&self) -> bool {
        self.name.is_empty()
    }

    /// The `x-` arguments, only those set.
    pub fn arguments(&self) -> FieldTable {
        let mut args = FieldTable::default();
        if let Some(ttl) = self.message_ttl {
            let ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
            args.insert("x-message-ttl".into(), AMQPValue::LongLongInt(ms));
        }
        if let Some(max) = self.max_length {
            args.insert("x-max-length".into(), AMQPValue::LongLongInt(max.into()));
        }
        if let Some(dlx) = &self.dead_letter_exchange {
            args.insert(
                "x-dead-letter-exchange".into(),
                AMQPValue::LongString(dlx.as_str().into()),
            );
        }
        if let Some(key) = &self.dead_letter_routing_key {
            args.insert(
                "x-dead-letter-routing-key".into(),
                AMQPValue::LongString(key.as_str().into()),
            );
        }
        args
    }
}

/// A queue bound to an exchange with a routing key (or pattern).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingSpec {
    /// The queue.
    pub queue: String,
    /// The exchange.
    pub exchange: String,
    /// The routing key or topic pattern.
    pub routing_key: String,
}

/// Extra topology to declare before consuming: a dead-letter exchange and
/// its queue, say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Topology {
    /// Exchanges, declared first.
    pub exchanges: Vec<ExchangeSpec>,
    /// Queues, declared next.
    pub queues: Vec<QueueSpec>,
    /// Bindings, declared last.
    pub bindings: Vec<BindingSpec>,
}

impl Topology {
    /// Declares (or, `passive`, checks) everything.
    pub(crate) async fn declare(&self, channel: &Channel, passive: bool) -> Result<(), AmqpError> {
        for exchange in &self.exchanges {
            declare_exchange(channel, exchange, passive).await?;
        }
        for queue in &self.queues {
            declare_queue(channel, queue, passive).await?;
        }
        if !passive {
            for binding in &self.bindings {
                bind(
                    channel,
                    &binding.queue,
                    &binding.exchange,
                    &binding.routing_key,
                )
                .await?;
            }
        }
        Ok(())
    }
}

/// A name as AMQP's short string (at most 255 bytes).
pub(crate) fn short(setting: &'static str, name: &str) -> Result<ShortString, AmqpError> {
    ShortString::try_new(name).map_err(|err| AmqpError::InvalidSetting {
        setting,
        why: err.to_string(),
    })
}

/// Declares `spec` (or, `passive`, checks it exists).
pub(crate) async fn declare_exchange(
    channel: &Channel,
    spec: &ExchangeSpec,
    passive: bool,
) -> Result<(), AmqpError> {
    if spec.name.is_empty() || spec.name.starts_with("amq.") {
        return Ok(()); // the broker's own exchanges exist and cannot be declared
    }
    let kind = match spec.kind.as_str() {
        "direct" => ExchangeKind::Direct,
        "fanout" => ExchangeKind::Fanout,
        "topic" => ExchangeKind::Topic,
        "headers" => ExchangeKind::Headers,
        other => ExchangeKind::Custom(other.to_owned()),
    };
    let options = ExchangeDeclareOptions {
        passive,
        durable: spec.durable,
        auto_delete: spec.auto_delete,
        ..ExchangeDeclareOptions::default()
    };
    let name = short("exchange name", &spec.name)?;
    channel
        .exchange_declare(name, kind, options, FieldTable::default())
        .await
        .map_err(|source| AmqpError::Topology {
            what: format!("exchange {:?}", spec.name),
            source,
        })?;
    tracing::debug!(exchange = %spec.name, passive, "exchange declared");
    Ok(())
}

/// Declares `spec` (or, `passive` and named, checks it exists); returns the
/// queue's name (the broker's choice for a private queue).
pub(crate) async fn declare_queue(
    channel: &Channel,
    spec: &QueueSpec,
    passive: bool,
) -> Result<String, AmqpError> {
    let options = QueueDeclareOptions {
        // A private queue is ours: it is created even in passive mode.
        passive: passive && !spec.is_private(),
        durable: spec.durable,
        exclusive: spec.exclusive,
        auto_delete: spec.auto_delete,
        ..QueueDeclareOptions::default()
    };
    let name = short("queue name", &spec.name)?;
    let queue = channel
        .queue_declare(name, options, spec.arguments())
        .await
        .map_err(|source| AmqpError::Topology {
            what: format!("queue {:?}", spec.name),
            source,
        })?;
    let name = queue.name().as_str().to_owned();
    tracing::debug!(queue = %name, passive, "queue declared");
    Ok(name)
}

/// Binds `queue` to `exchange` with `routing_key`.
pub(crate) async fn bind(
    channel: &Channel,
    queue: &str,
    exchange: &str,
    routing_key: &str,
) -> Result<(), AmqpError> {
    channel
        .queue_bind(
            short("queue name", queue)?,
            short("exchange name", exchange)?,
            short("routing key", routing_key)?,
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(|source| AmqpError::Topology {
            what: format!("binding of queue {queue:?} to {exchange:?} by {routing_key:?}"),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_arguments_asked_for_are_sent() {
        assert!(QueueSpec::new("stats").arguments().inner().is_empty());
        let spec = QueueSpec::new("jobs")
            .message_ttl(Duration::from_secs(60))
            .max_length(10)
            .dead_letter("dlx", None);
        let args = spec.arguments();
        let keys: Vec<&str> = args.inner().keys().map(ShortString::as_str).collect();
        assert_eq!(
            keys,
            ["x-dead-letter-exchange", "x-max-length", "x-message-ttl"]
        );
        assert_eq!(
            args.inner().get("x-message-ttl"),
            Some(&AMQPValue::LongLongInt(60_000))
        );
    }
}
