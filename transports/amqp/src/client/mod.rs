//! [`AmqpClient`]: RPC over RabbitMQ with many calls in flight on one
//! channel, and one-way publishing with publisher confirms.

mod link;
mod options;
mod per_call;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use lapin::options::BasicPublishOptions;
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{BasicProperties, Confirmation};
use switchboard::{CarriedHeaders, ClientTransport, OutgoingRequest, Receipt, TransportError};
use tokio::sync::Mutex;

use crate::error::AmqpError;
use crate::metrics::{self, LinkMeters, PublishMeters};
use crate::settings::ConnectionSettings;
use crate::topology::{Topology, short};

use link::Link;
use per_call::ReplyQueue;

pub use link::DIRECT_REPLY_TO;
pub use options::{ClientOptions, ReplyMode, Routing};

/// A [`ClientTransport`] over RabbitMQ.
///
/// # Contract
///
/// - Every request is published `mandatory` on a channel with publisher
///   confirms: `send` fails at once with [`TransportError::Unexpected`]
///   when no queue takes it (a queue that does not exist), and a one-way
///   `send` returns only once the broker confirmed it.
/// - A one-way message carries a `message_id` unique to this client
///   (`{pid:x}-{random:x}-{n}`), the same on every attempt at sending it;
///   [`send_one_way`](ClientTransport::send_one_way) returns it in its
///   [`Receipt`].
/// - A message's `content_type` is the protocol's bare media type
///   (`application/json`), without a `protocol=` tag: consumers outside
///   switchboard (pika programs) compare it as it is. A server reading both
///   JSON protocols from one queue reads these by media type; to name the
///   protocol, [`publish`](Self::publish) with a
///   [`tagged_content_type`](switchboard::protocol::tagged_content_type).
/// - A call's deadline is also its message's `expiration`, so a request
///   whose caller gave up is not run late; past it, `send` fails with
///   [`TransportError::Timeout`].
/// - A lost connection fails the calls waiting on it with
///   [`TransportError::Io`]; the next `send` reconnects. Only methods in
///   [`ClientOptions::idempotent`] are sent again, and only before their
///   deadline.
/// - Its link, publishes, confirms, returns and late replies are in the
///   [metrics] (role `client`).
pub struct AmqpClient {
    settings: ConnectionSettings,
    options: ClientOptions,
    /// The live link: read without waiting on every call.
    link: RwLock<Option<Arc<Link>>>,
    /// Held while reconnecting, so one caller reconnects and the others
    /// wait for its link.
    reconnecting: Mutex<()>,
    next_id: AtomicU64,
    id_prefix: String,
    /// Set when a link was lost, until another one opens.
    lost: AtomicBool,
    meters: ClientMeters,
}

/// The most publishing paths (exchange and kind) of `publish` and
/// `publish_event` a client keeps meters for; past them, each publish
/// makes its own (a client publishing to ever new exchanges).
const KEPT_PATHS: usize = 32;

/// What a client counts, the handles made once.
struct ClientMeters {
    broker: String,
    link: LinkMeters,
    late: ::metrics::Counter,
    /// Requests, to the options' exchange.
    calls: Arc<PublishMeters>,
    /// `publish` and `publish_event`, by exchange and kind.
    paths: std::sync::Mutex<Vec<(String, &'static str, Arc<PublishMeters>)>>,
}

impl ClientMeters {
    fn new(settings: &ConnectionSettings, options: &ClientOptions) -> Self {
        let broker = settings.broker();
        Self {
            link: LinkMeters::new(&broker, metrics::ROLE_CLIENT),
            late: metrics::late_replies(&broker),
            calls: Arc::new(PublishMeters::new(
                &broker,
                &options.exchange,
                metrics::KIND_CALL,
            )),
            paths: std::sync::Mutex::default(),
            broker,
        }
    }

    /// The meters of publishes of `kind` to `exchange`.
    fn path(&self, exchange: &str, kind: &'static str) -> Arc<PublishMeters> {
        let mut paths = self.paths.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, _, meters)) = paths.iter().find(|(e, k, _)| e == exchange && *k == kind) {
            return Arc::clone(meters);
        }
        let meters = Arc::new(PublishMeters::new(&self.broker, exchange, kind));
        if paths.len() < KEPT_PATHS {
            paths.push((exchange.to_owned(), kind, Arc::clone(&meters)));
        }
        meters
    }
}

