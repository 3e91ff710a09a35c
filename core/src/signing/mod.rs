//! Signed calls: a caller and a service share a secret, and the caller
//! signs each request with it without ever sending it. The signature is an
//! HMAC-SHA256 over a timestamp, the method and the body, carried in the
//! [`SIGNATURE_HEADER`](crate::SIGNATURE_HEADER) beside the body by every
//! transport; the service refuses unsigned, wrongly signed and stale
//! requests with `Client.Unauthorized` before reading the body.
//!
//! # Example
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use switchboard::signing::{Secret, Secrets, Signer, Verifier};
//!
//! let secrets = Secrets::new(Secret::new("a secret of sixteen bytes or more")?);
//! let signer = Signer::new(secrets.signing());
//! let header = signer.sign("echo", br#"{"text":"hi"}"#);
//! assert!(header.starts_with("v1 t="));
//!
//! let verifier = Verifier::new(&secrets).with_window(Duration::from_secs(60));
//! let signed = verifier.verify(Some(&header), br#"{"text":"hi"}"#)?;
//! assert_eq!(signed.method(), "echo");
//! // Anything else is refused: another body, no header at all.
//! assert!(verifier.verify(Some(&header), br#"{"text":"ho"}"#).is_err());
//! assert!(verifier.verify(None, b"{}").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Layout
//!
//! - [`Secret`], [`Secrets`]: the key bytes, and the accepted set (the
//!   first signs; the others are still accepted, for rotation).
//! - [`Signer`]: writes the header value of a request.
//! - [`Verifier`]: checks it, giving the method it vouches for.
//! - The header format is private to [`Signer`] and [`Verifier`]:
//!   `v1 t=<unix seconds> m=<method, percent-encoded> sig=<64 hex digits>`.

mod header;
mod secret;
mod sign;
mod verify;

pub use secret::{MIN_SECRET_LEN, Secret, SecretError, Secrets};
pub use sign::Signer;
pub use verify::{DEFAULT_SKEW, DEFAULT_WINDOW, Refusal, Signed, Verifier};

#[cfg(test)]
mod tests;
