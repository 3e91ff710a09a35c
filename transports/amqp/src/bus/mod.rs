//! RabbitMQ as a [`Bus`] (`amqp://user:pass@host:5672/vhost`): what
//! programs written with pika's defaults declare and publish, so they and
//! switchboard meet on one broker.
//!
//! | bus | RabbitMQ |
//! |---|---|
//! | queue `q` | `queue_declare(queue="q")`: not durable, not exclusive, no auto-delete, no arguments |
//! | task | published to the default exchange, routing key `q`, `mandatory` with a publisher confirm; transient, content type the protocol's media type; the body alone (the queue's consumers bind it to [`WorkQueue::method`]) |
//! | topic `t` | `exchange_declare(exchange="t", exchange_type="fanout")`: not durable |
//! | message | published to `t`, not `mandatory` (nobody may be listening) |
//! | subscription | an exclusive broker-named queue bound to `t`, on a connection of its own |
//! | worker | an [`AmqpServer`](crate::AmqpServer) on `q`, prefetch = concurrency, each task run once; a failed one goes to the durable fanout exchange and durable queue named by [`WorkQueue::dead_letter`], with its fault in the headers |
//!
//! Queues and exchanges are declared when first used, and again after a
//! publish to them failed (a broker restart forgets what is not durable).
//! Nothing is durable and messages are transient, as pika's defaults are:
//! a broker restart loses waiting tasks, which a producer must be ready to
//! send again.

mod subscription;
mod work;

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use switchboard::TransportError;
use switchboard::async_trait;
use switchboard::catalog::bus::{self, Bus, BusSettings, WorkQueue};
use switchboard::catalog::{Address, BindError, Bound, ProtocolEntry, ServeSettings};
use tokio::sync::OnceCell;

use crate::topology::{ExchangeSpec, QueueSpec, Topology};
use crate::{AmqpClient, ClientOptions, ConnectionSettings};

/// A bus on one broker: connects on first use.
#[derive(Debug)]
pub(crate) struct AmqpBus {
    address: Address,
    settings: ConnectionSettings,
    protocol: &'static ProtocolEntry,
    client: OnceCell<AmqpClient>,
    declared: Mutex<Declared>,
}

/// The queues and exchanges declared so far.
#[derive(Debug, Default)]
struct Declared {
    queues: HashSet<String>,
    fanouts: HashSet<String>,
}

/// A queue or an exchange the bus declares.
#[derive(Debug, Clone, Copy)]
enum Name<'a> {
    Queue(&'a str),
    Fanout(&'a str),
}

impl Name<'_> {
    /// What declaring it takes: pika's defaults, as the module says.
    fn topology(self) -> Topology {
        match self {
            Self::Queue(name) => Topology {
                queues: vec![QueueSpec::new(name)],
                ..Topology::default()
            },
            Self::Fanout(name) => Topology {
                exchanges: vec![ExchangeSpec::fanout(name)],
                ..Topology::default()
            },
        }
    }
}

impl Declared {
    fn contains(&self, name: Name<'_>) -> bool {
        match name {
            Name::Queue(queue) => self.queues.contains(queue),
            Name::Fanout(exchange) => self.fanouts.contains(exchange),
        }
    }

    fn insert(&mut self, name: Name<'_>) {
        match name {
            Name::Queue(queue) => self.queues.insert(queue.to_owned()),
            Name::Fanout(exchange) => self.fanouts.insert(exchange.to_owned()),
        };
    }

    fn remove(&mut self, name: Name<'_>) {
        match name {
            Name::Queue(queue) => self.queues.remove(queue),
            Name::Fanout(exchange) => self.fanouts.remove(exchange),
        };
    }
}

/// Opens the bus at `address`: no connection until it is used.
pub(crate) fn open(address: Address, settings: BusSettings) -> Result<Arc<dyn Bus>, BindError> {
    address.check_options(crate::catalog::CONNECTION_OPTIONS)?;
    let connection = crate::catalog::fingerprinted(
        crate::catalog::connection(&address, settings.client_name.clone(), &settings.settings),
        settings.fingerprint.as_ref(),
    );
    Ok(Arc::new(AmqpBus {
        address,
        settings: connection,
        protocol: settings.protocol,
        client: OnceCell::new(),
        declared: Mutex::default(),
    }))
}

impl AmqpBus {
    /// The publishing client, connected on first use (and again after a
    /// failed first attempt).
    async fn client(&self) -> Result<&AmqpClient, TransportError> {
        self.client
            .get_or_try_init(|| async {
                // Transient messages, as pika publishes them.
                let options = ClientOptions::to_queue("").with_persistent(false);
                AmqpClient::connect(self.settings.clone(), options).await
            })
            .await
            .map_err(TransportError::from)
    }

    fn declared(&self) -> std::sync::MutexGuard<'_, Declared> {
        // A panic while holding the lock leaves the set usable: take it.
        self.declared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Declares `name` unless it was. Two first uses at once may both
    /// declare it: the same declaration twice is harmless.
    async fn ensure(&self, client: &AmqpClient, name: Name<'_>) -> Result<(), TransportError> {
        // Not held across the declaration: a lock per publish stays short.
        let known = self.declared().contains(name);
        if !known {
            client.declare(&name.topology()).await?;
            self.declared().insert(name);
        }
        Ok(())
    }

    /// Forgets `name` after a failed publish: the next one declares it
    /// again (the broker may have restarted without it).
    fn forget(&self, name: Name<'_>) {
        self.declared().remove(name);
    }
}

#[async_trait]
impl Bus for AmqpBus {
    async fn enqueue(
        &self,
        queue: &str,
        _method: &str,
        body: Vec<u8>,
    ) -> Result<(), TransportError> {
        let client = self.client().await?;
        let name = Name::Queue(queue);
        self.ensure(client, name).await?;
        let published = client
            .publish("", queue, self.protocol.media_type(), &body)
            .await;
        if published.is_err() {
            self.forget(name);
        }
        published
    }

    async fn publish(&self, topic: &str, body: Vec<u8>) -> Result<(), TransportError> {
        let client = self.client().await?;
        let name = Name::Fanout(topic);
        self.ensure(client, name).await?;
        let published = client
            .publish_event(topic, "", self.protocol.media_type(), &body)
            .await;
        if published.is_err() {
            self.forget(name);
        }
        published
    }

    async fn subscribe(&self, topic: &str) -> Result<Box<dyn bus::Subscription>, TransportError> {
        let subscription = subscription::Subscription::open(&self.settings, topic).await?;
        Ok(Box::new(subscription))
    }

    async fn work(&self, work: WorkQueue, settings: ServeSettings) -> Result<Bound, BindError> {
        let reach = self
            .address
            .clone()
            .with_option("queue", work.queue.clone());
        let bound = work::bind(&self.settings, self.protocol, &work, settings);
        Ok(bound.with_reach(reach))
    }
}
