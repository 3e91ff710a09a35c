//! The RabbitMQ backend. Every name is declared exactly as the course's
//! programs declare it, or the broker would refuse one side
//! (`PRECONDITION_FAILED`): the `stats` queue with `queue_declare(queue=
//! "stats")` (not durable, not exclusive, no auto-delete, no arguments),
//! the `notifications` and `logs` exchanges with `exchange_declare(...,
//! exchange_type="fanout")`. Failed tasks go to the `stats.failed`
//! dead-letter exchange and its durable queue, which the course's programs
//! never touch.

use std::sync::Arc;

use futures_util::StreamExt;
use lapin::options::{
    BasicConsumeOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{Connection, Consumer, ExchangeKind};
use switchboard_amqp::{
    AmqpClient, AmqpError, AmqpServer, Binding, BindingSpec, ClientOptions, ConnectionSettings,
    ExchangeSpec, QueueSpec, ServerOptions, Topology,
};
use tokio::sync::OnceCell;

use super::{BackendError, DEAD_LETTERS, LOGS, NOTIFICATIONS, STATS_QUEUE, WORKER_METHOD};

/// The RabbitMQ backend: connects on first use.
#[derive(Debug, Clone)]
pub struct AmqpBackend {
    settings: ConnectionSettings,
    client: Arc<OnceCell<AmqpClient>>,
}

/// The options of a worker consuming the `stats` queue: bound to
/// `compute_stats`, the exchanges and the dead-letter queue declared, a
/// failing task dead-lettered after one attempt (the course acknowledges
/// every task once).
pub fn worker_options(prefetch: u16) -> ServerOptions {
    let topology = Topology {
        exchanges: vec![
            ExchangeSpec::fanout(NOTIFICATIONS),
            ExchangeSpec::fanout(LOGS),
            ExchangeSpec::fanout(DEAD_LETTERS).durable(true),
        ],
        queues: vec![QueueSpec::new(DEAD_LETTERS).durable(true)],
        bindings: vec![BindingSpec {
            queue: DEAD_LETTERS.to_owned(),
            exchange: DEAD_LETTERS.to_owned(),
            routing_key: String::new(),
        }],
    };
    let binding = Binding::work_queue(QueueSpec::new(STATS_QUEUE)).with_method(WORKER_METHOD);
    ServerOptions::new(binding)
        .with_topology(topology)
        .with_prefetch(prefetch)
        .with_retries(1, std::time::Duration::ZERO)
        .with_dead_letter(DEAD_LETTERS, None)
}

/// Declares the queue, the exchanges and the dead-letter queue.
///
/// # Errors
/// [`AmqpError`] if the broker cannot be reached or refuses a declaration.
pub async fn declare(settings: &ConnectionSettings) -> Result<(), AmqpError> {
    AmqpServer::new(settings.clone(), worker_options(1))
        .declare()
        .await
}

impl AmqpBackend {
    pub(crate) fn new(settings: ConnectionSettings) -> Self {
        Self {
            settings,
            client: Arc::default(),
        }
    }

    /// The connection settings.
    pub fn settings(&self) -> &ConnectionSettings {
        &self.settings
    }

    async fn client(&self) -> Result<&AmqpClient, BackendError> {
        self.client
            .get_or_try_init(|| async {
                declare(&self.settings).await?;
                // Transient messages, as pika publishes them.
                let options = ClientOptions::to_queue(STATS_QUEUE).with_persistent(false);
                Ok::<_, BackendError>(AmqpClient::connect(self.settings.clone(), options).await?)
            })
            .await
    }

    pub(crate) async fn enqueue(&self, task: &[u8]) -> Result<(), BackendError> {
        let client = self.client().await?;
        client
            .publish("", STATS_QUEUE, "application/json", task)
            .await?;
        Ok(())
    }

    pub(crate) async fn publish(&self, exchange: &str, body: &[u8]) -> Result<(), BackendError> {
        let client = self.client().await?;
        client
            .publish_event(exchange, "", "application/json", body)
            .await?;
        Ok(())
    }

    /// An exclusive, broker-named queue bound to `notifications`, as the
    /// course's client declares it; consuming once this returns.
    pub(crate) async fn subscribe(&self) -> Result<Listener, BackendError> {
        let connection = self.connect().await?;
        let channel_error =
            |operation: &'static str| move |source| AmqpError::Channel { operation, source };
        let channel = connection
            .create_channel()
            .await
            .map_err(channel_error("create_channel"))?;
        channel
            .exchange_declare(
                NOTIFICATIONS.into(),
                ExchangeKind::Fanout,
                ExchangeDeclareOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(channel_error("exchange_declare"))?;
        let queue = channel
            .queue_declare(
                "".into(),
                QueueDeclareOptions {
                    exclusive: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(channel_error("queue_declare"))?;
        channel
            .queue_bind(
                queue.name().clone(),
                NOTIFICATIONS.into(),
                "".into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(channel_error("queue_bind"))?;
        let consumer = channel
            .basic_consume(
                queue.name().clone(),
                "stats-client".into(),
                BasicConsumeOptions {
                    no_ack: true,
                    ..BasicConsumeOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(channel_error("basic_consume"))?;
        Ok(Listener {
            connection,
            consumer,
        })
    }
}

impl AmqpBackend {
    /// Connects, trying again after a refused or reset connection: a
    /// broker meeting many clients at once drops some.
    async fn connect(&self) -> Result<Connection, AmqpError> {
        let mut delay = CONNECT_RETRY;
        let mut attempt = 1;
        loop {
            match self.settings.connect().await {
                Err(AmqpError::Connect { .. }) if attempt < CONNECT_ATTEMPTS => {
                    tracing::debug!(attempt, "broker connection failed; trying again");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

/// Connection attempts of a subscription before it gives up.
const CONNECT_ATTEMPTS: u32 = 4;
/// The wait before the second attempt; it doubles.
const CONNECT_RETRY: std::time::Duration = std::time::Duration::from_millis(50);

/// A consumer of the `notifications` exchange through its own queue.
pub struct Listener {
    connection: Connection,
    consumer: Consumer,
}

impl Listener {
    pub(crate) async fn next(&mut self) -> Result<Vec<u8>, BackendError> {
        match self.consumer.next().await {
            Some(Ok(delivery)) => Ok(delivery.data),
            Some(Err(err)) => {
                tracing::warn!(error = %err, "the notification queue failed");
                Err(BackendError::Closed)
            }
            None => Err(BackendError::Closed),
        }
    }

    /// Closes the connection (the exclusive queue goes with it).
    pub async fn close(self) {
        let _ = self.connection.close(200, "done".into()).await;
    }
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener").finish_non_exhaustive()
    }
}
