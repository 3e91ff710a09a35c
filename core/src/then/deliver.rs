//! [`ThenReplies`]: the serving side of calls whose replies come back as
//! calls: which reply addresses are allowed, the clients that reach them,
//! and the delivery of one reply.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::catalog::{self, Address, ConnectSettings};
use crate::protocol::OutgoingCall;
use crate::signing::Signer;
use crate::transport::{ClientTransport, OutgoingRequest};
use crate::{CarriedHeaders, Fault, Reply, SIGNATURE_HEADER, code};

use super::{ReplyParams, ReplyValue, Then, without_userinfo};

/// How long one delivery may take before it counts as failed.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a reply cannot be delivered as a call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ThenRefused {
    /// The request's directive is not one (bad JSON, no method, an address
    /// that does not read, or one with credentials): `Client.InvalidRequest`.
    #[error("{0}")]
    Invalid(String),
    /// This service delivers replies as calls nowhere, or not there:
    /// `Client.Unauthorized`.
    #[error("{0}")]
    NotAllowed(String),
    /// The reply address could not be reached or did not take the reply:
    /// `Server.Unavailable`, so queues run the call again later.
    #[error("{0}")]
    Unavailable(String),
}

impl From<ThenRefused> for Fault {
    fn from(refused: ThenRefused) -> Self {
        match refused {
            ThenRefused::Invalid(why) => Fault::new(code::INVALID_REQUEST, why),
            ThenRefused::NotAllowed(why) => Fault::unauthorized(why),
            ThenRefused::Unavailable(why) => Fault::new(code::UNAVAILABLE, why),
        }
    }
}

/// Where a service may deliver replies as calls, and the clients it
/// delivers them with. Set on the application
/// ([`ApplicationBuilder::then_replies`](crate::ApplicationBuilder::then_replies)),
/// so every transport serving it honours [`Then`]; without it, a call
/// asking for its reply as a call is refused with `Client.Unauthorized`.
///
/// An allowed address carries the serving side's own credentials; a
/// caller's reply address matches it when the scheme and the target (its
/// host, port and path, or its file) are the same, credentials aside. The
/// caller's options (the queue) are added to the allowed address's own,
/// which win.
///
/// ```
/// use switchboard::ThenReplies;
/// use switchboard::catalog::{Address, ConnectSettings};
///
/// # fn demo(settings: ConnectSettings) -> Result<(), switchboard::catalog::AddressError> {
/// let replies = ThenReplies::new(settings)
///     .allow(Address::parse("amqp://svc:secret@broker:5672/%2f")?);
/// # Ok(()) }
/// ```
pub struct ThenReplies {
    allowed: Vec<Address>,
    settings: ConnectSettings,
    /// Signs each delivery, when the service has a secret.
    signer: Option<Signer>,
    /// One client per address delivered to so far.
    clients: tokio::sync::Mutex<Vec<(Address, Arc<dyn ClientTransport>)>>,
}

impl ThenReplies {
    /// Delivers with `settings` (the client name, fingerprint and typed
    /// settings; the protocol is each reply's own), to no address yet.
    pub fn new(settings: ConnectSettings) -> Self {
        Self {
            allowed: Vec::new(),
            settings,
            signer: None,
            clients: tokio::sync::Mutex::default(),
        }
    }

    /// Signs every delivered reply with `signer`: for callers whose
    /// service requires signed calls ([`signing`](crate::signing)) and
    /// shares its secret with this one.
    #[must_use]
    pub fn with_signer(mut self, signer: Signer) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Also delivers to `address` and the places it covers.
    #[must_use]
    pub fn allow(mut self, address: Address) -> Self {
        self.allowed.push(address);
        self
    }

    /// The allowed addresses.
    pub fn allowed(&self) -> &[Address] {
        &self.allowed
    }

    /// The address `then` is delivered to: its own, with the credentials
    /// and options of the allowed address it matches.
    ///
    /// # Errors
    /// [`ThenRefused::NotAllowed`] when it matches none.
    pub fn target(&self, then: &Then) -> Result<Address, ThenRefused> {
        let wanted = Address::parse(then.to())
            .map_err(|err| ThenRefused::Invalid(format!("the reply address: {err}")))?;
        let place = without_userinfo(wanted.target());
        let allowed = self
            .allowed
            .iter()
            .find(|allowed| {
                allowed.scheme() == wanted.scheme() && without_userinfo(allowed.target()) == place
            })
            .ok_or_else(|| {
                ThenRefused::NotAllowed(format!(
                    "this service does not deliver replies to {} (it delivers to {})",
                    wanted.without_options(),
                    self.describe_allowed()
                ))
            })?;
        let mut target = allowed.clone();
        for (key, value) in wanted.options() {
            if allowed.option(key).is_none() {
                target = target.with_option(key, value);
            }
        }
        Ok(target)
    }

    fn describe_allowed(&self) -> String {
        if self.allowed.is_empty() {
            return "no address".to_owned();
        }
        let places: Vec<String> = self
            .allowed
            .iter()
            .map(|a| format!("{}:{}", a.scheme(), without_userinfo(a.target())))
            .collect();
        places.join(", ")
    }

