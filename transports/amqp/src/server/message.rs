//! One delivery: its [`RequestInfo`] (stage 1), the pipeline, the reply,
//! and the ack, retry or dead letter that ends it. Every path ends in an
//! ack or a reject: a message is never left unacked, nor dropped without a
//! dead letter or a log line at `error`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicNackOptions, BasicPublishOptions, BasicRejectOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel};
use switchboard::{CarriedHeaders, RequestInfo, Response, TraceParent, TransportFacts};
use tokio::sync::watch;
use tracing::Instrument;

use super::failure::{self, Verdict};
use super::options::ServerOptions;
use super::select::Selector;
use crate::facts::AmqpFacts;
use crate::metrics::{DeadLetterReason, PublishMeters, QueueMeters};
use crate::topology::short;

/// What every message of one consumer shares.
#[derive(Debug)]
pub(crate) struct Consumer {
    /// The queue consumed.
    pub(crate) queue: Arc<str>,
    /// The method the queue is bound to.
    pub(crate) method: Option<Arc<str>>,
    /// Replies are published here (the consuming channel).
    pub(crate) channel: Channel,
    /// Retries and dead letters are published here, with confirms.
    pub(crate) confirms: Channel,
    /// Protocols by content type.
    pub(crate) selector: Arc<Selector>,
    /// Attempts, delay, dead-letter exchange.
    pub(crate) options: Arc<ServerOptions>,
    /// Turns `true` at shutdown: a retry then skips its delay.
    pub(crate) stopping: watch::Receiver<bool>,
    /// The headers of every reply: the server's fingerprint, if set.
    pub(crate) reply_headers: Option<FieldTable>,
    /// What it counts, made once per server.
    pub(crate) meters: Arc<ConsumerMeters>,
}

/// The meters of one consumer: its queue's, and those of each kind of
/// message its server publishes.
#[derive(Debug)]
pub(crate) struct ConsumerMeters {
    /// Deliveries and dead letters of the queue.
    pub(crate) queue: QueueMeters,
    /// Replies, to the default exchange.
    pub(crate) reply: PublishMeters,
    /// Retries, to the default exchange.
    pub(crate) retry: PublishMeters,
    /// Dead letters, to the dead-letter exchange (when there is one).
    pub(crate) dead_letter: Option<PublishMeters>,
}

/// Runs one delivery to its end, in a span of its own (at `info`, so that
/// the lines about its retry, dead letter or reply name the message): its
/// queue, delivery tag, and once the call ran, its method and trace id.
/// The call itself runs inside, in the pipeline's `request` span.
pub(crate) async fn handle(consumer: Arc<Consumer>, delivery: Delivery) {
    let span = tracing::info_span!(
        "amqp.message",
        transport = "amqp",
        queue = %consumer.queue,
        delivery_tag = delivery.delivery_tag,
        redelivered = delivery.redelivered,
        rpc.method = tracing::field::Empty,
        trace_id = tracing::field::Empty,
    );
    consumer.meters.queue.delivered(delivery.redelivered);
    run(&consumer, delivery).instrument(span).await;
}

async fn run(consumer: &Consumer, delivery: Delivery) {
    let props = &delivery.properties;
    let headers = props.headers().as_ref();
    let attempt = failure::attempt(headers);
    let reply_to = props.reply_to().as_ref().map(|s| s.as_str().to_owned());
    let content_type = props.content_type().as_ref().map(|s| s.as_str());
    let (request, picked) = request(consumer, &delivery, attempt);
    let traceparent = request.traceparent;
    let response = match picked {
        Ok(server) => server.process(request).await,
        Err(fault) => consumer.selector.default_server().refuse(&request, fault),
    };
    // Recorded after the call, not before: the call's own lines have them
    // from its `request` span already.
    name_the_call(consumer, &response, traceparent.as_ref());
    tracing::debug!(
        content_type,
        attempt,
        failed = response.any_fault.is_some(),
        "processed"
    );
    if let (Some(reply_to), Some(body)) = (&reply_to, &response.body) {
        publish_reply(consumer, &delivery, reply_to, body, &response).await;
    }
    let rpc = reply_to.is_some();
    settle(consumer, &delivery, &response, rpc, attempt).await;
}

/// Records the call's method (`service/method`; the bound method's name
/// when no served method answered) and trace id on the message's span.
fn name_the_call(consumer: &Consumer, response: &Response, traceparent: Option<&TraceParent>) {
    let span = tracing::Span::current();
    if span.is_disabled() {
        return;
    }
    match (response.method, &consumer.method) {
        (Some(method), _) => {
            span.record(
                "rpc.method",
                format_args!("{}/{}", method.service, method.name),
            );
        }
        (None, Some(bound)) => {
            span.record("rpc.method", bound.as_ref());
        }
        (None, None) => {}
    }
    if let Some(traceparent) = traceparent {
        span.record(
            "trace_id",
            tracing::field::display(traceparent.trace_id_hex()),
        );
    }
}

