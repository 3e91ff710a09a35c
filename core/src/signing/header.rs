//! The signature header's text and the bytes the MAC covers (version 1).
//!
//! The header value is `v1 t=<unix seconds> m=<method> sig=<hex>`: four
//! fields split by single spaces, in that order, the method
//! percent-encoded so that any name fits an HTTP header and never holds a
//! space. The MAC covers
//! `"switchboard-signature-v1\n" + t + "\n" + len(method) + "\n" + method + "\n" + body`:
//! the domain line keeps a signature of ours from meaning anything to
//! another HMAC user of the same key (the control commands' secret may be
//! the same file), and the method's length makes the split between method
//! and body unambiguous even for a method holding a newline.

use std::borrow::Cow;

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use sha2::Sha256;

use super::Secret;
use super::verify::Refusal;

/// The keyed MAC state, cloned for each request (keying hashes two blocks;
/// a clone copies them).
pub(crate) type Keyed = Hmac<Sha256>;

/// The bytes before every MAC input.
const DOMAIN: &[u8] = b"switchboard-signature-v1\n";

/// The domain of a call that also carries a [`THEN_HEADER`](crate::THEN_HEADER):
/// its own, so no call without one signs the same bytes.
const DOMAIN_THEN: &[u8] = b"switchboard-signature-v1-then\n";

/// The version tag the header starts with.
const VERSION: &str = "v1";

/// The bytes of a SHA-256 MAC.
const MAC_LEN: usize = 32;

/// The most digits a timestamp may have (`u64::MAX` has 20).
const MAX_TIME_DIGITS: usize = 20;

/// What is escaped in the method: controls, space (the field separator),
/// `%` (the escape itself); non-ASCII is always escaped.
const METHOD_ESCAPES: &AsciiSet = &CONTROLS.add(b' ').add(b'%');

/// The keyed MAC state of `secret`.
pub(crate) fn keyed(secret: &Secret) -> Keyed {
    // HMAC takes keys of any length, so this cannot fail.
    <Keyed as Mac>::new_from_slice(secret.bytes()).unwrap_or_else(|_| unreachable!())
}

/// `key`'s MAC state over the signed fields, ready to finish or verify.
pub(crate) fn mac(key: &Keyed, at: u64, method: &str, then: Option<&str>, body: &[u8]) -> Keyed {
    let mut mac = key.clone();
    mac.update(if then.is_some() { DOMAIN_THEN } else { DOMAIN });
    mac.update(at.to_string().as_bytes());
    mac.update(b"\n");
    mac.update(method.len().to_string().as_bytes());
    mac.update(b"\n");
    mac.update(method.as_bytes());
    mac.update(b"\n");
    if let Some(then) = then {
        mac.update(then.len().to_string().as_bytes());
        mac.update(b"\n");
        mac.update(then.as_bytes());
        mac.update(b"\n");
    }
    mac.update(body);
    mac
}

/// The header value signing `method`, the reply directive `then` if any,
/// and `body` at `at` with `key`.
pub(crate) fn write(key: &Keyed, at: u64, method: &str, then: Option<&str>, body: &[u8]) -> String {
    let sig = lower_hex(&mac(key, at, method, then, body).finalize().into_bytes());
    // Hex digits are ASCII.
    let sig = std::str::from_utf8(&sig).unwrap_or_default();
    let method = utf8_percent_encode(method, METHOD_ESCAPES);
    format!("{VERSION} t={at} m={method} sig={sig}")
}

/// A header value read back: what it claims, not yet checked.
#[derive(Debug)]
pub(crate) struct Claim<'a> {
    /// When it was signed, in Unix seconds.
    pub(crate) at: u64,
    /// The method it signs.
    pub(crate) method: Cow<'a, str>,
    /// The MAC.
    pub(crate) sig: [u8; MAC_LEN],
}

/// Reads a header value; anything but exactly the version-1 form is
/// [`Refusal::Malformed`]. Never panics, whatever `value` holds.
pub(crate) fn read(value: &str) -> Result<Claim<'_>, Refusal> {
    let mut fields = value.split(' ');
    let mut field = |name: &str| {
        fields
            .next()
            .and_then(|field| field.strip_prefix(name))
            .ok_or(Refusal::Malformed)
    };
    if !field(VERSION)?.is_empty() {
        return Err(Refusal::Malformed);
    }
    let at = time(field("t=")?)?;
    let method = percent_decode_str(field("m=")?)
        .decode_utf8()
        .map_err(|_| Refusal::Malformed)?;
    let sig_hex = field("sig=")?;
    if fields.next().is_some() || method.is_empty() {
        return Err(Refusal::Malformed);
    }
    let mut sig = [0; MAC_LEN];
    decode_hex(sig_hex.as_bytes(), &mut sig).ok_or(Refusal::Malformed)?;
    Ok(Claim { at, method, sig })
}

/// `bytes` as lower-case hex digits. The `hex` crate's encoder goes
/// through `char`s into a `String`: a measurable share of a signed call.
fn lower_hex(bytes: &[u8]) -> [u8; 2 * MAC_LEN] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0; 2 * MAC_LEN];
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0xf)];
    }
    out
}

/// Fills `out` from exactly `2 * out.len()` hex digits (either case);
/// `None` for any other text.
fn decode_hex(text: &[u8], out: &mut [u8]) -> Option<()> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    if text.len() != 2 * out.len() {
        return None;
    }
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        *byte = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(())
}

/// Decimal digits only (no sign, no space), at most [`MAX_TIME_DIGITS`],
/// within `u64`.
fn time(text: &str) -> Result<u64, Refusal> {
    let digits = !text.is_empty()
        && text.len() <= MAX_TIME_DIGITS
        && text.bytes().all(|b| b.is_ascii_digit());
    match digits {
        true => text.parse().map_err(|_| Refusal::Malformed),
        false => Err(Refusal::Malformed),
    }
}

#[cfg(test)]
mod hex_tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_anything_else_is_refused() {
        let bytes: Vec<u8> = (0..=255u8).step_by(8).collect();
        let text = lower_hex(&bytes);
        assert_eq!(&text[..8], b"00081018");
        let mut back = [0; MAC_LEN];
        assert_eq!(decode_hex(&text, &mut back), Some(()));
        assert_eq!(back.as_slice(), bytes.as_slice());
        let upper = text.to_ascii_uppercase();
        assert_eq!(decode_hex(&upper, &mut back), Some(()));
        for bad in [
            &text[1..],
            b"zz".as_slice(),
            &[b'0'; 65][..],
            "é0".as_bytes(),
        ] {
            assert_eq!(decode_hex(bad, &mut back), None, "{bad:?}");
        }
    }
}
