//! [`Backend`]: where the stats system's messages travel: a message bus
//! of the transport catalog ([`switchboard::catalog::bus`]), picked at
//! startup by address, on which stats names its queue and topics. Any
//! linked transport that offers a bus carries it; the binary decides which
//! are linked.
//!
//! | message | on the bus | SQLite (`sqlite:QUEUE?events=EVENTS`) | RabbitMQ (`amqp://…`) |
//! |---|---|---|---|
//! | task `{"data", "sensor"}` | queue `stats`, method `compute_stats` | a row of the queue file, method `compute_stats` | the `stats` queue, default exchange, routing key `stats` |
//! | notification `{"task", "sensor"}` | topic `notifications` | a row of the events file, method `notifications` | the `notifications` fanout exchange |
//! | log `{"timestamp", "content"}` | topic `logs` | a row of the events file, method `logs` | the `logs` fanout exchange |
//! | failed task | dead letter `stats.failed` | the queue's `failures` table | the `stats.failed` dead-letter exchange and queue |

mod subscription;

use std::sync::Arc;

use switchboard::TransportError;
use switchboard::catalog::bus::{Bus, BusSettings, WorkQueue};
use switchboard::catalog::{self, Address, BindError, Bound, ServeSettings};

pub use subscription::Subscription;

/// The queue tasks go to.
pub const STATS_QUEUE: &str = "stats";
/// The topic (a fanout exchange on RabbitMQ) of notifications.
pub const NOTIFICATIONS: &str = "notifications";
/// The topic (a fanout exchange on RabbitMQ) of logs.
pub const LOGS: &str = "logs";
/// Where failed tasks go: the dead-letter exchange and queue on RabbitMQ.
pub const DEAD_LETTERS: &str = "stats.failed";
/// The method that runs a task: a queue's messages are its parameters.
pub const WORKER_METHOD: &str = "compute_stats";
/// The protocol tasks are encoded in: the JSON document, whose bare form
/// is the course's task object.
pub const TASK_PROTOCOL: &str = "json";
/// The name the backend's connections go by (a worker's adds `worker ID`).
pub const CLIENT_NAME: &str = "switchboard stats";

/// Why a message could not be sent or received.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// The bus could not be opened: an address that names no linked
    /// transport, or one without a bus, a file that cannot be opened.
    #[error("cannot open the stats bus")]
    Open(#[from] BindError),
    /// The protocol tasks are encoded in is not linked.
    #[error("the `{TASK_PROTOCOL}` protocol is not linked into this binary")]
    NoProtocol,
    /// The bus failed to take or deliver a message.
    #[error("the stats bus failed")]
    Transport(#[from] TransportError),
    /// The subscription ended (the broker closed it, the follower stopped).
    #[error("the notification subscription ended")]
    Closed,
}

/// Where tasks, notifications and logs go. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Backend {
    bus: Arc<dyn Bus>,
    address: Address,
}

impl Backend {
    /// The bus at `address`. A queue file is opened (created) now; a
    /// broker is connected to on first use, so a host starts while the
    /// broker is down.
    ///
    /// # Errors
    /// [`BackendError::Open`] if no linked transport offers a bus at
    /// `address`, or it cannot be opened.
    pub fn open(address: &Address) -> Result<Self, BackendError> {
        let protocol = catalog::protocol(TASK_PROTOCOL).ok_or(BackendError::NoProtocol)?;
        let settings = BusSettings::new(protocol).with_client_name(CLIENT_NAME);
        Ok(Self {
            bus: catalog::open_bus(address.clone(), settings)?,
            address: address.clone(),
        })
    }

    /// Where it is, as given (shown with any password masked).
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// Enqueues a task (its JSON body) on [`STATS_QUEUE`].
    ///
    /// # Errors
    /// [`BackendError`] if it could not be enqueued.
    pub async fn enqueue(&self, task: Vec<u8>) -> Result<(), BackendError> {
        Ok(self.bus.enqueue(STATS_QUEUE, WORKER_METHOD, task).await?)
    }

    /// Publishes `body` on the topic `topic`: [`NOTIFICATIONS`] or [`LOGS`].
    ///
    /// # Errors
    /// [`BackendError`] if it could not be published.
    pub async fn publish(&self, topic: &'static str, body: Vec<u8>) -> Result<(), BackendError> {
        Ok(self.bus.publish(topic, body).await?)
    }

    /// Subscribes to the notifications: every one published after this
    /// returns is received.
    ///
    /// # Errors
    /// [`BackendError`] if the subscription cannot be set up.
    pub async fn subscribe(&self) -> Result<Subscription, BackendError> {
        let follower = self.bus.subscribe(NOTIFICATIONS).await?;
        Ok(Subscription::new(follower))
    }

    /// Binds a worker of [`STATS_QUEUE`] as `work` says (its queue, method
    /// and dead letter are stats'), serving `settings`' application.
    pub(crate) async fn work(
        &self,
        work: WorkQueue,
        settings: ServeSettings,
    ) -> Result<Bound, BindError> {
        self.bus.work(work, settings).await
    }
}
