//! [`Link`]: one connection and channel of a client, its reply consumer,
//! and the calls waiting for a reply, matched by `correlation_id`. With
//! [`ReplyMode::PerCall`] the link has no reply consumer: each call brings
//! its own queue (`per_call`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use futures_util::StreamExt;
use lapin::options::{BasicConsumeOptions, ConfirmSelectOptions};
use lapin::types::{FieldTable, ShortString};
use lapin::{Channel, Connection};
use tokio::sync::oneshot;

use super::options::ReplyMode;
use crate::error::{AmqpError, error_chain};
use crate::metrics::{LinkMeters, Up};
use crate::settings::ConnectionSettings;
use crate::topology::{QueueSpec, declare_queue, short};

/// RabbitMQ's direct reply-to pseudo-queue.
pub const DIRECT_REPLY_TO: &str = "amq.rabbitmq.reply-to";

/// Calls waiting for their reply, by correlation id.
#[derive(Debug, Default)]
pub(crate) struct Pending(Mutex<HashMap<String, oneshot::Sender<Bytes>>>);

impl Pending {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, oneshot::Sender<Bytes>>> {
        // A panic while holding the lock leaves the map usable: take it.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for the reply to `id`; the guard forgets it when dropped.
    pub(crate) fn register(self: &Arc<Self>, id: String) -> (Waiting, oneshot::Receiver<Bytes>) {
        let (sender, receiver) = oneshot::channel();
        self.map().insert(id.clone(), sender);
        (
            Waiting {
                pending: Arc::clone(self),
                id,
            },
            receiver,
        )
    }

    fn deliver(&self, id: &str, body: Bytes) -> bool {
        match self.map().remove(id) {
            Some(sender) => sender.send(body).is_ok(),
            None => false,
        }
    }

    /// Fails every waiting call (their receivers see the sender dropped).
    fn fail_all(&self) {
        self.map().clear();
    }
}

/// Removes its call from [`Pending`] when the caller stops waiting.
#[derive(Debug)]
pub(crate) struct Waiting {
    pending: Arc<Pending>,
    id: String,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.pending.map().remove(&self.id);
    }
}

/// A connection, its publishing channel (confirms on), and the reply queue.
#[derive(Debug)]
pub(crate) struct Link {
    pub(crate) connection: Connection,
    pub(crate) channel: Channel,
    /// The shared reply queue; `None` when each call has its own.
    pub(crate) reply_to: Option<ShortString>,
    pub(crate) pending: Arc<Pending>,
    alive: Arc<AtomicBool>,
    /// In the connected gauge until the link dies.
    up: Arc<Up>,
}

impl Link {
    /// Connects, turns confirms on, and starts consuming replies; counts
    /// itself up in `meters` while it lives, and each reply that came for
    /// no waiting call in `late`.
    pub(crate) async fn open(
        settings: &ConnectionSettings,
        mode: ReplyMode,
        meters: &LinkMeters,
        late: ::metrics::Counter,
    ) -> Result<Self, AmqpError> {
        let connection = settings.connect().await?;
        let channel = connection
            .create_channel()
            .await
            .map_err(AmqpError::channel("channel.open"))?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(AmqpError::channel("confirm.select"))?;
        let reply_to = match mode {
            ReplyMode::DirectReplyTo => DIRECT_REPLY_TO.to_owned(),
            ReplyMode::ExclusiveQueue => {
                declare_queue(&channel, &QueueSpec::private(), false).await?
            }
            ReplyMode::PerCall => {
                let alive = Arc::new(AtomicBool::new(true));
                let up = Arc::new(meters.up());
                return Ok(Self {
                    connection,
                    channel,
                    reply_to: None,
                    pending: Arc::default(),
                    alive,
                    up,
                });
            }
        };
        let reply_to = short("reply queue", &reply_to)?;
        let no_ack = BasicConsumeOptions {
            no_ack: true,
            ..BasicConsumeOptions::default()
        };
        let mut replies = channel
            .basic_consume(reply_to.clone(), "".into(), no_ack, FieldTable::default())
            .await
            .map_err(AmqpError::channel("basic.consume"))?;
        let pending = Arc::new(Pending::default());
        let alive = Arc::new(AtomicBool::new(true));
        let up = Arc::new(meters.up());
        let (reader_pending, reader_alive, reader_up) =
            (Arc::clone(&pending), Arc::clone(&alive), Arc::clone(&up));
        tokio::spawn(async move {
            let mut why = String::from("the broker ended the reply consumer");
            while let Some(delivery) = replies.next().await {
                let delivery = match delivery {
                    Ok(delivery) => delivery,
                    Err(err) => {
                        why = error_chain(&err);
                        break;
                    }
                };
                let id = delivery
                    .properties
                    .correlation_id()
                    .as_ref()
                    .map(|id| id.as_str().to_owned());
                let delivered =
                    id.is_some_and(|id| reader_pending.deliver(&id, Bytes::from(delivery.data)));
                if !delivered {
                    late.increment(1);
                    tracing::debug!("a reply came for no waiting call (late or unknown); dropped");
                }
            }
            reader_alive.store(false, Ordering::Release);
            reader_up.down();
            reader_pending.fail_all();
            tracing::warn!(error = %why, "reply consumer ended; the connection or channel dropped");
        });
        Ok(Self {
            connection,
            channel,
            reply_to: Some(reply_to),
            pending,
            alive,
            up,
        })
    }

    /// Whether the connection and the reply consumer are up.
    pub(crate) fn is_alive(&self) -> bool {
        self.alive.load(Ordering::Acquire) && self.channel.status().connected()
    }

    /// Marks the link dead after a failed publish (or when it is replaced).
    pub(crate) fn kill(&self) {
        self.alive.store(false, Ordering::Release);
        self.up.down();
        self.pending.fail_all();
    }
}

impl Drop for Link {
    /// Nobody uses it any more: out of the connected gauge, even if its
    /// reply consumer still runs.
    fn drop(&mut self) {
        self.up.down();
    }
}