/// Ends the delivery as the verdict on its response says: an ack, a retry
/// or a dead letter. `rpc`: the caller waits for a reply.
async fn settle(
    consumer: &Consumer,
    delivery: &Delivery,
    response: &Response,
    rpc: bool,
    attempt: u32,
) {
    let max_attempts = consumer.options.max_attempts;
    match failure::verdict(response, rpc, attempt, max_attempts) {
        Verdict::Done => ack(delivery).await,
        Verdict::Retry => retry(consumer, delivery, attempt).await,
        Verdict::DeadLetter(fault, reason) => {
            consumer.meters.queue.dead_lettered(reason);
            dead_letter(consumer, delivery, &fault, attempt, reason).await;
        }
    }
}

/// The server chosen for a delivery's content type, or the fault that
/// refuses it.
type Picked<'a> = Result<&'a switchboard::Server, switchboard::Fault>;

/// Stage 1: the bytes, the facts, the method of a bound queue, the trace
/// context; and the server whose protocol reads the content type.
fn request<'a>(
    consumer: &'a Consumer,
    delivery: &Delivery,
    attempt: u32,
) -> (RequestInfo, Picked<'a>) {
    let facts = facts(consumer, delivery, attempt);
    let traceparent = facts
        .headers
        .get("traceparent")
        .and_then(|value| value.parse::<TraceParent>().ok());
    let carried = CarriedHeaders::read(|name| facts.headers.get(name).map(String::as_str));
    let mut request =
        RequestInfo::new(delivery.data.clone(), TransportFacts::new(facts)).with_headers(carried);
    if let Some(traceparent) = traceparent {
        request = request.with_traceparent(traceparent);
    }
    if let Some(caller) = crate::fingerprint::from_headers(delivery.properties.headers().as_ref()) {
        request = request.with_caller(caller);
    }
    let content_type = delivery.properties.content_type().as_ref();
    let picked = consumer.selector.pick(content_type.map(|s| s.as_str()));
    if let (Some(method), Ok(server)) = (&consumer.method, &picked)
        && server.in_protocol().accepts_named_method()
    {
        request = request.with_method(method.as_ref());
    }
    (request, picked)
}

/// What the transport knew of a delivery. A message published again for a
/// retry names its first exchange and routing key in its headers: those
/// are the facts.
fn facts(consumer: &Consumer, delivery: &Delivery, attempt: u32) -> AmqpFacts {
    let props = &delivery.properties;
    let headers = text_headers(props);
    let original = |key: &str, actual: &str| {
        headers
            .get(key)
            .cloned()
            .unwrap_or_else(|| actual.to_owned())
    };
    let exchange = original(
        failure::ORIGINAL_EXCHANGE_HEADER,
        delivery.exchange.as_str(),
    );
    let routing_key = original(
        failure::ORIGINAL_ROUTING_KEY_HEADER,
        delivery.routing_key.as_str(),
    );
    let text =
        |value: &Option<lapin::types::ShortString>| value.as_ref().map(|s| s.as_str().to_owned());
    AmqpFacts {
        queue: Arc::clone(&consumer.queue),
        exchange,
        routing_key,
        reply_to: text(props.reply_to()),
        correlation_id: text(props.correlation_id()),
        redelivered: delivery.redelivered,
        attempt,
        headers,
    }
}

/// A message's headers, each value as text.
fn text_headers(props: &BasicProperties) -> BTreeMap<String, String> {
    let Some(table) = props.headers() else {
        return BTreeMap::new();
    };
    table
        .inner()
        .iter()
        .map(|(key, value)| (key.as_str().to_owned(), failure::text(value)))
        .collect()
}

/// Publishes the reply to `reply_to` with the call's correlation id.
async fn publish_reply(
    consumer: &Consumer,
    delivery: &Delivery,
    reply_to: &str,
    body: &[u8],
    response: &Response,
) {
    let Ok(routing_key) = short("reply_to", reply_to) else {
        tracing::error!("reply_to is not a valid queue name; reply not sent");
        return;
    };
    let mut props = BasicProperties::default().with_content_type(response.content_type.into());
    if let Some(headers) = &consumer.reply_headers {
        props = props.with_headers(headers.clone());
    }
    if let Some(id) = delivery.properties.correlation_id() {
        props = props.with_correlation_id(id.clone());
    }
    let published = consumer
        .channel
        .basic_publish(
            "".into(),
            routing_key,
            BasicPublishOptions::default(),
            body,
            props,
        )
        .await;
    match published {
        Ok(_) => consumer.meters.reply.published(),
        // The ack will fail as well: the broker redelivers, the call runs again.
        Err(err) => {
            tracing::warn!(error = %err, "reply not published; the call will be redelivered");
        }
    }
}

