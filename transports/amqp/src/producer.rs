//! [`Producer`]: Postage's producer rules over an [`AmqpClient`], in any
//! client protocol (it is made for `switchboard-postage`, but names none).
//!
//! | Postage (`GenericProducer`) | here |
//! |---|---|
//! | `eks = [(Exchange, "key"), ...]` | [`Producer::new`]'s `eks` (exchange names; the exchanges must exist) |
//! | `message_NAME(...)`: one-way, to **every** (exchange, key) of the eks | [`Producer::message`] with [`Route::default()`] |
//! | `_key="rk"`: the **first** exchange, with key `rk` | [`Route::key`] |
//! | `_eks=[...]`: that list instead (then `_key` is not read) | [`Route::eks`] |
//! | `rpc_NAME(...)`: to the first (exchange, key), a private reply queue per send | [`Producer::rpc`] (reply mode [`ReplyMode::PerCall`]) |
//! | `_timeout` (30 s), `_max_retry` (4): each send waits `_timeout`; on none, sent again, up to `_max_retry` more times | [`RpcOptions`] ([`DEFAULT_RPC_TIMEOUT`], [`DEFAULT_MAX_RETRY`]) |
//! | then `MessageResultException("TimeoutError", "")` | [`CallError::Fault`] with code [`TIMEOUT_FAULT`] |
//!
//! Two differences, both deliberate: Postage's `_rpc_send` reads
//! `_max_retry` but then loops on the class's `max_retry`, so the keyword
//! has no effect; here `max_retry` is what the caller says. And a request
//! that went unanswered is not withdrawn (Postage's are not either): a
//! server that comes back runs every copy, so only call methods that are
//! safe to run twice with retries (`max_retry: 0` otherwise).

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use switchboard::protocol::{ClientProtocol, OutgoingCall, ProtocolError};
use switchboard::{CallError, Fault, Method, TransportError};

use crate::client::{AmqpClient, ClientOptions, ReplyMode};
use crate::error::AmqpError;
use crate::settings::ConnectionSettings;

/// How long an RPC send waits for its reply: Postage's `rpc_timeout`.
pub const DEFAULT_RPC_TIMEOUT: Duration = Duration::from_secs(30);

/// How many times an unanswered RPC is sent again: Postage's `max_retry`.
pub const DEFAULT_MAX_RETRY: u32 = 4;

/// The fault code of an RPC that got no reply after all its sends:
/// Postage's `TimeoutError`, as `switchboard-postage` reads it.
pub const TIMEOUT_FAULT: &str = "Server.TimeoutError";

/// An exchange's name and a routing key: one entry of Postage's `eks`.
pub type ExchangeKey = (String, String);

/// Where one call goes, over the producer's `eks`: Postage's `_key` and
/// `_eks` keywords. The default is the producer's own `eks`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Route {
    /// `_key`: the first exchange of the eks, with this routing key.
    pub key: Option<String>,
    /// `_eks`: these (exchange, key) pairs instead; `key` is then not read.
    pub eks: Option<Vec<ExchangeKey>>,
}

impl Route {
    /// `_key=key`: the producer's first exchange, with `key`.
    pub fn key(key: impl Into<String>) -> Self {
        Self {
            key: Some(key.into()),
            eks: None,
        }
    }

    /// `_eks=eks`: these pairs instead of the producer's.
    pub fn eks<I, E, K>(eks: I) -> Self
    where
        I: IntoIterator<Item = (E, K)>,
        E: Into<String>,
        K: Into<String>,
    {
        Self {
            key: None,
            eks: Some(eks.into_iter().map(|(e, k)| (e.into(), k.into())).collect()),
        }
    }

    /// The (exchange, key) pairs this route means over `defaults`.
    pub fn resolve(&self, defaults: &[ExchangeKey]) -> Vec<ExchangeKey> {
        match (&self.eks, &self.key, defaults.first()) {
            (Some(eks), _, _) => eks.clone(),
            (None, Some(key), Some((exchange, _))) => vec![(exchange.clone(), key.clone())],
            // No exchange to take `_key` to (an empty eks): nowhere.
            (None, Some(_), None) => Vec::new(),
            (None, None, _) => defaults.to_vec(),
        }
    }
}

