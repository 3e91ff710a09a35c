//! [`TraceParent`]: the W3C Trace Context header, validated.

use std::fmt;
use std::str::FromStr;

/// A parsed W3C `traceparent` (`00-<trace id>-<parent id>-<flags>`).
///
/// ```
/// use switchboard::TraceParent;
///
/// let tp: TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".parse()?;
/// assert!(tp.is_sampled());
/// assert!("00-0000-00f067aa0ba902b7-01".parse::<TraceParent>().is_err());
/// # Ok::<(), switchboard::InvalidTraceParent>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceParent {
    /// The version byte (`00` today).
    pub version: u8,
    /// The 16-byte trace id, never all zero.
    pub trace_id: [u8; 16],
    /// The 8-byte id of the caller's span, never all zero.
    pub parent_id: [u8; 8],
    /// Trace flags; bit 0 is "sampled".
    pub flags: u8,
}

/// A `traceparent` value that does not follow the W3C format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid traceparent header")]
pub struct InvalidTraceParent;

impl TraceParent {
    /// Whether the caller sampled this trace.
    pub fn is_sampled(&self) -> bool {
        self.flags & 1 == 1
    }

    /// The trace id in lower-case hex, as the header writes it (for logs;
    /// written without allocating).
    ///
    /// ```
    /// use switchboard::TraceParent;
    ///
    /// let tp: TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".parse()?;
    /// assert_eq!(tp.trace_id_hex().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
    /// # Ok::<(), switchboard::InvalidTraceParent>(())
    /// ```
    pub fn trace_id_hex(&self) -> impl fmt::Display + Copy + '_ {
        TraceIdHex(&self.trace_id)
    }
}

/// A trace id in lower-case hex.
#[derive(Clone, Copy)]
struct TraceIdHex<'a>(&'a [u8; 16]);

impl fmt::Display for TraceIdHex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = [0u8; 32];
        for (pair, byte) in text.chunks_exact_mut(2).zip(self.0) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0xf)];
        }
        // Only ASCII hex digits were written.
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

fn hex_bytes<const N: usize>(text: &str) -> Result<[u8; N], InvalidTraceParent> {
    if text.len() != N * 2 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(InvalidTraceParent);
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).map_err(|_| InvalidTraceParent)?;
    }
    Ok(out)
}

impl FromStr for TraceParent {
    type Err = InvalidTraceParent;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.trim().split('-');
        let mut next = || parts.next().ok_or(InvalidTraceParent);
        let [version] = hex_bytes::<1>(next()?)?;
        let trace_id = hex_bytes::<16>(next()?)?;
        let parent_id = hex_bytes::<8>(next()?)?;
        let [flags] = hex_bytes::<1>(next()?)?;
        // Version 00 has exactly four parts; later versions may append more.
        if version == 0xff || (version == 0 && parts.next().is_some()) {
            return Err(InvalidTraceParent);
        }
        if trace_id == [0; 16] || parent_id == [0; 8] {
            return Err(InvalidTraceParent);
        }
        Ok(Self {
            version,
            trace_id,
            parent_id,
            flags,
        })
    }
}

impl fmt::Display for TraceParent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02x}-", self.version)?;
        self.trace_id
            .iter()
            .try_for_each(|b| write!(f, "{b:02x}"))?;
        f.write_str("-")?;
        self.parent_id
            .iter()
            .try_for_each(|b| write!(f, "{b:02x}"))?;
        write!(f, "-{:02x}", self.flags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_bad_values() {
        let text = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let tp: TraceParent = text.parse().unwrap();
        assert_eq!(tp.to_string(), text);
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xx",
        ] {
            assert!(bad.parse::<TraceParent>().is_err(), "{bad}");
        }
    }
}
