//! [`AmqpServer`]: consumes queues with manual acks and a prefetch, runs
//! each message through the pipeline, publishes replies to `reply_to`, and
//! owns its reconnect loop.
//!
//! # Why our own reconnect loop
//!
//! lapin's automatic recovery replays the topology it saw declared, but
//! not reliably across channel errors and consumer cancellations (see
//! lapin's issues on topology recovery). The server instead starts each
//! session from scratch: connect, declare, consume; when the connection or
//! a channel drops, it waits a capped exponential step with jitter and
//! starts again, logging each step. Messages unacked at the drop are
//! redelivered by the broker and run again (at-least-once; the method sees
//! `redelivered`).
//!
//! # What it tells
//!
//! The link's state is kept where the loop sees it change: the
//! [`CONNECTED`](crate::metrics::CONNECTED) gauge, a
//! [`RECONNECTS`](crate::metrics::RECONNECTS) count per recovery, and,
//! when the server was given a [`Readiness`]
//! ([`AmqpServer::with_readiness`]), a probe `amqp BROKER queue QUEUE`
//! that is ready while it consumes and names the last error while it
//! reconnects. A drop is logged at `warn` with its error, the recovery at
//! `info` with the number of attempts it took.

pub(crate) mod failure;
mod message;
mod options;
mod select;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream::SelectAll;
use lapin::options::{
    BasicCancelOptions, BasicConsumeOptions, BasicQosOptions, ConfirmSelectOptions,
};
use lapin::types::{FieldTable, ShortString};
use lapin::{Channel, Connection};
use switchboard::catalog::{Probe, Readiness};
use switchboard::{Server, ServerTransport, TransportError};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::error::{AmqpError, error_chain};
use crate::metrics::{self, LinkMeters, PublishMeters, QueueMeters, Up};
use crate::settings::ConnectionSettings;
use crate::topology::short;

pub use failure::{
    ATTEMPT_HEADER, FAULT_CODE_HEADER, FAULT_STRING_HEADER, ORIGINAL_EXCHANGE_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER, QUEUE_HEADER,
};
pub use options::{
    DEFAULT_MAX_ATTEMPTS, DEFAULT_PREFETCH, DEFAULT_RETRY_DELAY, DeadLetter, ServerOptions,
};

use message::{Consumer, ConsumerMeters};
use select::Selector;

/// A [`ServerTransport`] consuming RabbitMQ queues.
///
/// # Contract
///
/// - Each message is acked only after its call returned and its reply (if
///   it has `reply_to` and the call answers) was published: a crash before
///   that means redelivery, never a lost call.
/// - At most `prefetch` calls per binding run at once.
/// - A message that cannot run (undecodable, unknown method, wrong content
///   type) or keeps failing is dead-lettered with the fault in its headers;
///   see the table in [`ServerOptions`]' module and the crate docs.
/// - `serve` reconnects by itself and returns `Err` only for a setting or
///   topology error, or when [`Backoff::max_attempts`](crate::Backoff) runs out.
/// - At shutdown it cancels its consumers, lets calls in flight finish,
///   publish their replies and ack, then closes the connection.
/// - Its link is in the [metrics] and, given a
///   [`Readiness`], in a readiness probe: ready only while it consumes.
pub struct AmqpServer {
    settings: ConnectionSettings,
    options: Arc<ServerOptions>,
    probe: Option<Probe>,
}

impl AmqpServer {
    /// A server connecting with `settings`, consuming per `options`.
    pub fn new(settings: ConnectionSettings, options: ServerOptions) -> Self {
        Self {
            settings,
            options: Arc::new(options),
            probe: None,
        }
    }

    /// Adds a probe to `readiness`, named [`probe_name`](Self::probe_name):
    /// not ready until the server consumes, ready while it does, not ready
    /// (with the last connection error) while it reconnects and once it
    /// shuts down. The probe goes when the server does.
    #[must_use]
    pub fn with_readiness(mut self, readiness: &Readiness) -> Self {
        self.probe = Some(readiness.probe(self.probe_name()));
        self
    }

