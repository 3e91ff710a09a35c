//! The metrics of the AMQP transport, per broker link, recorded through
//! the [`metrics`] facade (a no-op until the process installs a
//! recorder, as the host does).
//!
//! | metric | type | labels | counts |
//! |---|---|---|---|
//! | [`CONSUMED`] | counter | [`BROKER`], [`QUEUE`] | deliveries a server received |
//! | [`REDELIVERED`] | counter | [`BROKER`], [`QUEUE`] | of those, the ones the broker had delivered before |
//! | [`DEAD_LETTERED`] | counter | [`BROKER`], [`QUEUE`], [`REASON`] | messages a server dead-lettered, by the row of the failure table |
//! | [`PUBLISHED`] | counter | [`BROKER`], [`EXCHANGE`], [`KIND`] | messages published (the broker took the `basic.publish`) |
//! | [`PUBLISH_CONFIRM`] | histogram (s) | [`BROKER`], [`KIND`] | from publishing to the broker's confirm, for confirmed publishes |
//! | [`NACKS`] | counter | [`BROKER`], [`EXCHANGE`], [`KIND`] | publishes the broker refused (`basic.nack`) |
//! | [`RETURNS`] | counter | [`BROKER`], [`EXCHANGE`], [`KIND`] | `mandatory` publishes returned unroutable |
//! | [`RECONNECTS`] | counter | [`BROKER`], [`ROLE`] | links opened again after theirs was lost |
//! | [`CONNECTED`] | gauge | [`BROKER`], [`ROLE`] | links up now (0 or 1 for a process with one link of that role) |
//! | [`LATE_REPLIES`] | counter | [`BROKER`] | replies that came for no waiting call (its caller gave up) |
//!
//! Every label value is bounded: the broker is `host:port/vhost` (never
//! the credentials), a queue or exchange is one the operator or the
//! application named (a broker-named private queue is `private:EXCHANGE`,
//! the default exchange `amq.default`), and reply queues, correlation ids
//! and message contents are never labels. Handles are made once per link,
//! queue and publishing path and kept, so a message builds no label.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use ::metrics::{Counter, Gauge, Histogram, Unit};

/// Deliveries a server received from a queue, labelled [`BROKER`] and
/// [`QUEUE`].
pub const CONSUMED: &str = "switchboard_amqp_consumed_total";
/// Deliveries that carried the broker's `redelivered` flag (a consumer
/// died or its connection dropped before it acked), labelled [`BROKER`]
/// and [`QUEUE`].
pub const REDELIVERED: &str = "switchboard_amqp_redelivered_total";
/// Messages a server dead-lettered, labelled [`BROKER`], [`QUEUE`] and
/// [`REASON`]: counted when it decides to (whether the dead-letter
/// exchange then took the copy shows in [`NACKS`] and [`RETURNS`] of kind
/// `dead_letter`).
pub const DEAD_LETTERED: &str = "switchboard_amqp_dead_lettered_total";
/// Messages published, labelled [`BROKER`], [`EXCHANGE`] and [`KIND`].
pub const PUBLISHED: &str = "switchboard_amqp_published_total";
/// Seconds from a publish to the broker's confirm (ack, nack or return),
/// labelled [`BROKER`] and [`KIND`]. Replies are not confirmed and do not
/// appear.
pub const PUBLISH_CONFIRM: &str = "switchboard_amqp_publish_confirm_seconds";
/// Publishes the broker refused with `basic.nack`, labelled [`BROKER`],
/// [`EXCHANGE`] and [`KIND`].
pub const NACKS: &str = "switchboard_amqp_nacks_total";
/// `mandatory` publishes the broker returned because no queue was bound
/// to take them, labelled [`BROKER`], [`EXCHANGE`] and [`KIND`].
pub const RETURNS: &str = "switchboard_amqp_returns_total";
/// Links opened again after the one before was lost (a connection closed
/// by the broker, a network cut, a restart): one per recovery, however
/// many attempts it took. Labelled [`BROKER`] and [`ROLE`].
pub const RECONNECTS: &str = "switchboard_amqp_reconnects_total";
/// Links up now, labelled [`BROKER`] and [`ROLE`]: a server's while it
/// consumes, a client's while its connection and reply consumer are up.
pub const CONNECTED: &str = "switchboard_amqp_connected";
/// Replies that arrived for no waiting call: the caller had timed out or
/// stopped waiting (or the correlation id was unknown). Labelled
/// [`BROKER`].
pub const LATE_REPLIES: &str = "switchboard_amqp_late_replies_total";

