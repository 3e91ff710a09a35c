//! A subscription to a topic of the AMQP bus: a connection of its own, an
//! exclusive broker-named queue bound to the topic's fanout exchange, as
//! pika programs subscribe (`queue_declare(queue="", exclusive=True)`,
//! `queue_bind(exchange=topic)`), consumed without acks. Dropping the
//! subscription closes its connection (lapin closes a dropped one), and
//! the queue goes with it.

use futures_util::StreamExt;
use lapin::options::BasicConsumeOptions;
use lapin::types::FieldTable;
use lapin::{Connection, Consumer};
use switchboard::TransportError;
use switchboard::async_trait;
use switchboard::catalog::bus;

use crate::error::AmqpError;
use crate::settings::ConnectionSettings;
use crate::topology::{ExchangeSpec, QueueSpec, bind, declare_exchange, declare_queue, short};

/// Connection attempts of a subscription before it gives up.
const CONNECT_ATTEMPTS: u32 = 4;
/// The wait before the second attempt; it doubles.
const CONNECT_RETRY: std::time::Duration = std::time::Duration::from_millis(50);

/// A consumer of one fanout exchange through its own queue.
pub(crate) struct Subscription {
    // Held, not used: dropping it closes the connection, and the queue.
    _connection: Connection,
    consumer: Consumer,
}

impl Subscription {
    /// Subscribes to `topic`: consuming once this returns.
    pub(crate) async fn open(
        settings: &ConnectionSettings,
        topic: &str,
    ) -> Result<Self, AmqpError> {
        let connection = connect(settings).await?;
        let channel = connection
            .create_channel()
            .await
            .map_err(AmqpError::channel("channel.open"))?;
        declare_exchange(&channel, &ExchangeSpec::fanout(topic), false).await?;
        // Exclusive only, as the course's client declares it: the broker
        // deletes it with the connection.
        let queue = declare_queue(&channel, &QueueSpec::new("").exclusive(true), false).await?;
        bind(&channel, &queue, topic, "").await?;
        let no_ack = BasicConsumeOptions {
            no_ack: true,
            ..BasicConsumeOptions::default()
        };
        let consumer = channel
            .basic_consume(
                short("queue name", &queue)?,
                "".into(),
                no_ack,
                FieldTable::default(),
            )
            .await
            .map_err(AmqpError::channel("basic.consume"))?;
        Ok(Self {
            _connection: connection,
            consumer,
        })
    }
}

/// Connects, trying again after a refused or reset connection: a broker
/// meeting many subscribers at once drops some.
async fn connect(settings: &ConnectionSettings) -> Result<Connection, AmqpError> {
    let mut delay = CONNECT_RETRY;
    let mut attempt = 1;
    loop {
        match settings.connect().await {
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

#[async_trait]
impl bus::Subscription for Subscription {
    async fn next(&mut self) -> Result<Vec<u8>, TransportError> {
        match self.consumer.next().await {
            Some(Ok(delivery)) => Ok(delivery.data),
            Some(Err(err)) => {
                tracing::warn!(error = %err, "the subscription's queue failed");
                Err(TransportError::Closed)
            }
            None => Err(TransportError::Closed),
        }
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}