    /// The name of its readiness probe: `amqp BROKER queue QUEUE` (see
    /// [`ConnectionSettings::broker`]; a broker-named private queue is
    /// `private:EXCHANGE`, several bindings are `queues A, B`).
    ///
    /// ```
    /// use switchboard_amqp::{AmqpServer, Binding, ConnectionSettings, QueueSpec, ServerOptions};
    ///
    /// let settings = ConnectionSettings::new("amqp://guest:guest@127.0.0.1:5672/%2f");
    /// let options = ServerOptions::new(Binding::work_queue(QueueSpec::new("parcels")));
    /// let server = AmqpServer::new(settings, options);
    /// assert_eq!(server.probe_name(), "amqp 127.0.0.1:5672/%2f queue parcels");
    /// ```
    pub fn probe_name(&self) -> String {
        let queues: Vec<String> = self
            .options
            .bindings
            .iter()
            .map(crate::Binding::queue_label)
            .collect();
        let noun = if queues.len() == 1 { "queue" } else { "queues" };
        format!(
            "amqp {} {noun} {}",
            self.settings.broker(),
            queues.join(", ")
        )
    }

    /// Sets the probe, if any, ready.
    fn ready(&self) {
        if let Some(probe) = &self.probe {
            probe.set_ready();
        }
    }

    /// Sets the probe, if any, not ready for `why`.
    fn not_ready(&self, why: impl FnOnce() -> String) {
        if let Some(probe) = &self.probe {
            probe.set_not_ready(why());
        }
    }

    /// The meters of each binding's consumer, in the bindings' order.
    fn consumer_meters(&self) -> Vec<Arc<ConsumerMeters>> {
        let broker = self.settings.broker();
        let reply = PublishMeters::unconfirmed(&broker, "", metrics::KIND_REPLY);
        let retry = PublishMeters::new(&broker, "", metrics::KIND_RETRY);
        let dead_letter =
            self.options.dead_letter.as_ref().map(|target| {
                PublishMeters::new(&broker, &target.exchange, metrics::KIND_DEAD_LETTER)
            });
        self.options
            .bindings
            .iter()
            .map(|binding| {
                Arc::new(ConsumerMeters {
                    queue: QueueMeters::new(&broker, &binding.queue_label()),
                    reply: reply.clone(),
                    retry: retry.clone(),
                    dead_letter: dead_letter.clone(),
                })
            })
            .collect()
    }
}

impl AmqpServer {
    /// Declares (or, passive, checks) the topology and the named queues
    /// now, on a connection of its own, so that messages published before
    /// `serve` starts consuming wait in their queue instead of being
    /// returned as unroutable. Private (broadcast) queues are declared by
    /// `serve`, since they live and die with its connection.
    ///
    /// # Errors
    /// [`AmqpError`] if the broker cannot be reached or refuses a
    /// declaration.
    pub async fn declare(&self) -> Result<(), AmqpError> {
        let connection = self.settings.connect().await?;
        let channel = create_channel(&connection).await?;
        let passive = self.options.passive;
        self.options.topology.declare(&channel, passive).await?;
        for binding in &self.options.bindings {
            if binding.has_named_queue() {
                binding.declare(&channel, passive).await?;
            }
        }
        let _ = connection.close(200, "declared".into()).await;
        Ok(())
    }
}

impl fmt::Debug for AmqpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AmqpServer")
            .field("endpoint", &self.settings.endpoint())
            .field("options", &self.options)
            .field("probe", &self.probe)
            .finish()
    }
}

/// How long closing a half-broken connection may take.
const CLOSE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(1);

/// How a session ended.
enum Ended {
    /// Shutdown: drained and closed.
    Shutdown,
    /// The connection or a channel dropped after consuming began: why.
    Lost(String),
}

type Deliveries = SelectAll<
    Pin<
        Box<
            dyn futures_util::Stream<Item = (usize, lapin::Result<lapin::message::Delivery>)>
                + Send,
        >,
    >,
>;

impl ServerTransport for AmqpServer {
    async fn serve<F>(self, server: Server, shutdown: F) -> Result<(), TransportError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let selector = Arc::new(Selector::new(server, &self.options));
        let (stop, stopping) = watch::channel(false);
        // Watched, not raced: a session that is consuming drains itself.
        let watcher = tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let meters = Meters {
            link: LinkMeters::new(&self.settings.broker(), metrics::ROLE_SERVER),
            consumers: self.consumer_meters(),
        };
        let served = self.reconnect_loop(&selector, &meters, stopping).await;
        watcher.abort();
        let why = match &served {
            Ok(()) => "shut down".to_owned(),
            Err(err) => format!("stopped: {}", error_chain(err)),
        };
        self.not_ready(|| why);
        served
    }
}

