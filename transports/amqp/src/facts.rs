//! [`AmqpFacts`]: what the server knows about the delivery a method runs
//! for, read with `ctx.facts::<AmqpFacts>()`.

use std::collections::BTreeMap;
use std::sync::Arc;

use switchboard::Facts;

/// The delivery a call came in.
///
/// ```
/// use switchboard::{MethodContext, rpc};
/// use switchboard_amqp::AmqpFacts;
///
/// /// Notes a reading; says so when it is a redelivery.
/// #[rpc(service = "readings", one_way)]
/// fn note(ctx: &MethodContext, value: f64) {
///     if let Some(amqp) = ctx.facts::<AmqpFacts>() {
///         if amqp.redelivered {
///             println!("seen before, via {} / {}: {value}", amqp.exchange, amqp.routing_key);
///         }
///     }
/// }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AmqpFacts {
    /// The queue it was consumed from.
    pub queue: Arc<str>,
    /// The exchange it was published to (empty: the default exchange); the
    /// original one for a retried message.
    pub exchange: String,
    /// The routing key it was published with; the original one for a
    /// retried message.
    pub routing_key: String,
    /// Where the reply goes, for RPC calls.
    pub reply_to: Option<String>,
    /// The caller's correlation id.
    pub correlation_id: Option<String>,
    /// Whether the broker delivered it before (to a consumer that did not
    /// ack it: a crash or a lost connection).
    pub redelivered: bool,
    /// Which attempt this is (1 on the first delivery; counted in the
    /// `x-switchboard-attempt` header across retries).
    pub attempt: u32,
    /// The message's headers, values as text.
    pub headers: BTreeMap<String, String>,
}

impl Facts for AmqpFacts {
    fn transport(&self) -> &'static str {
        "amqp"
    }
}