async fn ack(delivery: &Delivery) {
    if let Err(err) = delivery.acker.ack(BasicAckOptions::default()).await {
        tracing::warn!(error = %err, "ack failed; the broker will redeliver");
    }
}

/// Waits the retry delay (cut short by shutdown), publishes the message
/// again with the next attempt number, and acks it.
async fn retry(consumer: &Consumer, delivery: &Delivery, attempt: u32) {
    let mut stopping = consumer.stopping.clone();
    let delay = consumer.options.retry_delay;
    if !*stopping.borrow() {
        let _ = tokio::time::timeout(delay, stopping.wait_for(|stop| *stop)).await;
    }
    let mut headers = delivery.properties.headers().clone().unwrap_or_default();
    headers.insert(
        failure::ATTEMPT_HEADER.into(),
        AMQPValue::LongLongInt(i64::from(attempt) + 1),
    );
    failure::keep_original_route(
        &mut headers,
        delivery.exchange.as_str(),
        delivery.routing_key.as_str(),
    );
    let props = delivery.properties.clone().with_headers(headers);
    let queue = consumer.queue.as_ref();
    tracing::warn!(attempt, "call failed; publishing it again");
    let meters = &consumer.meters.retry;
    if confirmed(consumer, meters, "", queue, &delivery.data, props).await {
        ack(delivery).await;
    } else {
        // Back to the queue as it was: nothing is lost.
        let requeue = BasicNackOptions {
            requeue: true,
            ..BasicNackOptions::default()
        };
        if let Err(err) = delivery.acker.nack(requeue).await {
            tracing::warn!(error = %err, "nack failed; the broker will redeliver");
        }
    }
}

/// Publishes the message to the dead-letter exchange with the fault in its
/// headers, then acks it; without one, rejects it (the queue's own
/// dead-letter exchange, if any, takes it).
async fn dead_letter(
    consumer: &Consumer,
    delivery: &Delivery,
    fault: &switchboard::Fault,
    attempt: u32,
    reason: DeadLetterReason,
) {
    let route = (
        consumer.queue.as_ref(),
        delivery.exchange.as_str(),
        delivery.routing_key.as_str(),
    );
    let headers = failure::dead_letter_headers(
        delivery.properties.headers().as_ref(),
        fault,
        attempt,
        route,
    );
    if let (Some(target), Some(meters)) =
        (&consumer.options.dead_letter, &consumer.meters.dead_letter)
    {
        let routing_key = target.routing_key.as_deref().unwrap_or(&consumer.queue);
        let props = delivery.properties.clone().with_headers(headers);
        if confirmed(
            consumer,
            meters,
            &target.exchange,
            routing_key,
            &delivery.data,
            props,
        )
        .await
        {
            tracing::warn!(code = %fault.code, reason = reason.as_str(), attempt, exchange = %target.exchange, "message dead-lettered");
            return ack(delivery).await;
        }
        tracing::error!(code = %fault.code, "dead letter not accepted by the broker; rejecting the message");
    } else {
        tracing::error!(code = %fault.code, reason = reason.as_str(), attempt, "no dead-letter exchange configured; rejecting the message to the queue's own");
    }
    if let Err(err) = delivery
        .acker
        .reject(BasicRejectOptions { requeue: false })
        .await
    {
        tracing::warn!(error = %err, "reject failed; the broker will redeliver");
    }
}

/// Publishes with `mandatory` and waits for the broker's confirm, counted
/// in `meters`; `true` only if it was routed and confirmed.
async fn confirmed(
    consumer: &Consumer,
    meters: &PublishMeters,
    exchange: &str,
    routing_key: &str,
    body: &[u8],
    props: BasicProperties,
) -> bool {
    let (Ok(exchange), Ok(routing_key)) = (
        short("exchange", exchange),
        short("routing key", routing_key),
    ) else {
        return false;
    };
    let options = BasicPublishOptions {
        mandatory: true,
        ..BasicPublishOptions::default()
    };
    let started = Instant::now();
    let published = consumer
        .confirms
        .basic_publish(exchange, routing_key, options, body, props)
        .await;
    let confirm = match published {
        Ok(confirm) => confirm,
        Err(err) => {
            tracing::warn!(error = %err, "publish failed");
            return false;
        }
    };
    meters.published();
    match confirm.await {
        Ok(confirmation) => {
            meters.confirmed(started, &confirmation);
            if matches!(confirmation, lapin::Confirmation::Ack(None)) {
                true
            } else {
                tracing::warn!(confirmation = ?confirmation.is_ack(), "publish not routed or refused");
                false
            }
        }
        Err(err) => {
            tracing::warn!(error = %err, "publish confirm lost");
            false
        }
    }
}
