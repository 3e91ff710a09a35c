//! The characters XML 1.0 allows in a document (its `Char` production,
//! §2.2), and one scan of a whole text for those it forbids.
//!
//! A `&str` holds no surrogates (their UTF-8 bytes are no UTF-8), so what
//! is left to refuse is U+0000–U+001F but tab, line feed and carriage
//! return, and the non-characters U+FFFE and U+FFFF. References to them
//! are checked where references are resolved.

use super::XmlError;

/// Whether XML 1.0 allows `ch` in a document (its `Char` production).
pub(crate) fn is_xml_char(ch: char) -> bool {
    matches!(ch, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether `ch` is XML's white space (`S`): space, tab, line feed,
/// carriage return. Not Unicode's, which has more.
pub(crate) fn is_space(ch: char) -> bool {
    matches!(ch, ' ' | '\t' | '\n' | '\r')
}

/// Checks that every character of `text` is one XML 1.0 allows.
///
/// Byte by byte, with no decoding: a forbidden control character is one
/// byte below 0x20, and U+FFFE and U+FFFF are the only characters whose
/// UTF-8 starts EF BF BE or EF BF BF.
///
/// # Errors
/// [`XmlError::Syntax`] naming the first forbidden character.
pub(crate) fn check(text: &str) -> Result<(), XmlError> {
    let bytes = text.as_bytes();
    let forbidden = bytes.iter().enumerate().position(|(at, &byte)| match byte {
        b'\t' | b'\n' | b'\r' => false,
        0..=0x1F => true,
        0xEF => matches!(bytes.get(at + 1..at + 3), Some([0xBF, 0xBE | 0xBF])),
        _ => false,
    });
    match forbidden {
        None => Ok(()),
        Some(at) => {
            // `at` is an ASCII byte or a lead byte: a character starts there.
            let ch = text.get(at..).and_then(|rest| rest.chars().next());
            Err(forbidden_char(ch.unwrap_or(char::REPLACEMENT_CHARACTER)))
        }
    }
}

/// The error for a character XML 1.0 forbids.
pub(crate) fn forbidden_char(ch: char) -> XmlError {
    XmlError::malformed(format!(
        "the character U+{:04X} is not allowed in XML 1.0",
        u32::from(ch)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_characters_xml_forbids() {
        for text in [
            "a\u{0}",
            "\u{1}",
            "x\u{1F}y",
            "\u{FFFE}",
            "é\u{FFFF}",
            "\u{B}",
        ] {
            assert!(check(text).is_err(), "{text:?}");
        }
        let allowed = "\t\n\r \u{7F}\u{D7FF}\u{E000}\u{F900}\u{FEFF}\u{FFFD}\u{10000}\u{10FFFF}";
        assert!(check(allowed).is_ok());
        assert!(allowed.chars().all(is_xml_char));
        let Err(XmlError::Syntax(why)) = check("ab\u{FFFF}") else {
            panic!("U+FFFF passed");
        };
        assert!(why.contains("U+FFFF"), "{why}");
    }
}
