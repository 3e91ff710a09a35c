//! Calls whose replies come back as calls: brubeck's asynchronous service
//! call, made durable.
//!
//! The caller sends a call with a [`Then`]: the method of *its own*
//! service that is to receive the reply, the address its service is
//! reached at, and any correlation data. The call goes out one-way
//! ([`Client::call_then`](crate::Client::call_then) returns once the
//! transport accepted it). The serving side runs the call and, instead of
//! answering, calls that method at that address, one-way, with two named
//! parameters:
//!
//! | parameter | value |
//! |---|---|
//! | `reply` | `{"Ok": result}` or `{"Err": fault}`: serde's form of `Result<T, Fault>` |
//! | `data` | the correlation data, as the caller attached it (`null` if none) |
//!
//! So the handler is an ordinary method:
//!
//! ```
//! use switchboard::{rpc, Fault};
//!
//! /// Where the cover picture of `page` arrives.
//! #[rpc(service = "web")]
//! fn on_cover(reply: Result<Vec<u8>, Fault>, data: u64) {
//!     match reply {
//!         Ok(png) => println!("page {data}: {} bytes", png.len()),
//!         Err(fault) => println!("page {data}: {fault}"),
//!     }
//! }
//! ```
//!
//! The reply travels through the caller's own transport (a durable AMQP
//! queue, the SQLite queue), so it waits there while the caller is down
//! and is handled once it is back. The serving side delivers only to
//! addresses its operator allowed ([`ThenReplies::allow`]), with its own
//! credentials.
//!
//! On the wire the request carries the [`THEN_HEADER`](crate::THEN_HEADER)
//! (a JSON object: `method`, `to`, `data`, `protocol`), beside a body that
//! is an ordinary call with an id.

mod deliver;

use serde::{Deserialize, Serialize};

use crate::catalog::Address;

pub use deliver::{ThenRefused, ThenReplies};

/// The protocol a reply is delivered in unless the caller names another.
pub const DEFAULT_PROTOCOL: &str = "jsonrpc";

/// Where and how the reply to a call comes back as a call.
///
/// ```
/// use switchboard::Then;
///
/// let then = Then::call("on_thumbnail")
///     .at("amqp://127.0.0.1:5672/%2f?queue=web")
///     .with_data(serde_json::json!({"page": 7}));
/// assert_eq!(then.method(), "on_thumbnail");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Then {
    /// The wire name of the method receiving the reply.
    method: String,
    /// Where the caller's service is reached (an address without
    /// credentials: the serving side uses its own).
    #[serde(default)]
    to: String,
    /// The correlation data, given back as the `data` parameter.
    #[serde(default)]
    data: serde_json::Value,
    /// The protocol the reply call is encoded in.
    #[serde(default = "default_protocol")]
    protocol: String,
}

fn default_protocol() -> String {
    DEFAULT_PROTOCOL.to_owned()
}

impl Then {
    /// The reply is to be delivered as a call of `method` (its wire name).
    pub fn call(method: impl Into<String>) -> Self {
        Self {
            method: method.into(),
            to: String::new(),
            data: serde_json::Value::Null,
            protocol: default_protocol(),
        }
    }

    /// The reply is to be delivered as a call of the method `M`.
    pub fn method_of<M: crate::Method>() -> Self {
        Self::call(M::NAME)
    }

    /// Where the caller's service is reached: one of its served addresses,
    /// without credentials (`amqp://broker:5672/%2f?queue=web`,
    /// `sqlite:/var/lib/web/replies.db`).
    #[must_use]
    pub fn at(mut self, address: impl Into<String>) -> Self {
        self.to = address.into();
        self
    }

    /// Correlation data that comes back with the reply, as its `data`
    /// parameter. Keep it small: it travels in a header (8 KiB in all).
    #[must_use]
    pub fn with_data(mut self, data: serde_json::Value) -> Self {
        self.data = data;
        self
    }

    /// The protocol the reply call is sent in (default: `jsonrpc`); the
    /// caller's service must read it where the reply arrives.
    #[must_use]
    pub fn in_protocol(mut self, protocol: impl Into<String>) -> Self {
        self.protocol = protocol.into();
        self
    }

