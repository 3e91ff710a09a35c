//! [`Verifier`]: checks signed requests on the service's side, and
//! [`Refusal`]: why one was refused.
//!
//! "Replayed" means here: sent again after the window. A request repeated
//! inside the window is accepted: no cache of seen signatures is kept,
//! because the same message legitimately comes twice (an AMQP redelivery
//! after a lost ack, a one-way retry republished with the same body and
//! headers, a queue task retried), because the processes of one service
//! (competing consumers, HTTP replicas) share no memory to keep one in,
//! and because the window already bounds what a replay can reach.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime};

use hmac::Mac;

use super::Secrets;
use super::header::{self, Keyed};
use super::sign::unix;
use crate::Fault;

/// How old a signature may be by default: one minute.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(60);

/// How far in the future a signature may be dated by default (clocks of
/// two hosts differ a little, even with NTP).
pub const DEFAULT_SKEW: Duration = Duration::from_secs(5);

/// Why a signed request was refused. Its text is safe to send back: it
/// holds neither the secret nor the signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The request carries no signature.
    #[error("the request is not signed")]
    Missing,
    /// The signature header is not in the version-1 form.
    #[error("the signature header is malformed")]
    Malformed,
    /// The signature is older than the window.
    #[error("the signature is {age_s} s old, more than the {window_s} s allowed")]
    Expired {
        /// Its age in seconds.
        age_s: u64,
        /// The window in seconds.
        window_s: u64,
    },
    /// The signature is dated further in the future than the skew allows.
    #[error("the signature is dated {ahead_s} s in the future")]
    Future {
        /// How far ahead, in seconds.
        ahead_s: u64,
    },
    /// No accepted secret gives this signature for this request.
    #[error("the signature does not match the request")]
    Mismatch,
    /// The request calls a method other than the one signed.
    #[error("the request calls a method it was not signed for")]
    WrongMethod,
}

impl Refusal {
    /// A short name for logs: `missing`, `malformed`, `expired`, `future`,
    /// `mismatch`, `wrong_method`.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Malformed => "malformed",
            Self::Expired { .. } => "expired",
            Self::Future { .. } => "future",
            Self::Mismatch => "mismatch",
            Self::WrongMethod => "wrong_method",
        }
    }
}

impl From<Refusal> for Fault {
    /// `Client.Unauthorized`, with the refusal's text.
    fn from(refusal: Refusal) -> Self {
        Fault::unauthorized(refusal.to_string())
    }
}

/// What a good signature vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed<'a> {
    method: Cow<'a, str>,
    at: u64,
}

impl Signed<'_> {
    /// The method signed: every call of the request must name it.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// When it was signed, in Unix seconds.
    pub fn at(&self) -> u64 {
        self.at
    }
}

/// Checks signatures against every accepted secret, in constant time, and
/// their age against a window.
///
/// Set on an application with
/// [`ApplicationBuilder::signatures`](crate::ApplicationBuilder::signatures),
/// it makes every transport serving the application refuse requests it
/// does not accept with `Client.Unauthorized`, before their body is read.
#[derive(Clone)]
pub struct Verifier {
    keys: Vec<Keyed>,
    window: Duration,
    skew: Duration,
}

impl Verifier {
    /// Accepts signatures by any of `secrets`, at most [`DEFAULT_WINDOW`]
    /// old and [`DEFAULT_SKEW`] ahead.
    pub fn new(secrets: &Secrets) -> Self {
        Self {
            keys: secrets.iter().map(header::keyed).collect(),
            window: DEFAULT_WINDOW,
            skew: DEFAULT_SKEW,
        }
    }

    /// Accepts signatures up to `window` old (whole seconds count). Size it
    /// for the longest a request may wait before it is served: a queue's
    /// backlog, a broker's.
    #[must_use]
    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Accepts signatures dated up to `skew` in the future.
    #[must_use]
    pub fn with_skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    /// How old a signature may be.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Checks `header` (the [`SIGNATURE_HEADER`](crate::SIGNATURE_HEADER)
    /// value, if the request had one) for `body`, now.
    ///
    /// # Errors
    /// The [`Refusal`]; the caller then checks nothing else.
    pub fn verify<'a>(&self, header: Option<&'a str>, body: &[u8]) -> Result<Signed<'a>, Refusal> {
        self.verify_at(header, body, SystemTime::now())
    }

    /// As [`verify`](Self::verify), at `now`.
    ///
    /// # Errors
    /// As [`verify`](Self::verify).
    pub fn verify_at<'a>(
        &self,
        header: Option<&'a str>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Signed<'a>, Refusal> {
        self.verify_call_at(header, None, body, now)
    }

    /// Checks `header` for a call with `body` that carries the reply
    /// directive `then` (the [`THEN_HEADER`](crate::THEN_HEADER) value,
    /// if the request had one), now: a signature made without the
    /// directive, or with another, does not hold.
    ///
    /// # Errors
    /// As [`verify`](Self::verify).
    pub fn verify_call<'a>(
        &self,
        header: Option<&'a str>,
        then: Option<&str>,
        body: &[u8],
    ) -> Result<Signed<'a>, Refusal> {
        self.verify_call_at(header, then, body, SystemTime::now())
    }

    fn verify_call_at<'a>(
        &self,
        header: Option<&'a str>,
        then: Option<&str>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Signed<'a>, Refusal> {
        let claim = header::read(header.ok_or(Refusal::Missing)?)?;
        // The age first: it costs nothing, and the date is no secret.
        self.check_age(claim.at, unix(now))?;
        let good = self.keys.iter().any(|key| {
            header::mac(key, claim.at, &claim.method, then, body)
                .verify_slice(&claim.sig)
                .is_ok()
        });
        match good {
            true => Ok(Signed {
                method: claim.method,
                at: claim.at,
            }),
            false => Err(Refusal::Mismatch),
        }
    }

    fn check_age(&self, at: u64, now: u64) -> Result<(), Refusal> {
        if let Some(ahead_s) = at.checked_sub(now).filter(|&s| s > self.skew.as_secs()) {
            return Err(Refusal::Future { ahead_s });
        }
        match now.checked_sub(at) {
            Some(age_s) if age_s > self.window.as_secs() => Err(Refusal::Expired {
                age_s,
                window_s: self.window.as_secs(),
            }),
            _ => Ok(()),
        }
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &self.keys.len())
            .field("window", &self.window)
            .field("skew", &self.skew)
            .finish()
    }
}
