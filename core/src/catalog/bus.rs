//! [`Bus`]: the message bus a transport of the catalog may offer besides
//! serving and sending calls: named **work queues**, whose tasks each go to
//! one worker, and **topics**, whose messages go to every current
//! subscriber. A service that needs both (the stats service: its task
//! queue, its notifications and logs) opens a bus by address
//! ([`open_bus`](super::open_bus)) and names its queues and topics itself,
//! so it runs on any linked transport whose entry offers one
//! ([`TransportEntry::bus`](super::TransportEntry::bus)) and names none.
//!
//! A bus is opened without waiting on the network: a broker is reached on
//! first use, so a host starts while it is down (its services are set up
//! synchronously, before anything serves). Queue and topic names are
//! declared by the transport as it first uses them, the way programs that
//! share a broker declare them (see each transport's bus module).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::address::Address;
use super::protocols::ProtocolEntry;
use super::transports::{BindError, Bound, ServeSettings, TypedSettings};
use crate::Fingerprint;
use crate::transport::TransportError;

/// Opens a transport's bus at an address, without waiting on the network.
pub type BusFn = fn(Address, BusSettings) -> Result<Arc<dyn Bus>, BindError>;

/// What a bus is opened with besides its address.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BusSettings {
    /// The protocol tasks are encoded in, which workers read them in; its
    /// media type is also that of published messages.
    pub protocol: &'static ProtocolEntry,
    /// The name the bus's connections go by (broker connection names show
    /// it; a worker's adds `worker ID`).
    pub client_name: String,
    /// The process's fingerprint, sent with what the bus carries where
    /// the transport can.
    pub fingerprint: Option<Arc<Fingerprint>>,
    /// Settings for particular transports, by type.
    pub settings: TypedSettings,
}

impl BusSettings {
    /// Tasks in `protocol`, from a client named `switchboard`.
    pub fn new(protocol: &'static ProtocolEntry) -> Self {
        Self {
            protocol,
            client_name: "switchboard".to_owned(),
            fingerprint: None,
            settings: TypedSettings::default(),
        }
    }

    /// The process's fingerprint, to send with what the bus carries.
    #[must_use]
    pub fn with_fingerprint(mut self, fingerprint: impl Into<Arc<Fingerprint>>) -> Self {
        self.fingerprint = Some(fingerprint.into());
        self
    }

    /// The name the bus's connections go by.
    #[must_use]
    pub fn with_client_name(mut self, name: impl Into<String>) -> Self {
        self.client_name = name.into();
        self
    }

    /// Stores settings of type `T` for the transports that read them.
    #[must_use]
    pub fn with_setting<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.settings.insert(value);
        self
    }
}

/// What a worker consumes: the tasks of one named queue, each a call of
/// one method whose parameters are the task's body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkQueue {
    /// The queue (`stats`).
    pub queue: String,
    /// The method every task calls (`compute_stats`).
    pub method: String,
    /// This worker's id (`w1`): its consumer id where the transport keeps
    /// one, part of its connection's name otherwise.
    pub worker: String,
    /// Tasks run at once (at least 1).
    pub concurrency: u16,
    /// Where a failed task goes, for transports that route it (a broker's
    /// dead-letter exchange and queue of that name); `None`: the
    /// transport's default. Transports that record failures themselves (a
    /// queue file's `failures` table) record them whatever it says.
    pub dead_letter: Option<String>,
    /// The longest wait between two looks for a task when idle, for
    /// transports that poll (a queue file); `None`: the transport's
    /// default. Transports that are pushed tasks ignore it.
    pub poll_max: Option<Duration>,
}

impl WorkQueue {
    /// Worker `worker` of `queue`, calling `method`, one task at a time.
    pub fn new(
        queue: impl Into<String>,
        method: impl Into<String>,
        worker: impl Into<String>,
    ) -> Self {
        Self {
            queue: queue.into(),
            method: method.into(),
            worker: worker.into(),
            concurrency: 1,
            dead_letter: None,
            poll_max: None,
        }
    }

    /// Runs `concurrency` tasks at once (at least 1).
    #[must_use]
    pub fn with_concurrency(mut self, concurrency: u16) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Sends failed tasks to `destination`.
    #[must_use]
    pub fn with_dead_letter(mut self, destination: impl Into<String>) -> Self {
        self.dead_letter = Some(destination.into());
        self
    }

    /// Looks for tasks at most `poll_max` apart when idle.
    #[must_use]
    pub fn with_poll_max(mut self, poll_max: Duration) -> Self {
        self.poll_max = Some(poll_max);
        self
    }
}

/// Named work queues and broadcast topics on one transport.
///
/// # Contract
///
/// - [`enqueue`](Self::enqueue) returns once the transport holds the task
///   (committed to a file, confirmed by a broker). Each task then reaches
///   one worker of its queue at least once: a worker that stops before
///   finishing a task leaves it to another, or to itself when it comes
///   back. A task enqueued before any worker started waits for one.
/// - Tasks published by another program to the same queue reach the
///   workers too: the body alone is the call's parameters.
/// - [`publish`](Self::publish) reaches every subscription of the topic
///   open at that moment, and no other; a topic nobody follows drops it
///   without error. A subscription sees one publisher's messages in the
///   order they were published.
/// - [`subscribe`](Self::subscribe) returns once following has begun:
///   everything published after it returns is seen.
/// - [`work`](Self::work) binds a worker without waiting for the broker
///   (its [`Bound`] connects, and reconnects, as it serves). A task whose
///   call fails is not run again, unless the transport's own settings
///   say to retry: it is dead-lettered or recorded (see
///   [`WorkQueue::dead_letter`]), and the worker goes on.
/// - Operations retry what the transport retries by itself and return
///   [`TransportError`] when they give up; the next call tries afresh.
#[async_trait]
pub trait Bus: Send + Sync + fmt::Debug + 'static {
    /// Enqueues `body`, a call of `method`, for the workers of `queue`.
    ///
    /// # Errors
    /// [`TransportError`] if the transport did not take it.
    async fn enqueue(&self, queue: &str, method: &str, body: Vec<u8>)
    -> Result<(), TransportError>;

    /// Publishes `body` to every current subscriber of `topic`.
    ///
    /// # Errors
    /// [`TransportError`] if the transport did not take it.
    async fn publish(&self, topic: &str, body: Vec<u8>) -> Result<(), TransportError>;

    /// Follows `topic` from now on.
    ///
    /// # Errors
    /// [`TransportError`] if following could not begin.
    async fn subscribe(&self, topic: &str) -> Result<Box<dyn Subscription>, TransportError>;

    /// Binds a worker consuming `work` with the application and protocols
    /// of `settings` (its default protocol, else the bus's).
    ///
    /// # Errors
    /// [`BindError`] if the queue cannot be consumed here (a file that
    /// cannot be opened, a queue name this bus does not carry).
    async fn work(&self, work: WorkQueue, settings: ServeSettings) -> Result<Bound, BindError>;
}

/// Messages of one topic, as a [`Bus`] delivers them to a subscriber.
/// Dropping it stops following.
#[async_trait]
pub trait Subscription: Send + fmt::Debug {
    /// The next message's body, waiting for one.
    ///
    /// # Errors
    /// [`TransportError::Closed`] once the subscription ended (the broker
    /// closed it); it yields nothing more.
    async fn next(&mut self) -> Result<Vec<u8>, TransportError>;
}

// Buses and subscriptions are picked at run time: both stay object-safe.
const _: Option<&dyn Bus> = None;
const _: Option<&dyn Subscription> = None;
