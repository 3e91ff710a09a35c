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
use switchboard::{Server, ServerTransport, TransportError};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::error::AmqpError;
use crate::settings::ConnectionSettings;
use crate::topology::short;

pub use failure::{
    ATTEMPT_HEADER, FAULT_CODE_HEADER, FAULT_STRING_HEADER, ORIGINAL_EXCHANGE_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER, QUEUE_HEADER,
};
pub use options::{
    DEFAULT_MAX_ATTEMPTS, DEFAULT_PREFETCH, DEFAULT_RETRY_DELAY, DeadLetter, ServerOptions,
};

use message::Consumer;
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
pub struct AmqpServer {
    settings: ConnectionSettings,
    options: Arc<ServerOptions>,
}

impl AmqpServer {
    /// A server connecting with `settings`, consuming per `options`.
    pub fn new(settings: ConnectionSettings, options: ServerOptions) -> Self {
        Self {
            settings,
            options: Arc::new(options),
        }
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
            .finish()
    }
}

/// How long closing a half-broken connection may take.
const CLOSE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(1);

/// How a session ended.
enum Ended {
    /// Shutdown: drained and closed.
    Shutdown,
    /// The connection or a channel dropped after consuming began.
    Lost,
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
        let served = self.reconnect_loop(&selector, stopping).await;
        watcher.abort();
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
        stopping: watch::Receiver<bool>,
    ) -> Result<(), TransportError> {
        let backoff = self.options.reconnect;
        let mut attempt = 0;
        // Whether a session ran before (the next one is a reconnection),
        // and whether the last open failed.
        let (mut lost, mut failing) = (false, false);
        loop {
            let opened = tokio::select! {
                opened = self.open(selector, &stopping) => opened,
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
                Ok(session) => match session.run(stopping.clone()).await {
                    Ended::Shutdown => return Ok(()),
                    Ended::Lost => {
                        lost = true;
                        attempt = 0;
                    }
                },
                Err(err) if !err.is_transient() => {
                    tracing::error!(error = %err, "giving up: not a transient failure");
                    return Err(err.into());
                }
                Err(err) => tracing::warn!(error = %err, attempt, "broker session failed"),
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
            }));
            session.tags.push(consumer.tag());
            session
                .deliveries
                .push(Box::pin(consumer.map(move |d| (index, d))));
        }
        let _ = declaring.close(200, "declared".into()).await;
        Ok(session)
    }
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
}

impl Session {
    /// Consumes until the connection drops or shutdown; at shutdown, stops
    /// consuming, lets the calls in flight finish (reply, ack), closes.
    async fn run(mut self, stopping: watch::Receiver<bool>) -> Ended {
        let mut tasks = JoinSet::new();
        let ended = consume(&mut self.deliveries, &self.consumers, &mut tasks, stopping).await;
        match ended {
            Ended::Shutdown => {
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
            Ended::Lost => {
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
                    return Ended::Lost;
                }
                None => {
                    tracing::warn!("consumers ended; the connection or channel dropped");
                    return Ended::Lost;
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