/// The broker: `host:port/vhost`, the vhost percent-encoded as in a URL
/// (`127.0.0.1:5672/%2f`); see
/// [`ConnectionSettings::broker`](crate::ConnectionSettings::broker).
pub const BROKER: &str = "broker";
/// Which side holds the link: [`ROLE_SERVER`] or [`ROLE_CLIENT`].
pub const ROLE: &str = "role";
/// The queue consumed: its name, or `private:EXCHANGE` for a queue the
/// broker names per connection (broadcast, private topic queues).
pub const QUEUE: &str = "queue";
/// The exchange published to; [`DEFAULT_EXCHANGE`] for the default one.
pub const EXCHANGE: &str = "exchange";
/// What was published: [`KIND_CALL`], [`KIND_REPLY`], [`KIND_RETRY`],
/// [`KIND_DEAD_LETTER`], [`KIND_MESSAGE`] or [`KIND_EVENT`].
pub const KIND: &str = "kind";
/// Why a message was dead-lettered: [`REASON_BAD_REQUEST`],
/// [`REASON_SERVER_FAULT`] or [`REASON_METHOD_FAULT`], the rows of the
/// failure table (see [`server`](crate::server)).
pub const REASON: &str = "reason";

/// [`ROLE`] of an [`AmqpServer`](crate::AmqpServer)'s link.
pub const ROLE_SERVER: &str = "server";
/// [`ROLE`] of an [`AmqpClient`](crate::AmqpClient)'s link.
pub const ROLE_CLIENT: &str = "client";

/// [`EXCHANGE`] of the default exchange (whose real name is empty), as
/// RabbitMQ also accepts it.
pub const DEFAULT_EXCHANGE: &str = "amq.default";

/// [`KIND`]: a request a client sent (RPC or one-way).
pub const KIND_CALL: &str = "call";
/// [`KIND`]: a server's reply to `reply_to` (not confirmed).
pub const KIND_REPLY: &str = "reply";
/// [`KIND`]: a failed one-way call published again by its server.
pub const KIND_RETRY: &str = "retry";
/// [`KIND`]: a copy sent to the dead-letter exchange.
pub const KIND_DEAD_LETTER: &str = "dead_letter";
/// [`KIND`]: a message published with
/// [`AmqpClient::publish`](crate::AmqpClient::publish) (a bus task).
pub const KIND_MESSAGE: &str = "message";
/// [`KIND`]: an event published with
/// [`AmqpClient::publish_event`](crate::AmqpClient::publish_event) (not
/// `mandatory`, so never returned).
pub const KIND_EVENT: &str = "event";

/// [`REASON`]: the request itself cannot run (malformed, invalid, unknown
/// method, invalid parameters, over a limit, unsupported media type).
pub const REASON_BAD_REQUEST: &str = "bad_request";
/// [`REASON`]: the method failed on the server's side (`Server…`): at
/// once for an RPC call, after the last attempt for a one-way one.
pub const REASON_SERVER_FAULT: &str = "server_fault";
/// [`REASON`]: a one-way call answered with the method's own `Client…`
/// fault, which nobody would otherwise see.
pub const REASON_METHOD_FAULT: &str = "method_fault";