impl AmqpClient {
    /// Connects with `settings`, to publish per `options`.
    ///
    /// # Errors
    /// [`AmqpError`] if the broker cannot be reached or refuses.
    pub async fn connect(
        settings: ConnectionSettings,
        options: ClientOptions,
    ) -> Result<Self, AmqpError> {
        let meters = ClientMeters::new(&settings, &options);
        let link = Link::open(
            &settings,
            options.reply_mode,
            &meters.link,
            meters.late.clone(),
        )
        .await?;
        Ok(Self {
            settings,
            options,
            link: RwLock::new(Some(Arc::new(link))),
            reconnecting: Mutex::new(()),
            next_id: AtomicU64::new(1),
            id_prefix: format!("{:x}-{:x}", std::process::id(), fastrand::u64(..)),
            lost: AtomicBool::new(false),
            meters,
        })
    }

    /// The options.
    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// Publishes `body` to `exchange` with `routing_key`, persistent per the
    /// options, and waits for the broker's confirm.
    ///
    /// # Errors
    /// [`TransportError::Unexpected`] if nothing was bound to take it;
    /// [`TransportError::Io`] / [`TransportError::Connect`] if the broker
    /// is gone.
    pub async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<(), TransportError> {
        let link = self.link().await?;
        let props = self
            .properties(content_type, &CarriedHeaders::default())?
            .with_delivery_mode(if self.options.persistent { 2 } else { 1 });
        let meters = self.meters.path(exchange, metrics::KIND_MESSAGE);
        publish(&link, &meters, exchange, routing_key, body, props).await
    }

