//! Request bytes as text. XML is read here in UTF-8 only (or US-ASCII, its
//! subset: see [`declaration`](super::declaration)). A document in UTF-16
//! or UTF-32 is told by its byte order mark, or without one by how its
//! first `<` is written (XML 1.0 Appendix F), and refused naming its
//! encoding rather than read as broken UTF-8; any other bytes that are not
//! UTF-8 are not well-formed.

use super::XmlError;

/// The UTF-8 byte order mark, as a character.
const BOM: char = '\u{FEFF}';

/// `bytes` as text.
///
/// # Errors
/// [`XmlError::Encoding`] for UTF-16 or UTF-32; [`XmlError::Syntax`] for
/// any other bytes that are not UTF-8.
pub(crate) fn text(bytes: &[u8]) -> Result<&str, XmlError> {
    if let Some(encoding) = sniff(bytes) {
        return Err(XmlError::Encoding(encoding.to_owned()));
    }
    std::str::from_utf8(bytes).map_err(|_| XmlError::malformed("the text is not UTF-8"))
}

/// The encoding the first bytes show, if it is one of the two families
/// XML 1.0 Appendix F tells apart by them and this reader does not read.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        // UTF-32's marks first: little-endian UTF-16's is a prefix of one.
        [0x00, 0x00, 0xFE, 0xFF, ..]
        | [0xFF, 0xFE, 0x00, 0x00, ..]
        | [0x00, 0x00, 0x00, b'<', ..]
        | [b'<', 0x00, 0x00, 0x00, ..] => Some("UTF-32"),
        [0xFE, 0xFF, ..] | [0xFF, 0xFE, ..] | [0x00, b'<', ..] | [b'<', 0x00, ..] => Some("UTF-16"),
        _ => None,
    }
}

/// `text` without its byte order mark, and where it starts in `text`:
/// the mark says the document is UTF-8 and is no part of it.
pub(crate) fn without_bom(text: &str) -> (usize, &str) {
    match text.strip_prefix(BOM) {
        Some(rest) => (BOM.len_utf8(), rest),
        None => (0, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf_16_and_32_are_named_and_other_bytes_refused() {
        let utf16: Vec<u8> = "<a/>".encode_utf16().flat_map(u16::to_le_bytes).collect();
        for (bytes, name) in [
            (&[0xFF, 0xFE, b'<', 0][..], "UTF-16"),
            (&[0xFE, 0xFF, 0, b'<'][..], "UTF-16"),
            (&utf16[..], "UTF-16"),
            (&[0xFF, 0xFE, 0, 0, b'<', 0, 0, 0][..], "UTF-32"),
            (&[0, 0, 0, b'<'][..], "UTF-32"),
        ] {
            assert!(
                matches!(text(bytes), Err(XmlError::Encoding(n)) if n == name),
                "{bytes:?}"
            );
        }
        assert!(matches!(text(b"<a>\xE9</a>"), Err(XmlError::Syntax(_))));
        assert!(matches!(text(b"\xEF\xBB\xBF<a/>"), Ok("\u{FEFF}<a/>")));
        assert_eq!(without_bom("\u{FEFF}<a/>"), (3, "<a/>"));
        assert_eq!(without_bom("<a/>"), (0, "<a/>"));
    }
}
