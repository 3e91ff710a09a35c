//! Checks a protocol whose requests are JSON text runs on the bytes
//! before building any value from them: UTF-8, the nesting depth (so the
//! parser's recursion is bounded by [`Limits::max_depth`](crate::Limits)),
//! and the byte ranges of borrowed parts (so calls point into the request
//! instead of copying it). The JSON protocols and Postage share them.

use std::ops::Range;

use crate::protocol::ProtocolError;

/// The request as text, or a parse error ([`ProtocolError::Malformed`])
/// if it is not UTF-8.
#[inline]
pub fn utf8(bytes: &[u8]) -> Result<&str, ProtocolError> {
    std::str::from_utf8(bytes).map_err(|err| ProtocolError::Malformed(Box::new(err)))
}

/// Fails if arrays/objects nest deeper than `limit`.
///
/// A linear scan that knows strings and escapes; it does not validate the
/// JSON (the parser does that next), it only bounds the parser's recursion.
#[inline]
pub fn check_depth(text: &[u8], limit: usize) -> Result<(), ProtocolError> {
    // Fast path: with no more openers than the limit, no nesting can exceed
    // it. This count vectorizes (`[` | 0x20 is `{`, and no other byte maps
    // to `{`; a u8 sum per 255-byte chunk cannot overflow); the exact scan
    // below goes byte by byte.
    let openers: usize = text
        .chunks(255)
        .map(|chunk| {
            let in_chunk: u8 = chunk.iter().map(|&b| u8::from(b | 0x20 == b'{')).sum();
            usize::from(in_chunk)
        })
        .sum();
    if openers <= limit {
        return Ok(());
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in text {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Err(ProtocolError::LimitExceeded {
                        what: "nesting depth",
                        limit,
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The byte range of `part` inside `whole`; `part` must borrow from `whole`
/// (as a `RawValue` parsed from it does).
#[inline]
pub fn range_in(whole: &str, part: &str) -> Range<usize> {
    let start = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
    start..start + part.len()
}

/// The first byte that is not JSON whitespace.
#[inline]
pub fn first_significant(text: &[u8]) -> Option<u8> {
    text.iter()
        .copied()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_only_structure_outside_strings() {
        assert!(check_depth(br#"{"a":[1,{"b":"[[[[[["}]}"#, 3).is_ok());
        assert!(check_depth(br#"{"a":[1,{"b":[]}]}"#, 3).is_err());
        assert!(check_depth(br#""\"[[[[""#, 1).is_ok());
        assert!(check_depth("[".repeat(100_000).as_bytes(), 64).is_err());
    }

    #[test]
    fn ranges_point_into_the_text() {
        let text = r#"{"x": [1, 2]}"#;
        let part = &text[6..12];
        assert_eq!(range_in(text, part), 6..12);
        assert_eq!(first_significant(b" \n {"), Some(b'{'));
    }
}