impl AmqpServer {
    /// Sessions, one after another, with backoff between them. The log
    /// says when the link drops (`warn`, from the session), each failed
    /// attempt (`warn`) and pause (`info`), and when the link is back
    /// (`info`), each with its attempt number.
    async fn reconnect_loop(
        &self,
        selector: &Arc<Selector>,
        meters: &Meters,
        stopping: watch::Receiver<bool>,
    ) -> Result<(), TransportError> {
        let backoff = self.options.reconnect;
        let mut attempt = 0;
        // Whether a session ran before (the next one is a reconnection),
        // and whether the last open failed.
        let (mut lost, mut failing) = (false, false);
        loop {
            let opened = tokio::select! {
                opened = self.open(selector, meters, &stopping) => opened,
                () = stopped(&stopping) => return Ok(()),
            };
            if opened.is_ok() {
                let endpoint = || self.settings.endpoint();
                if lost {
                    tracing::info!(endpoint = %endpoint(), attempt, "reconnected to the broker; consuming again");
                } else if failing {
                    tracing::info!(endpoint = %endpoint(), attempt, "connected to the broker after failed attempts");
                }
                failing = false;
            } else {
                failing = true;
            }
            match opened {
                Ok(session) => {
                    self.ready();
                    // Every session after a lost one follows a loss.
                    if lost {
                        meters.link.reconnected();
                    }
                    match session.run(stopping.clone()).await {
                        Ended::Shutdown => return Ok(()),
                        Ended::Lost(why) => {
                            attempt = 0;
                            lost = true;
                            self.not_ready(|| why);
                        }
                    }
                }
                Err(err) if !err.is_transient() => {
                    tracing::error!(error = %err, "giving up: not a transient failure");
                    return Err(err.into());
                }
                Err(err) => {
                    self.not_ready(|| error_chain(&err));
                    tracing::warn!(error = %err, attempt, "broker session failed");
                }
            }
            if backoff.gives_up_at(attempt) {
                tracing::error!(attempt, "giving up reconnecting");
                return Err(TransportError::Closed);
            }
            let delay = backoff.delay(attempt);
            let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
            tracing::info!(delay_ms, attempt, "reconnecting after a pause");
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = stopped(&stopping) => return Ok(()),
            }
            attempt += 1;
        }
    }

    /// Connects, declares the topology and starts the consumers.
    async fn open(
        &self,
        selector: &Arc<Selector>,
        meters: &Meters,
        stopping: &watch::Receiver<bool>,
    ) -> Result<Session, AmqpError> {
        let connection = self.settings.connect().await?;
        let channel = create_channel(&connection).await?;
        channel
            .basic_qos(self.options.prefetch, BasicQosOptions::default())
            .await
            .map_err(AmqpError::channel("basic.qos"))?;
        let confirms = create_channel(&connection).await?;
        confirms
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(AmqpError::channel("confirm.select"))?;
        // Declarations on a channel of their own: a refused one closes it.
        let declaring = create_channel(&connection).await?;
        self.options
            .topology
            .declare(&declaring, self.options.passive)
            .await?;
        let mut session = Session {
            connection,
            channel,
            tags: Vec::new(),
            deliveries: Deliveries::default(),
            consumers: Vec::new(),
            up: None,
            probe: self.probe.clone(),
        };
        for (index, binding) in self.options.bindings.iter().enumerate() {
            let queue = binding.declare(&declaring, self.options.passive).await?;
            let consumer = session
                .channel
                .basic_consume(
                    short("queue name", &queue)?,
                    "".into(),
                    BasicConsumeOptions::default(),
                    FieldTable::default(),
                )
                .await
                .map_err(AmqpError::channel("basic.consume"))?;
            tracing::info!(queue = %queue, model = binding.model_name(), prefetch = self.options.prefetch, "consuming");
            session.consumers.push(Arc::new(Consumer {
                queue: queue.into(),
                method: binding.method.as_deref().map(Arc::from),
                channel: session.channel.clone(),
                confirms: confirms.clone(),
                selector: Arc::clone(selector),
                options: Arc::clone(&self.options),
                stopping: stopping.clone(),
                reply_headers: self
                    .settings
                    .fingerprint
                    .as_deref()
                    .map(crate::fingerprint::headers),
                meters: Arc::clone(&meters.consumers[index]),
            }));
            session.tags.push(consumer.tag());
            session
                .deliveries
                .push(Box::pin(consumer.map(move |d| (index, d))));
        }
        let _ = declaring.close(200, "declared".into()).await;
        session.up = Some(meters.link.up());
        Ok(session)
    }
}