    /// Delivers `result` as a call of `then`'s method at `target` (from
    /// [`target`](Self::target)), one-way, and returns once the transport
    /// accepted it.
    ///
    /// # Errors
    /// [`ThenRefused::Invalid`] for a protocol that is not linked or cannot
    /// be called, [`ThenRefused::Unavailable`] when the address cannot be
    /// reached or refuses the call.
    pub async fn deliver(
        &self,
        then: &Then,
        target: Address,
        result: Result<&Reply, &Fault>,
    ) -> Result<(), ThenRefused> {
        let entry = catalog::protocol(then.protocol()).ok_or_else(|| {
            ThenRefused::Invalid(format!("no protocol `{}` is linked", then.protocol()))
        })?;
        let protocol = entry
            .client_protocol(&self.settings.settings)
            .ok_or_else(|| {
                ThenRefused::Invalid(format!("protocol `{}` cannot send calls", then.protocol()))
            })?;
        let transport = self.client(&target, entry).await?;
        let params = ReplyParams {
            reply: match result {
                Ok(reply) => ReplyValue::Ok(reply),
                Err(fault) => ReplyValue::Err(fault),
            },
            data: then.data(),
        };
        let body = protocol
            .encode_call(OutgoingCall {
                method: then.method(),
                params: &params,
                id: None,
                method_in_transport: transport.names_method(),
            })
            .map_err(|err| ThenRefused::Unavailable(format!("the reply does not encode: {err}")))?;
        let mut headers = CarriedHeaders::default();
        if let Some(signer) = &self.signer {
            headers.set(SIGNATURE_HEADER, signer.sign(then.method(), &body));
        }
        let request = OutgoingRequest {
            method: then.method().to_owned(),
            body,
            content_type: protocol.content_type(),
            protocol: protocol.name(),
            one_way: true,
            deadline: Some(Instant::now() + DELIVERY_TIMEOUT),
            headers,
        };
        match tokio::time::timeout(DELIVERY_TIMEOUT, transport.send_one_way(request)).await {
            Ok(Ok(_receipt)) => Ok(()),
            outcome => {
                // The next delivery connects afresh.
                self.clients
                    .lock()
                    .await
                    .retain(|(known, _)| known != &target);
                let why = match outcome {
                    Ok(Err(err)) => err.to_string(),
                    _ => "timed out".to_owned(),
                };
                Err(ThenRefused::Unavailable(format!(
                    "the reply to {} could not be delivered: {why}",
                    target.without_options()
                )))
            }
        }
    }

    /// The client for `target`, connected once.
    async fn client(
        &self,
        target: &Address,
        protocol: &'static catalog::ProtocolEntry,
    ) -> Result<Arc<dyn ClientTransport>, ThenRefused> {
        let mut clients = self.clients.lock().await;
        if let Some((_, client)) = clients.iter().find(|(known, _)| known == target) {
            return Ok(Arc::clone(client));
        }
        let mut settings = self.settings.clone();
        settings.protocol = protocol;
        let client = catalog::connect(target.clone(), settings)
            .await
            .map_err(|err| {
                ThenRefused::Unavailable(format!(
                    "cannot reach {} for the reply: {err}",
                    target.without_options()
                ))
            })?;
        clients.push((target.clone(), Arc::clone(&client)));
        Ok(client)
    }
}

impl std::fmt::Debug for ThenReplies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThenReplies")
            .field("allowed", &self.describe_allowed())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replies(allowed: &[&str]) -> ThenReplies {
        // `target` needs no protocol, and core's tests link none.
        allowed.iter().fold(
            ThenReplies::new(ConnectSettings::new(&NO_PROTOCOL)),
            |replies, a| replies.allow(Address::parse(a).expect("address")),
        )
    }

    static NO_PROTOCOL: catalog::ProtocolEntry =
        catalog::ProtocolEntry::new("none", "none", "text/plain", |_| unreachable!());

    #[test]
    fn a_reply_address_matches_an_allowed_place_and_takes_its_credentials() {
        let replies = replies(&[
            "amqp://svc:pw@broker:5672/%2f?heartbeat=5",
            "sqlite:/q/replies.db",
        ]);
        let then = Then::call("on_done").at("amqp://broker:5672/%2f?queue=web&heartbeat=30");
        let target = replies.target(&then).expect("allowed");
        assert_eq!(target.target(), "//svc:pw@broker:5672/%2f");
        assert_eq!(target.option("queue"), Some("web"));
        // The allowed address's own options win.
        assert_eq!(target.option("heartbeat"), Some("5"));
        let file = Then::call("on_done").at("sqlite:/q/replies.db");
        assert!(replies.target(&file).is_ok());
    }

    #[test]
    fn any_other_place_is_not_allowed() {
        let replies = replies(&["amqp://svc:pw@broker:5672/%2f", "sqlite:/q/replies.db"]);
        for to in [
            "amqp://broker:5672/other",
            "amqp://elsewhere:5672/%2f",
            "amqps://broker:5672/%2f",
            "sqlite:/q/other.db",
            "http://broker:5672/%2f",
        ] {
            let refused = replies.target(&Then::call("m").at(to)).expect_err(to);
            assert!(matches!(refused, ThenRefused::NotAllowed(_)), "{to}");
            assert!(!refused.to_string().contains("pw"), "{refused}");
        }
        let none = self::replies(&[]);
        let refused = none.target(&Then::call("m").at("sqlite:/q/replies.db"));
        assert!(refused.is_err_and(|why| why.to_string().contains("no address")));
    }
}