    /// Publishes `body` to `exchange` with `routing_key` like
    /// [`publish`](Self::publish), but not `mandatory`: a message no queue
    /// takes is dropped by the broker instead of failing the call. For
    /// events on a fanout exchange (notifications, logs) that nobody may be
    /// listening to, as `pika`'s `basic_publish` does by default. Waits for
    /// the broker's confirm all the same.
    ///
    /// # Errors
    /// [`TransportError::Io`] / [`TransportError::Connect`] if the broker
    /// is gone or refuses (an exchange that does not exist closes the
    /// channel).
    pub async fn publish_event(
        &self,
        exchange: &str,
        routing_key: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<(), TransportError> {
        let link = self.link().await?;
        let props = self
            .properties(content_type, &CarriedHeaders::default())?
            .with_delivery_mode(if self.options.persistent { 2 } else { 1 });
        let options = BasicPublishOptions::default();
        let meters = self.meters.path(exchange, metrics::KIND_EVENT);
        publish_with(&link, &meters, exchange, routing_key, body, props, options).await
    }

    /// Sends `body` as a request to `exchange` with `routing_key` and waits
    /// at most `timeout` for its reply, per the options' reply mode: a
    /// call addressed per call rather than by the options, for producers
    /// that route each call themselves (Postage's `eks`).
    ///
    /// Unlike a [`send`](ClientTransport::send), the request carries no
    /// `expiration`: it stays in its queue after the caller stopped
    /// waiting, as Postage's requests do, so a server that comes back runs
    /// it (its reply then has nowhere to go). The request is `mandatory`
    /// and confirmed like every other.
    ///
    /// # Errors
    /// [`TransportError::Timeout`] when no reply came in time;
    /// [`TransportError::Unexpected`] if nothing was bound to take it;
    /// [`TransportError::Io`] / [`TransportError::Connect`] if the broker
    /// is gone.
    pub async fn request(
        &self,
        exchange: &str,
        routing_key: &str,
        content_type: &str,
        body: &[u8],
        timeout: Duration,
    ) -> Result<Bytes, TransportError> {
        let deadline = Instant::now() + timeout;
        let link = self.link().await?;
        let props = self.properties(content_type, &CarriedHeaders::default())?;
        let meters = self.meters.path(exchange, metrics::KIND_CALL);
        let route = (exchange, routing_key);
        self.round_trip(&link, &meters, route, body, props, Some(deadline))
            .await
    }

    /// Declares `topology` on a channel of its own on the client's
    /// connection (reconnecting first if it dropped): a refused
    /// declaration closes that channel only.
    ///
    /// # Errors
    /// [`TransportError::Connect`] if the broker refuses a declaration,
    /// [`TransportError::Io`] if the connection is gone.
    pub(crate) async fn declare(&self, topology: &Topology) -> Result<(), TransportError> {
        let link = self.link().await?;
        let channel = link.connection.create_channel().await.map_err(|err| {
            link.kill();
            TransportError::from(AmqpError::channel("channel.open")(err))
        })?;
        let declared = topology.declare(&channel, false).await;
        if declared.is_ok() {
            let _ = channel.close(200, "declared".into()).await;
        }
        Ok(declared?)
    }

    /// Closes the connection (calls waiting on it fail).
    pub async fn close(&self) {
        let link = self.slot().take();
        if let Some(link) = link {
            link.kill();
            let _ = link.connection.close(200, "client closed".into()).await;
        }
    }

    /// The link slot (a panic while it was held leaves it usable).
    fn slot(&self) -> std::sync::RwLockWriteGuard<'_, Option<Arc<Link>>> {
        self.link.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The live link, if there is one.
    fn live(&self) -> Option<Arc<Link>> {
        let slot = self.link.read().unwrap_or_else(PoisonError::into_inner);
        slot.as_ref().filter(|link| link.is_alive()).cloned()
    }

    /// The live link, reconnecting if the last one dropped.
    async fn link(&self) -> Result<Arc<Link>, TransportError> {
        if let Some(link) = self.live() {
            return Ok(link);
        }
        let _reconnecting = self.reconnecting.lock().await;
        // Another caller may have reconnected while this one waited.
        if let Some(link) = self.live() {
            return Ok(link);
        }
        let old = self.slot().take();
        if let Some(old) = old {
            old.kill();
            self.lost.store(true, Ordering::Release);
            // Its channel is gone but its connection may not be.
            tokio::spawn(async move {
                let _ = old.connection.close(200, "reconnecting".into()).await;
            });
        }
        tracing::info!(endpoint = %self.settings.endpoint(), "client reconnecting");
        let link = Link::open(
            &self.settings,
            self.options.reply_mode,
            &self.meters.link,
            self.meters.late.clone(),
        )
        .await?;
        let link = Arc::new(link);
        *self.slot() = Some(Arc::clone(&link));
        if self.lost.swap(false, Ordering::AcqRel) {
            self.meters.link.reconnected();
            tracing::info!(endpoint = %self.settings.endpoint(), "client link back");
        }
        Ok(link)
    }

    /// A message's properties: its content type, and in the headers the
    /// process's fingerprint when the settings have one and the request's
    /// carried headers, as text.
    fn properties(
        &self,
        content_type: &str,
        carried: &CarriedHeaders,
    ) -> Result<BasicProperties, TransportError> {
        let props =
            BasicProperties::default().with_content_type(short("content type", content_type)?);
        if self.settings.fingerprint.is_none() && carried.is_empty() {
            return Ok(props);
        }
        let mut headers = match &self.settings.fingerprint {
            Some(fingerprint) => crate::fingerprint::headers(fingerprint),
            None => FieldTable::default(),
        };
        for (name, value) in carried.iter() {
            headers.insert(
                name.into(),
                AMQPValue::LongString(LongString::from(value.to_owned())),
            );
        }
        Ok(props.with_headers(headers))
    }

    /// A message or correlation id no other message of this client has.
    fn next_id(&self) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n}", self.id_prefix)
    }

    /// Sends `request`, again on a lost connection if its method is
    /// idempotent; a one-way request carries `message_id` on every attempt.
    async fn deliver(
        &self,
        request: &OutgoingRequest,
        message_id: Option<&str>,
    ) -> Result<Option<Bytes>, TransportError> {
        let retries = if self.options.idempotent.contains(&request.method) {
            self.options.retries
        } else {
            0
        };
        let mut attempt = 0;
        loop {
            match self.send_once(request, message_id).await {
                Err(err @ (TransportError::Io(_) | TransportError::Connect(_)))
                    if attempt < retries =>
                {
                    let in_time = request.deadline.is_none_or(|d| Instant::now() < d);
                    if !in_time {
                        return Err(TransportError::Timeout);
                    }
                    attempt += 1;
                    tracing::warn!(error = %err, attempt, method = %request.method, "idempotent call failed; sending it again");
                }
                other => return other,
            }
        }
    }

    async fn send_once(
        &self,
        request: &OutgoingRequest,
        message_id: Option<&str>,
    ) -> Result<Option<Bytes>, TransportError> {
        let link = self.link().await?;
        let routing_key = self.options.routing_key(&request.method);
        let mut props = self.properties(request.content_type, &request.headers)?;
        if let Some(deadline) = request.deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(TransportError::Timeout);
            }
            // Whole milliseconds, at least one: `0` would mean "now or never".
            let ms = left.as_millis().max(1);
            props = props.with_expiration(ms.to_string().into());
        }
        if request.one_way {
            let mode = if self.options.persistent { 2 } else { 1 };
            props = props.with_delivery_mode(mode);
            if let Some(id) = message_id {
                props = props.with_message_id(short("message id", id)?);
            }
            publish(
                &link,
                &self.meters.calls,
                &self.options.exchange,
                &routing_key,
                &request.body,
                props,
            )
            .await?;
            return Ok(None);
        }
        let route = (self.options.exchange.as_str(), routing_key.as_str());
        self.round_trip(
            &link,
            &self.meters.calls,
            route,
            &request.body,
            props,
            request.deadline,
        )
        .await
        .map(Some)
    }

    /// Publishes a request (`props` without `reply_to`) to `route`
    /// (exchange, routing key) on `link` and waits until `deadline` for its
    /// reply, per the options' reply mode.
    async fn round_trip(
        &self,
        link: &Link,
        meters: &PublishMeters,
        (exchange, routing_key): (&str, &str),
        body: &[u8],
        props: BasicProperties,
        deadline: Option<Instant>,
    ) -> Result<Bytes, TransportError> {
        let id = self.next_id();
        // The correlation id is sent in every mode: servers that answer
        // with it are matched by it, the others (Postage) ignore it.
        let props = props.with_correlation_id(short("correlation id", &id)?);
        let Some(reply_to) = link.reply_to.clone() else {
            let queue = ReplyQueue::open(link).await?;
            let props = props.with_reply_to(queue.name.clone());
            publish(link, meters, exchange, routing_key, body, props).await?;
            return queue.first(deadline).await;
        };
        let (_waiting, reply) = link.pending.register(id);
        let props = props.with_reply_to(reply_to);
        publish(link, meters, exchange, routing_key, body, props).await?;
        let reply = match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline.into(), reply)
                .await
                .map_err(|_| TransportError::Timeout)?,
            None => reply.await,
        };
        reply.map_err(|_| TransportError::Io("the connection dropped before the reply came".into()))
    }
}