/// What a server counts: its link, and each binding's consumer.
struct Meters {
    link: LinkMeters,
    /// In the bindings' order.
    consumers: Vec<Arc<ConsumerMeters>>,
}

/// Completes once shutdown was asked for.
async fn stopped(stopping: &watch::Receiver<bool>) {
    let mut stopping = stopping.clone();
    // An error means the sender is gone: the watcher was aborted, which
    // happens only once `serve` returns; waiting forever is then right.
    if stopping.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// A connection that is consuming.
struct Session {
    connection: Connection,
    channel: Channel,
    tags: Vec<ShortString>,
    deliveries: Deliveries,
    consumers: Vec<Arc<Consumer>>,
    /// In the connected gauge while it consumes.
    up: Option<Up>,
    /// The server's readiness probe: not ready once it drains.
    probe: Option<Probe>,
}

impl Session {
    /// Consumes until the connection drops or shutdown; at shutdown, stops
    /// consuming, lets the calls in flight finish (reply, ack), closes.
    async fn run(mut self, stopping: watch::Receiver<bool>) -> Ended {
        let mut tasks = JoinSet::new();
        let ended = consume(&mut self.deliveries, &self.consumers, &mut tasks, stopping).await;
        match ended {
            Ended::Shutdown => {
                if let Some(probe) = &self.probe {
                    probe.set_not_ready("shutting down");
                }
                cancel(&self.channel, &self.tags).await;
                tracing::info!(
                    in_flight = tasks.len(),
                    "shutting down; finishing calls in flight"
                );
                while tasks.join_next().await.is_some() {}
                // Prefetched messages not started go back to the queue.
                let _ = self.channel.close(200, "shutdown".into()).await;
                if let Err(err) = self.connection.close(200, "shutdown".into()).await {
                    tracing::debug!(error = %err, "closing the connection failed");
                }
                tracing::info!("amqp server stopped");
            }
            Ended::Lost(_) => {
                if let Some(up) = &self.up {
                    up.down();
                }
                // Their acks will fail and the broker redelivers their
                // messages; they may still finish (a reply still reaches
                // the caller).
                tasks.detach_all();
                // A lost channel can leave the connection open: close it,
                // or each reconnect would leave one behind.
                let closing = self.connection.close(200, "reconnecting".into());
                let _ = tokio::time::timeout(CLOSE_PATIENCE, closing).await;
            }
        }
        ended
    }
}

/// Runs deliveries as they come, until the stream ends (connection lost)
/// or shutdown.
async fn consume(
    deliveries: &mut Deliveries,
    consumers: &[Arc<Consumer>],
    tasks: &mut JoinSet<()>,
    mut stopping: watch::Receiver<bool>,
) -> Ended {
    loop {
        tokio::select! {
            _ = stopping.wait_for(|stop| *stop) => return Ended::Shutdown,
            next = deliveries.next() => match next {
                Some((index, Ok(delivery))) => {
                    tasks.spawn(message::handle(Arc::clone(&consumers[index]), delivery));
                }
                Some((_, Err(err))) => {
                    tracing::warn!(error = %err, "consumer failed; the connection or channel dropped");
                    return Ended::Lost(format!("link lost: {}", error_chain(&err)));
                }
                None => {
                    tracing::warn!("consumers ended; the connection or channel dropped");
                    return Ended::Lost("link lost: the broker ended the consumers".to_owned());
                }
            },
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
}

/// Cancels the consumers: the broker sends nothing more.
async fn cancel(channel: &Channel, tags: &[ShortString]) {
    for tag in tags {
        if let Err(err) = channel
            .basic_cancel(tag.clone(), BasicCancelOptions::default())
            .await
        {
            tracing::debug!(error = %err, "cancelling a consumer failed");
        }
    }
}

async fn create_channel(connection: &Connection) -> Result<Channel, AmqpError> {
    connection
        .create_channel()
        .await
        .map_err(AmqpError::channel("channel.open"))
}
