//! [`Rejection`]: why a request was refused before any method ran.

use crate::Fault;
use crate::fault::code;

use super::{REASON, REJECTED, TRANSPORT};

/// Why a request was refused before any method ran: the `reason` label of
/// [`REJECTED`]. A closed set, so the label stays bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rejection {
    /// The body was larger than the limit (`Limits::max_body_bytes`).
    BodyLimit,
    /// The document nested deeper than the limit.
    Depth,
    /// A batch held more calls than the limit.
    BatchSize,
    /// An XML document carried a `<!DOCTYPE …>`.
    Doctype,
    /// The bytes were not valid for the protocol at all.
    Parse,
    /// The bytes parsed but did not form a request.
    InvalidRequest,
    /// The request did not arrive in time (a head or body read timeout).
    Timeout,
    /// Missing or wrong credentials.
    Auth,
    /// The request's media type is not the protocol's.
    MediaType,
    /// The process is draining and takes no new work.
    Draining,
    /// Any other refusal.
    Other,
}

impl Rejection {
    /// The label value (`body_limit`, `parse`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BodyLimit => "body_limit",
            Self::Depth => "depth",
            Self::BatchSize => "batch_size",
            Self::Doctype => "doctype",
            Self::Parse => "parse",
            Self::InvalidRequest => "invalid_request",
            Self::Timeout => "timeout",
            Self::Auth => "auth",
            Self::MediaType => "media_type",
            Self::Draining => "draining",
            Self::Other => "other",
        }
    }

    /// The reason a request refused with `fault` was refused.
    ///
    /// ```
    /// use switchboard::{Fault, ProtocolError, telemetry::Rejection};
    ///
    /// let deep = Fault::from(ProtocolError::LimitExceeded { what: "nesting depth", limit: 64 });
    /// assert_eq!(Rejection::of(&deep), Rejection::Depth);
    /// assert_eq!(Rejection::of(&Fault::new("Client.Unauthorized", "no")), Rejection::Auth);
    /// ```
    pub fn of(fault: &Fault) -> Self {
        match fault.code.as_ref() {
            code::LIMIT_EXCEEDED => {
                let message = fault.message.as_str();
                if message.contains("nesting depth") {
                    Self::Depth
                } else if message.contains("batch") {
                    Self::BatchSize
                } else if message.contains("body") {
                    Self::BodyLimit
                } else {
                    Self::Other
                }
            }
            code::MALFORMED | code::INVALID_REQUEST if fault.message.contains("DOCTYPE") => {
                Self::Doctype
            }
            code::MALFORMED => Self::Parse,
            code::INVALID_REQUEST => Self::InvalidRequest,
            code::UNAUTHORIZED => Self::Auth,
            "Client.Timeout" => Self::Timeout,
            code::UNSUPPORTED_MEDIA_TYPE => Self::MediaType,
            _ => Self::Other,
        }
    }
}

/// Counts one request refused for `reason` on `transport`.
pub fn rejected(reason: Rejection, transport: &'static str) {
    metrics::counter!(REJECTED, REASON => reason.as_str(), TRANSPORT => transport).increment(1);
}