/// How an RPC is sent: Postage's `_timeout`, `_max_retry` and route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcOptions {
    /// How long each send waits for the reply.
    pub timeout: Duration,
    /// How many times it is sent again when no reply came in time.
    pub max_retry: u32,
    /// Where it goes (an RPC goes to the first pair only).
    pub route: Route,
}

impl Default for RpcOptions {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_RPC_TIMEOUT,
            max_retry: DEFAULT_MAX_RETRY,
            route: Route::default(),
        }
    }
}

impl RpcOptions {
    /// Waits `timeout` per send.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sends again up to `max_retry` times.
    #[must_use]
    pub fn with_max_retry(mut self, max_retry: u32) -> Self {
        self.max_retry = max_retry;
        self
    }

    /// Goes by `route`.
    #[must_use]
    pub fn with_route(mut self, route: Route) -> Self {
        self.route = route;
        self
    }
}

/// Sends one-way messages and RPCs the way Postage's `GenericProducer`
/// does (see the [module](self) table), encoded by any client protocol.
///
/// # Contract
///
/// - Every publish is `mandatory` and confirmed: a message to a pair
///   nothing is bound to fails with [`TransportError::Unexpected`], and
///   the pairs before it have been sent already.
/// - An RPC is sent at most `max_retry + 1` times, each send with its own
///   reply queue, and only when the one before got no reply in time; any
///   other failure ends it at once.
/// - A reply is decoded by the protocol: its faults are
///   [`CallError::Fault`], as for [`switchboard::Client`].
pub struct Producer {
    client: AmqpClient,
    protocol: Arc<dyn ClientProtocol>,
    eks: Vec<ExchangeKey>,
}

impl Producer {
    /// Connects with `settings`, to send to `eks` (exchange, routing key)
    /// in `protocol`. Replies come on a queue per call
    /// ([`ReplyMode::PerCall`]), which every server answers.
    ///
    /// # Errors
    /// [`AmqpError::InvalidSetting`] if `eks` is empty; else as
    /// [`AmqpClient::connect`].
    pub async fn new(
        settings: ConnectionSettings,
        eks: Vec<ExchangeKey>,
        protocol: Arc<dyn ClientProtocol>,
    ) -> Result<Self, AmqpError> {
        let Some((exchange, key)) = eks.first() else {
            return Err(AmqpError::InvalidSetting {
                setting: "eks",
                why: "a producer needs at least one (exchange, routing key)".to_owned(),
            });
        };
        let options = ClientOptions::to_exchange(exchange, key).with_reply_mode(ReplyMode::PerCall);
        let client = AmqpClient::connect(settings, options).await?;
        Ok(Self {
            client,
            protocol,
            eks,
        })
    }

    /// The producer's own (exchange, key) pairs.
    pub fn eks(&self) -> &[ExchangeKey] {
        &self.eks
    }

    /// The client it sends with.
    pub fn get_ref(&self) -> &AmqpClient {
        &self.client
    }

    /// `message_NAME(params)`: a one-way call of `method` to every pair
    /// `route` means.
    ///
    /// # Errors
    /// [`CallError::Protocol`] if it cannot be encoded, else the first
    /// publish's [`TransportError`].
    pub async fn message(
        &self,
        method: &str,
        params: &(dyn erased_serde::Serialize + Sync),
        route: &Route,
    ) -> Result<(), CallError> {
        let body = self.encode(method, params, None)?;
        for (exchange, key) in route.resolve(&self.eks) {
            let content_type = self.protocol.content_type();
            self.client
                .publish(&exchange, &key, content_type, &body)
                .await?;
        }
        Ok(())
    }

    /// [`message`](Self::message) of a typed call (the struct `#[rpc]`
    /// made).
    ///
    /// # Errors
    /// As [`message`](Self::message).
    pub async fn message_call<M: Method>(&self, call: M, route: &Route) -> Result<(), CallError> {
        self.message(M::NAME, &call, route).await
    }