/// Gives the recorder installed now the help text and unit of every
/// metric of this crate. The transport does it once, when it first
/// records; a process that installs its recorder later calls this after
/// installing it.
pub fn describe() {
    ::metrics::describe_counter!(
        CONSUMED,
        Unit::Count,
        "Deliveries an AMQP server received, by broker and queue."
    );
    ::metrics::describe_counter!(
        REDELIVERED,
        Unit::Count,
        "Deliveries the broker had delivered before (redelivered flag), by broker and queue."
    );
    ::metrics::describe_counter!(
        DEAD_LETTERED,
        Unit::Count,
        "Messages an AMQP server dead-lettered, by broker, queue and reason \
         (bad_request, server_fault, method_fault)."
    );
    ::metrics::describe_counter!(
        PUBLISHED,
        Unit::Count,
        "Messages published to the broker, by broker, exchange and kind \
         (call, reply, retry, dead_letter, message, event)."
    );
    ::metrics::describe_histogram!(
        PUBLISH_CONFIRM,
        Unit::Seconds,
        "Seconds from a publish to the broker's confirm, by broker and kind."
    );
    ::metrics::describe_counter!(
        NACKS,
        Unit::Count,
        "Publishes the broker refused (basic.nack), by broker, exchange and kind."
    );
    ::metrics::describe_counter!(
        RETURNS,
        Unit::Count,
        "Mandatory publishes the broker returned unroutable, by broker, exchange and kind."
    );
    ::metrics::describe_counter!(
        RECONNECTS,
        Unit::Count,
        "Broker links opened again after the previous one was lost, by broker and role."
    );
    ::metrics::describe_gauge!(
        CONNECTED,
        "Broker links up now, by broker and role (server: consuming; client: connected)."
    );
    ::metrics::describe_counter!(
        LATE_REPLIES,
        Unit::Count,
        "Replies that came after their caller stopped waiting, by broker."
    );
}

/// [`describe`], once per process: on first use.
fn described() {
    static DESCRIBED: Once = Once::new();
    DESCRIBED.call_once(describe);
}

/// The [`EXCHANGE`] label of `exchange`.
pub(crate) fn exchange_label(exchange: &str) -> String {
    if exchange.is_empty() {
        DEFAULT_EXCHANGE.to_owned()
    } else {
        exchange.to_owned()
    }
}

/// Why a message is dead-lettered: the [`REASON`] label, one per row of
/// the failure table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeadLetterReason {
    /// [`REASON_BAD_REQUEST`].
    BadRequest,
    /// [`REASON_SERVER_FAULT`].
    ServerFault,
    /// [`REASON_METHOD_FAULT`].
    MethodFault,
}

impl DeadLetterReason {
    /// Every reason, in the order of [`QueueMeters`]' handles.
    const ALL: [Self; 3] = [Self::BadRequest, Self::ServerFault, Self::MethodFault];

    /// The label value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => REASON_BAD_REQUEST,
            Self::ServerFault => REASON_SERVER_FAULT,
            Self::MethodFault => REASON_METHOD_FAULT,
        }
    }

    fn index(self) -> usize {
        match self {
            Self::BadRequest => 0,
            Self::ServerFault => 1,
            Self::MethodFault => 2,
        }
    }
}

/// The counter of [`LATE_REPLIES`] on `broker`.
pub(crate) fn late_replies(broker: &str) -> Counter {
    described();
    ::metrics::counter!(LATE_REPLIES, BROKER => broker.to_owned())
}

/// The meters of one link: its reconnects and its place in the
/// connected gauge.
#[derive(Debug, Clone)]
pub(crate) struct LinkMeters {
    reconnects: Counter,
    connected: Gauge,
}

impl LinkMeters {
    /// The meters of a link of `role` to `broker`.
    pub(crate) fn new(broker: &str, role: &'static str) -> Self {
        described();
        let labels = [(BROKER, broker.to_owned()), (ROLE, role.to_owned())];
        Self {
            reconnects: ::metrics::counter!(RECONNECTS, &labels),
            connected: ::metrics::gauge!(CONNECTED, &labels),
        }
    }

    /// Counts one link opened again after a loss.
    pub(crate) fn reconnected(&self) {
        self.reconnects.increment(1);
    }

    /// The link is up: counted in the gauge until the returned [`Up`] is
    /// put [`down`](Up::down) or dropped.
    pub(crate) fn up(&self) -> Up {
        self.connected.increment(1.0);
        Up {
            gauge: self.connected.clone(),
            up: AtomicBool::new(true),
        }
    }
}