    /// The method receiving the reply.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// Where the reply is delivered.
    pub fn to(&self) -> &str {
        &self.to
    }

    /// The correlation data.
    pub fn data(&self) -> &serde_json::Value {
        &self.data
    }

    /// The protocol of the reply call.
    pub fn protocol(&self) -> &str {
        &self.protocol
    }

    /// The header's value.
    pub fn to_header(&self) -> String {
        // A struct of strings and a JSON value always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a header's value, checking what can be checked without the
    /// serving side's settings.
    ///
    /// # Errors
    /// A [`ThenRefused`] saying what is wrong.
    pub fn from_header(text: &str) -> Result<Self, ThenRefused> {
        let then: Self = serde_json::from_str(text).map_err(|err| {
            ThenRefused::Invalid(format!("the {} header: {err}", crate::THEN_HEADER))
        })?;
        then.check()?;
        Ok(then)
    }

    /// Checks what can be checked without the serving side's settings: a
    /// method, and a reply address that reads and names no credentials.
    ///
    /// # Errors
    /// A [`ThenRefused::Invalid`] saying what is wrong.
    pub fn check(&self) -> Result<(), ThenRefused> {
        if self.method.is_empty() {
            return Err(ThenRefused::Invalid(
                "no method to deliver the reply to".into(),
            ));
        }
        let address = Address::parse(&self.to)
            .map_err(|err| ThenRefused::Invalid(format!("the reply address: {err}")))?;
        if has_credentials(&address) {
            return Err(ThenRefused::Invalid(
                "the reply address carries credentials: name the place only, the serving side uses its own".into(),
            ));
        }
        Ok(())
    }
}

/// Whether `address` names a user or password (in its target or options).
fn has_credentials(address: &Address) -> bool {
    authority(address.target()).contains('@')
        || address.option("user").is_some()
        || address.option(crate::catalog::PASSWORD_OPTION).is_some()
}

/// The authority of a `//authority/path` target, or the empty string.
fn authority(target: &str) -> &str {
    target
        .strip_prefix("//")
        .map(|rest| rest.split('/').next().unwrap_or(rest))
        .unwrap_or("")
}

/// `target` without the `user:password@` of its authority.
fn without_userinfo(target: &str) -> String {
    match target.strip_prefix("//") {
        Some(rest) => {
            let end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(end);
            let host = authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host);
            format!("//{host}{path}")
        }
        None => target.to_owned(),
    }
}

/// The parameters of a reply call.
#[derive(Serialize)]
struct ReplyParams<'a> {
    reply: ReplyValue<'a>,
    data: &'a serde_json::Value,
}

/// serde's form of `Result<T, Fault>`, written from a borrowed outcome.
#[derive(Serialize)]
enum ReplyValue<'a> {
    Ok(&'a crate::Reply),
    Err(&'a crate::Fault),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_round_trips() {
        let then = Then::call("on_done")
            .at("sqlite:/tmp/replies.db")
            .with_data(serde_json::json!([1, "two"]));
        assert_eq!(Then::from_header(&then.to_header()), Ok(then));
    }

    #[test]
    fn bad_headers_are_refused_with_a_reason() {
        for (header, why) in [
            ("not json", "header"),
            (r#"{"method": "", "to": "sqlite:x.db"}"#, "no method"),
            (r#"{"method": "m", "to": "nowhere"}"#, "address"),
            (
                r#"{"method": "m", "to": "amqp://u:p@h:5672/%2f?queue=q"}"#,
                "credentials",
            ),
            (
                r#"{"method": "m", "to": "amqp://h:5672/%2f?password=p"}"#,
                "credentials",
            ),
        ] {
            let refused = Then::from_header(header).expect_err(header);
            assert!(refused.to_string().contains(why), "{header}: {refused}");
        }
    }

    #[test]
    fn userinfo_is_taken_off_the_authority_only() {
        assert_eq!(without_userinfo("//u:p@h:1/v@x"), "//h:1/v@x");
        assert_eq!(without_userinfo("//h:1/%2f"), "//h:1/%2f");
        assert_eq!(without_userinfo("/var/q.db"), "/var/q.db");
    }
}