/// Publishes `mandatory` and waits for the confirm, counted in `meters`.
async fn publish(
    link: &Link,
    meters: &PublishMeters,
    exchange: &str,
    routing_key: &str,
    body: &[u8],
    props: BasicProperties,
) -> Result<(), TransportError> {
    let options = BasicPublishOptions {
        mandatory: true,
        ..BasicPublishOptions::default()
    };
    publish_with(link, meters, exchange, routing_key, body, props, options).await
}

/// Publishes with `options` and waits for the confirm, counted in
/// `meters`.
async fn publish_with(
    link: &Link,
    meters: &PublishMeters,
    exchange: &str,
    routing_key: &str,
    body: &[u8],
    props: BasicProperties,
    options: BasicPublishOptions,
) -> Result<(), TransportError> {
    let io = |err: lapin::Error| {
        link.kill();
        TransportError::Io(Box::new(err))
    };
    let (exchange_name, key) = (
        short("exchange", exchange)?,
        short("routing key", routing_key)?,
    );
    let started = Instant::now();
    let confirm = link
        .channel
        .basic_publish(exchange_name, key, options, body, props)
        .await
        .map_err(io)?;
    meters.published();
    let confirm = confirm.await.map_err(io)?;
    meters.confirmed(started, &confirm);
    match confirm {
        Confirmation::Ack(None) | Confirmation::NotRequested => Ok(()),
        Confirmation::Ack(Some(returned)) | Confirmation::Nack(Some(returned)) => {
            Err(TransportError::Unexpected(format!(
                "the broker returned the message: {} (no queue bound to exchange {exchange:?} with routing key {routing_key:?})",
                returned.reply_text
            )))
        }
        Confirmation::Nack(None) => Err(TransportError::Unexpected(
            "the broker refused the message (nack)".to_owned(),
        )),
    }
}

#[async_trait]
impl ClientTransport for AmqpClient {
    fn names_method(&self) -> bool {
        matches!(self.options.routing, Routing::PerMethod(_))
    }

    async fn send(&self, request: OutgoingRequest) -> Result<Option<Bytes>, TransportError> {
        let message_id = request.one_way.then(|| self.next_id());
        self.deliver(&request, message_id.as_deref()).await
    }

    async fn send_one_way(&self, request: OutgoingRequest) -> Result<Receipt, TransportError> {
        if !request.one_way {
            // Not what `Client` sends; answered as `send` would, with no id.
            self.send(request).await?;
            return Ok(Receipt::default());
        }
        let message_id = self.next_id();
        self.deliver(&request, Some(&message_id)).await?;
        Ok(Receipt::with_id(message_id))
    }
}

impl fmt::Debug for AmqpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AmqpClient")
            .field("endpoint", &self.settings.endpoint())
            .field("options", &self.options)
            .field("lost", &self.lost)
            .finish_non_exhaustive()
    }
}