/// A link counted as up in [`CONNECTED`]; taken out once, by
/// [`down`](Self::down) or on drop, whichever comes first.
#[derive(Debug)]
pub(crate) struct Up {
    gauge: Gauge,
    up: AtomicBool,
}

impl Up {
    /// The link is down (again: a no-op).
    pub(crate) fn down(&self) {
        if self.up.swap(false, Ordering::AcqRel) {
            self.gauge.decrement(1.0);
        }
    }
}

impl Drop for Up {
    fn drop(&mut self) {
        self.down();
    }
}

/// The meters of one queue a server consumes.
#[derive(Debug, Clone)]
pub(crate) struct QueueMeters {
    consumed: Counter,
    redelivered: Counter,
    /// By [`DeadLetterReason::index`].
    dead_lettered: [Counter; 3],
}

impl QueueMeters {
    /// The meters of `queue` (a label: see [`QUEUE`]) on `broker`.
    pub(crate) fn new(broker: &str, queue: &str) -> Self {
        described();
        let labels = [(BROKER, broker.to_owned()), (QUEUE, queue.to_owned())];
        let dead_lettered = DeadLetterReason::ALL.map(|reason| {
            ::metrics::counter!(
                DEAD_LETTERED,
                BROKER => broker.to_owned(),
                QUEUE => queue.to_owned(),
                REASON => reason.as_str(),
            )
        });
        Self {
            consumed: ::metrics::counter!(CONSUMED, &labels),
            redelivered: ::metrics::counter!(REDELIVERED, &labels),
            dead_lettered,
        }
    }

    /// Counts a delivery.
    pub(crate) fn delivered(&self, redelivered: bool) {
        self.consumed.increment(1);
        if redelivered {
            self.redelivered.increment(1);
        }
    }

    /// Counts a message dead-lettered for `reason`.
    pub(crate) fn dead_lettered(&self, reason: DeadLetterReason) {
        self.dead_lettered[reason.index()].increment(1);
    }
}

/// The meters of one publishing path: a broker, an exchange and a kind.
#[derive(Debug, Clone)]
pub(crate) struct PublishMeters {
    published: Counter,
    /// `None` for publishes that are never confirmed (replies): no series
    /// that would stay empty.
    confirms: Option<ConfirmMeters>,
}

/// The meters of the confirms of one publishing path.
#[derive(Debug, Clone)]
struct ConfirmMeters {
    latency: Histogram,
    nacks: Counter,
    returns: Counter,
}

impl PublishMeters {
    /// The meters of confirmed publishes of `kind` to `exchange` (its real
    /// name: empty for the default exchange) on `broker`.
    pub(crate) fn new(broker: &str, exchange: &str, kind: &'static str) -> Self {
        let mut meters = Self::unconfirmed(broker, exchange, kind);
        let labels = [
            (BROKER, broker.to_owned()),
            (EXCHANGE, exchange_label(exchange)),
            (KIND, kind.to_owned()),
        ];
        meters.confirms = Some(ConfirmMeters {
            latency: ::metrics::histogram!(
                PUBLISH_CONFIRM,
                BROKER => broker.to_owned(),
                KIND => kind,
            ),
            nacks: ::metrics::counter!(NACKS, &labels),
            returns: ::metrics::counter!(RETURNS, &labels),
        });
        meters
    }

    /// The meters of publishes that are not confirmed: counted only.
    pub(crate) fn unconfirmed(broker: &str, exchange: &str, kind: &'static str) -> Self {
        described();
        Self {
            published: ::metrics::counter!(
                PUBLISHED,
                BROKER => broker.to_owned(),
                EXCHANGE => exchange_label(exchange),
                KIND => kind,
            ),
            confirms: None,
        }
    }

    /// Counts a publish the broker took.
    pub(crate) fn published(&self) {
        self.published.increment(1);
    }