    /// `rpc_NAME(params)`: calls `method` at the first pair of
    /// `options.route` and decodes its result as `T`, sending it again up
    /// to `options.max_retry` times while no reply comes within
    /// `options.timeout`.
    ///
    /// # Errors
    /// [`CallError::Fault`] with the server's fault, or with
    /// [`TIMEOUT_FAULT`] once every send timed out;
    /// [`TransportError::Unexpected`] if the route is empty or nothing is
    /// bound to take the call; other transport and protocol errors.
    pub async fn rpc<T: DeserializeOwned>(
        &self,
        method: &str,
        params: &(dyn erased_serde::Serialize + Sync),
        options: &RpcOptions,
    ) -> Result<T, CallError> {
        let Some((exchange, key)) = options.route.resolve(&self.eks).into_iter().next() else {
            return Err(TransportError::Unexpected(format!(
                "rpc `{method}`: the route names no exchange and routing key"
            ))
            .into());
        };
        let body = self.encode(method, params, Some(1))?;
        let content_type = self.protocol.content_type();
        for attempt in 0..=options.max_retry {
            let sent = self
                .client
                .request(&exchange, &key, content_type, &body, options.timeout)
                .await;
            match sent {
                Ok(reply) => return self.decode(&reply),
                Err(TransportError::Timeout) => {
                    tracing::debug!(method, attempt, "no reply in time; sending again");
                }
                Err(err) => return Err(err.into()),
            }
        }
        let sends = u64::from(options.max_retry) + 1;
        Err(Fault::new(
            TIMEOUT_FAULT,
            format!(
                "no reply to `{method}` within {:?}, sent {sends} times",
                options.timeout
            ),
        )
        .into())
    }

    /// [`rpc`](Self::rpc) of a typed call (the struct `#[rpc]` made).
    ///
    /// # Errors
    /// As [`rpc`](Self::rpc).
    pub async fn rpc_call<M: Method>(
        &self,
        call: M,
        options: &RpcOptions,
    ) -> Result<M::Output, CallError> {
        self.rpc(M::NAME, &call, options).await
    }

    /// The body of a call; `id: None` makes it one-way.
    fn encode(
        &self,
        method: &str,
        params: &(dyn erased_serde::Serialize + Sync),
        id: Option<u64>,
    ) -> Result<Vec<u8>, ProtocolError> {
        self.protocol.encode_call(OutgoingCall {
            method,
            params,
            id,
            method_in_transport: false,
        })
    }

    /// A reply's result as `T`, or its fault.
    fn decode<T: DeserializeOwned>(&self, reply: &[u8]) -> Result<T, CallError> {
        let mut value = None;
        self.protocol.decode_reply(reply, &mut |de| {
            value = Some(erased_serde::deserialize::<T>(de)?);
            Ok(())
        })??;
        value.ok_or_else(|| {
            ProtocolError::UnexpectedReply("the reply carried no result".to_owned()).into()
        })
    }
}

impl std::fmt::Debug for Producer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Producer")
            .field("client", &self.client)
            .field("protocol", &self.protocol.name())
            .field("eks", &self.eks)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eks() -> Vec<ExchangeKey> {
        vec![
            ("first".to_owned(), "a".to_owned()),
            ("second".to_owned(), "b".to_owned()),
        ]
    }

    #[test]
    fn a_route_follows_postages_key_and_eks_keywords() {
        let pair = |e: &str, k: &str| (e.to_owned(), k.to_owned());
        assert_eq!(Route::default().resolve(&eks()), eks());
        assert_eq!(Route::key("rk").resolve(&eks()), [pair("first", "rk")]);
        let other = Route::eks([("x", "y")]);
        assert_eq!(other.resolve(&eks()), [pair("x", "y")]);
        let both = Route {
            key: Some("ignored".to_owned()),
            ..other
        };
        assert_eq!(both.resolve(&eks()), [pair("x", "y")]);
        assert!(Route::key("rk").resolve(&[]).is_empty());
    }

    #[test]
    fn rpc_defaults_are_postages() {
        let options = RpcOptions::default();
        assert_eq!(options.timeout, Duration::from_secs(30));
        assert_eq!(options.max_retry, 4);
        assert_eq!(options.route, Route::default());
    }
}
