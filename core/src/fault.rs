//! [`Fault`]: the error a caller sees, with a dotted SOAP-style code.
//!
//! Codes start with `Client` (the caller's mistake) or `Server` (ours). Every
//! protocol maps them onto its own wire form: a JSON-RPC error object, a SOAP
//! `<soap:Fault>`, an HTTP status. The message is safe to show; internal
//! details are logged where they happen, never put in a fault.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The fault codes switchboard itself raises. Services may add their own
/// sub-codes (`Client.OutOfStock`); a protocol without a place for a code
/// falls back to its family (`Client` or `Server`) and keeps the full code
/// where it can (JSON-RPC's `data.faultcode`, SOAP's `faultcode`).
pub mod code {
    /// Some mistake of the caller's.
    pub const CLIENT: &str = "Client";
    /// The request bytes could not be parsed at all (JSON-RPC −32700).
    pub const MALFORMED: &str = "Client.Malformed";
    /// The bytes parsed but are not a valid request (JSON-RPC −32600).
    pub const INVALID_REQUEST: &str = "Client.InvalidRequest";
    /// No method of that name is served (JSON-RPC −32601, HTTP 404).
    pub const UNKNOWN_METHOD: &str = "Client.UnknownMethod";
    /// The parameters do not fit the method's signature (JSON-RPC −32602).
    pub const INVALID_PARAMS: &str = "Client.InvalidParams";
    /// A declared constraint on a parameter or field was violated.
    pub const VALIDATION: &str = "Client.Validation";
    /// A configured limit (body size, batch length, nesting depth) was exceeded.
    pub const LIMIT_EXCEEDED: &str = "Client.LimitExceeded";
    /// The thing asked for does not exist.
    pub const NOT_FOUND: &str = "Client.NotFound";
    /// The request conflicts with the current state (a duplicate name).
    pub const CONFLICT: &str = "Client.Conflict";
    /// The caller is not authenticated or not allowed.
    pub const UNAUTHORIZED: &str = "Client.Unauthorized";
    /// The request was sent with a content type the endpoint does not read.
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "Client.UnsupportedMediaType";
    /// Something failed on our side; the message says no more than that.
    pub const SERVER: &str = "Server";
    /// The call did not finish before its deadline.
    pub const TIMEOUT: &str = "Server.Timeout";
    /// Something the call needs on our side is out of reach for now (the
    /// address a reply is delivered to): worth trying again later.
    pub const UNAVAILABLE: &str = "Server.Unavailable";
}

/// An error that is sent to the caller.
///
/// ```
/// use switchboard::Fault;
///
/// let fault = Fault::not_found("no map named `moon`");
/// assert_eq!(fault.code(), "Client.NotFound");
/// assert!(fault.is_client());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Fault {
    /// Dotted code: `Client`, `Client.NotFound`, `Server`, ...
    pub code: Cow<'static, str>,
    /// A human-readable message, safe to show to the caller.
    pub message: String,
    /// Optional structured detail (the violated constraints, a conflicting id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

impl Fault {
    /// A fault with any code.
    pub fn new(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            detail: None,
        }
    }

    /// Attaches structured detail.
    #[must_use]
    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = Some(detail);
        self
    }

    /// A `Client.NotFound` fault.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(code::NOT_FOUND, message)
    }

    /// A `Client.Conflict` fault.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(code::CONFLICT, message)
    }

    /// A `Client.Validation` fault.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(code::VALIDATION, message)
    }

    /// A `Client.Unauthorized` fault.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(code::UNAUTHORIZED, message)
    }

    /// A plain `Client` fault.
    pub fn client(message: impl Into<String>) -> Self {
        Self::new(code::CLIENT, message)
    }

    /// A `Server` fault. Keep the message generic: it reaches the caller.
    pub fn server(message: impl Into<String>) -> Self {
        Self::new(code::SERVER, message)
    }

    /// The dotted code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The structured detail, if any.
    pub fn detail(&self) -> Option<&serde_json::Value> {
        self.detail.as_ref()
    }

    /// Whether the code is `Client` or a `Client.*` sub-code.
    pub fn is_client(&self) -> bool {
        self.has_code(code::CLIENT)
    }

    /// Whether the code is `family` or one of its dotted sub-codes:
    /// `Client.NotFound.Map` has code `Client.NotFound` and `Client`.
    pub fn has_code(&self, family: &str) -> bool {
        match self.code.strip_prefix(family) {
            Some(rest) => rest.is_empty() || rest.starts_with('.'),
            None => false,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Fault {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_families_match_on_dots_only() {
        let fault = Fault::new("Client.NotFound.Map", "gone");
        assert!(fault.has_code("Client"));
        assert!(fault.has_code("Client.NotFound"));
        assert!(fault.has_code("Client.NotFound.Map"));
        assert!(!fault.has_code("Client.Not"));
        assert!(!fault.has_code("Server"));
        assert!(!Fault::server("x").is_client());
    }

    #[test]
    fn display_shows_code_and_message() {
        assert_eq!(
            Fault::conflict("taken").to_string(),
            "Client.Conflict: taken"
        );
    }
}
