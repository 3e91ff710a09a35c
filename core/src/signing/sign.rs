//! [`Signer`]: signs requests on the caller's side.

use std::fmt;
use std::time::SystemTime;

use super::Secret;
use super::header::{self, Keyed};

/// Signs requests with one secret: the header value for a method and a
/// body, dated now. Used by [`Client::with_signer`](crate::Client::with_signer),
/// which sets [`SIGNATURE_HEADER`](crate::SIGNATURE_HEADER) on every
/// request it builds.
///
/// Cheap to clone: the key is hashed once, when it is made.
#[derive(Clone)]
pub struct Signer {
    key: Keyed,
}

impl Signer {
    /// A signer with `secret` (a [`Secrets`](super::Secrets)'
    /// [`signing`](super::Secrets::signing) one).
    pub fn new(secret: &Secret) -> Self {
        Self {
            key: header::keyed(secret),
        }
    }

    /// The header value signing a call of `method` (its wire name, as the
    /// request names it) with `body` (the bytes sent), dated now.
    pub fn sign(&self, method: &str, body: &[u8]) -> String {
        self.sign_at(method, body, unix_now())
    }

    /// As [`sign`](Self::sign), dated `at` (Unix seconds): for tests and
    /// for callers with a clock of their own.
    pub fn sign_at(&self, method: &str, body: &[u8], at: u64) -> String {
        header::write(&self.key, at, method, None, body)
    }

    /// The header value signing a call of `method` with `body` that also
    /// carries the reply directive `then` (the
    /// [`THEN_HEADER`](crate::THEN_HEADER) value, when it has one), dated
    /// now: the signature then covers where the reply goes too.
    pub fn sign_call(&self, method: &str, then: Option<&str>, body: &[u8]) -> String {
        header::write(&self.key, unix_now(), method, then, body)
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signer(***)")
    }
}

/// Now, in Unix seconds (0 for a clock before 1970).
pub(crate) fn unix_now() -> u64 {
    unix(SystemTime::now())
}

/// `at` in Unix seconds (0 before 1970).
pub(crate) fn unix(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}
