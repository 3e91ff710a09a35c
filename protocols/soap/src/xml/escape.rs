//! Writing text and attribute values as XML character data.
//!
//! `<`, `&` and `>` are escaped (the last so `]]>` never appears), and
//! carriage returns as `&#13;`: XML readers turn a literal CR into a line
//! feed, and text must come back as it was sent. XML 1.0 cannot carry the
//! other control characters (U+0000–U+001F but tab, LF and CR) or the
//! non-characters U+FFFE/U+FFFF at all, even as references: text holding
//! one is refused rather than silently changed.

use super::chars::is_xml_char;

/// A character XML 1.0 cannot carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("XML 1.0 cannot carry the character U+{:04X}", u32::from(*.0))]
pub(crate) struct Unrepresentable(pub(crate) char);

/// Appends `text` to `out`, escaped for element content.
pub(crate) fn text(out: &mut Vec<u8>, text: &str) -> Result<(), Unrepresentable> {
    let bytes = text.as_bytes();
    let mut from = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let escaped: &[u8] = match byte {
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'&' => b"&amp;",
            b'"' => b"&quot;",
            b'\r' => b"&#13;",
            b'\t' | b'\n' => continue,
            0..=0x1F => return Err(Unrepresentable(char::from(byte))),
            // U+FFFE and U+FFFF are EF BF BE / EF BF BF in UTF-8.
            0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => {
                let ch = text[i..].chars().next().unwrap_or('\u{FFFF}');
                debug_assert!(!is_xml_char(ch));
                return Err(Unrepresentable(ch));
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[from..i]);
        out.extend_from_slice(escaped);
        from = i + 1;
    }
    out.extend_from_slice(&bytes[from..]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_carriage_returns() {
        let mut out = Vec::new();
        text(&mut out, "a<b>&\"c\"\r\n\té 🎉").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a&lt;b&gt;&amp;&quot;c&quot;&#13;\n\té 🎉"
        );
        assert_eq!(
            text(&mut Vec::new(), "\u{1}"),
            Err(Unrepresentable('\u{1}'))
        );
        assert_eq!(
            text(&mut Vec::new(), "x\u{FFFF}"),
            Err(Unrepresentable('\u{FFFF}'))
        );
    }
}