    /// Records the confirm of a publish begun at `started`: its latency,
    /// and a nack or a return.
    pub(crate) fn confirmed(&self, started: Instant, confirmation: &lapin::Confirmation) {
        use lapin::Confirmation;
        let Some(confirms) = &self.confirms else {
            return;
        };
        confirms.latency.record(started.elapsed().as_secs_f64());
        match confirmation {
            Confirmation::Ack(None) | Confirmation::NotRequested => {}
            Confirmation::Ack(Some(_)) => confirms.returns.increment(1),
            Confirmation::Nack(returned) => {
                confirms.nacks.increment(1);
                if returned.is_some() {
                    confirms.returns.increment(1);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_bounded_names() {
        assert_eq!(exchange_label(""), DEFAULT_EXCHANGE);
        assert_eq!(exchange_label("dlx"), "dlx");
        let reasons = DeadLetterReason::ALL.map(DeadLetterReason::as_str);
        assert_eq!(reasons, ["bad_request", "server_fault", "method_fault"]);
        for (index, reason) in DeadLetterReason::ALL.into_iter().enumerate() {
            assert_eq!(reason.index(), index);
        }
    }

    /// Runs `f` with a Prometheus recorder of its own; the page after,
    /// while what `f` returned is still alive.
    fn rendered<T>(f: impl FnOnce() -> T) -> String {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let kept = ::metrics::with_local_recorder(&recorder, f);
        let page = handle.render();
        drop(kept);
        page
    }

    #[test]
    fn a_link_leaves_the_gauge_once_and_counts_its_recoveries() {
        let page = rendered(|| {
            let link = LinkMeters::new("127.0.0.1:5672/%2f", ROLE_SERVER);
            let first = link.up();
            let second = link.up();
            first.down();
            first.down();
            drop(first);
            link.reconnected();
            drop(second);
            link.up()
        });
        let labels = r#"{broker="127.0.0.1:5672/%2f",role="server"}"#;
        assert!(page.contains(&format!("{CONNECTED}{labels} 1\n")), "{page}");
        assert!(
            page.contains(&format!("{RECONNECTS}{labels} 1\n")),
            "{page}"
        );
    }

    #[test]
    fn queues_and_publishes_count_under_their_labels() {
        use lapin::Confirmation;
        let page = rendered(|| {
            let queue = QueueMeters::new("b:5672/v", "jobs");
            queue.delivered(false);
            queue.delivered(true);
            queue.dead_lettered(DeadLetterReason::MethodFault);
            let publish = PublishMeters::new("b:5672/v", "", KIND_CALL);
            let replies = PublishMeters::unconfirmed("b:5672/v", "", KIND_REPLY);
            replies.published();
            replies.confirmed(Instant::now(), &Confirmation::Nack(None));
            for confirmation in [
                Confirmation::Ack(None),
                Confirmation::Nack(None),
                Confirmation::NotRequested,
            ] {
                publish.published();
                publish.confirmed(Instant::now(), &confirmation);
            }
        });
        let queue = r#"broker="b:5672/v",queue="jobs""#;
        for line in [
            format!("{CONSUMED}{{{queue}}} 2"),
            format!("{REDELIVERED}{{{queue}}} 1"),
            format!("{DEAD_LETTERED}{{{queue},reason=\"method_fault\"}} 1"),
            format!("{DEAD_LETTERED}{{{queue},reason=\"bad_request\"}} 0"),
            format!(r#"{PUBLISHED}{{broker="b:5672/v",exchange="amq.default",kind="call"}} 3"#),
            format!(r#"{NACKS}{{broker="b:5672/v",exchange="amq.default",kind="call"}} 1"#),
            format!(r#"{RETURNS}{{broker="b:5672/v",exchange="amq.default",kind="call"}} 0"#),
            format!(r#"{PUBLISH_CONFIRM}_count{{broker="b:5672/v",kind="call"}} 3"#),
        ] {
            assert!(page.contains(&format!("{line}\n")), "{line} in\n{page}");
        }
        assert!(
            page.contains(&format!(
                r#"{PUBLISHED}{{broker="b:5672/v",exchange="amq.default",kind="reply"}} 1"#
            )),
            "{page}"
        );
        assert!(!page.contains(r#"kind="reply"} 0"#) && !page.contains(r#"kind="reply",le"#));
    }
}
