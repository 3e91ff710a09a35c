//! The XML declaration (XML 1.0 §2.8, productions 23–26 and 32, and
//! §4.3.3, 80–81), read strictly, the same way by both readers: at the
//! very start of the document or nowhere (elsewhere `<?xml …?>` is a
//! processing instruction with a name XML reserves, so not well-formed
//! either); `version` first (`1.` and digits: a 1.x document other than 1.0
//! is read as 1.0, as §2.8 says), then an optional `encoding`, then an
//! optional `standalone` (`yes` or `no`), each after white space and
//! quoted alike on both sides.
//!
//! Only UTF-8 is decoded here. A declaration naming any other encoding is
//! refused with that name, rather than read as UTF-8 and misread; US-ASCII
//! is UTF-8's subset and is read, if no byte is outside it (a byte outside
//! the declared encoding is a fatal error, §4.3.3).

use super::XmlError;

/// Declarations as toolkits write them (zeep, suds, .NET, Java's JAX-WS,
/// switchboard's own client), which [`read`] accepts as they stand.
const COMMON: [&str; 4] = [
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
    "<?xml version='1.0' encoding='utf-8'?>",
    "<?xml version=\"1.0\"?>",
];

/// The longest encoding name echoed in a refusal.
const ECHOED_NAME: usize = 40;

/// Where the XML declaration `text` starts with ends (just after its
/// `?>`), or `None` if `text` starts with none.
///
/// # Errors
/// [`XmlError::Syntax`] for a declaration XML 1.0 does not allow, or a
/// US-ASCII document with a byte outside it; [`XmlError::Encoding`] for an
/// encoding other than UTF-8 or US-ASCII.
pub(crate) fn read(text: &str) -> Result<Option<usize>, XmlError> {
    // The declarations toolkits send, compared whole: one comparison
    // instead of reading pseudo-attributes on every request.
    if let Some(common) = COMMON.iter().find(|common| text.starts_with(*common)) {
        return Ok(Some(common.len()));
    }
    // `<?xml-stylesheet …?>` is a processing instruction of its own name.
    match text.as_bytes() {
        [b'<', b'?', b'x', b'm', b'l', next, ..] if is_space_byte(*next) || *next == b'?' => {}
        _ => return Ok(None),
    }
    // Byte by byte, in one pass: every request of the usual kind has one.
    let mut cursor = Cursor {
        text,
        at: "<?xml".len(),
    };
    let version = cursor
        .pseudo("version")?
        .ok_or_else(|| malformed("`version` must come first"))?;
    let minor = version.strip_prefix("1.").unwrap_or_default();
    if minor.is_empty() || !minor.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("the version is not 1.x"));
    }
    if let Some(name) = cursor.pseudo("encoding")? {
        check_encoding(name, text)?;
    }
    if let Some(standalone) = cursor.pseudo("standalone")? {
        if !matches!(standalone, "yes" | "no") {
            return Err(malformed("`standalone` is neither `yes` nor `no`"));
        }
    }
    cursor.skip_space();
    match cursor.rest().starts_with(b"?>") {
        true => Ok(Some(cursor.at + "?>".len())),
        false => Err(malformed(
            "it holds more than `version`, `encoding` and `standalone`, in that order, or never ends",
        )),
    }
}

fn malformed(why: &str) -> XmlError {
    XmlError::malformed(format!("a malformed XML declaration: {why}"))
}

fn is_space_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Where the reading of a declaration is.
struct Cursor<'a> {
    text: &'a str,
    /// Always just after an ASCII byte, so a character boundary.
    at: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a [u8] {
        self.text.as_bytes().get(self.at..).unwrap_or_default()
    }

    /// Skips white space; whether there was any.
    fn skip_space(&mut self) -> bool {
        let skipped = self
            .rest()
            .iter()
            .take_while(|&&b| is_space_byte(b))
            .count();
        self.at += skipped;
        skipped > 0
    }

    /// Skips `byte` if it comes next; whether it did.
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.rest().first() == Some(&byte);
        self.at += usize::from(next);
        next
    }

    /// The value of the pseudo-attribute `name`, if it comes next (after
    /// white space); the cursor stays where it was if it does not.
    fn pseudo(&mut self, name: &str) -> Result<Option<&'a str>, XmlError> {
        let start = self.at;
        let spaced = self.skip_space();
        if !self.rest().starts_with(name.as_bytes()) {
            self.at = start;
            return Ok(None);
        }
        if !spaced {
            return Err(malformed(
                "pseudo-attributes must be separated by white space",
            ));
        }
        self.at += name.len();
        self.skip_space();
        if !self.eat(b'=') {
            return Err(malformed("a pseudo-attribute without `=`"));
        }
        self.skip_space();
        let quote = match self.rest().first() {
            Some(&quote @ (b'"' | b'\'')) => quote,
            _ => return Err(malformed("a pseudo-attribute's value is not quoted")),
        };
        let value_start = self.at + 1;
        let length = self
            .rest()
            .get(1..)
            .and_then(|value| value.iter().position(|&b| b == quote))
            .ok_or_else(|| malformed("a pseudo-attribute's value never ends"))?;
        self.at = value_start + length + 1;
        // Between two ASCII quotes: on character boundaries.
        let value = self.text.get(value_start..value_start + length);
        value
            .map(Some)
            .ok_or_else(|| malformed("a pseudo-attribute's value"))
    }
}

/// An encoding name (`EncName`) this reader decodes, checked against the
/// whole document `text` for US-ASCII.
fn check_encoding(name: &str, text: &str) -> Result<(), XmlError> {
    let mut bytes = name.bytes();
    let is_name = bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !is_name {
        return Err(malformed("the encoding is not an encoding name"));
    }
    if name.eq_ignore_ascii_case("UTF-8") {
        return Ok(());
    }
    if name.eq_ignore_ascii_case("US-ASCII") {
        return match text.is_ascii() {
            true => Ok(()),
            false => Err(XmlError::malformed(
                "the document is declared US-ASCII but holds bytes outside it",
            )),
        };
    }
    // An encoding name is ASCII: any prefix of it is a `str`.
    let shown = name.get(..ECHOED_NAME.min(name.len())).unwrap_or_default();
    Err(XmlError::Encoding(shown.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_declarations_as_xml_writes_them() -> Result<(), XmlError> {
        // The common ones read as any other would be.
        for common in COMMON {
            let mut cursor_only = String::from(common);
            cursor_only.insert(5, ' ');
            assert_eq!(read(common)?, Some(common.len()));
            assert_eq!(read(&cursor_only)?, Some(common.len() + 1));
        }
        for (text, end) in [
            ("<?xml version=\"1.0\"?><a/>", 21),
            (
                "<?xml version='1.1' encoding='utf-8' standalone='no' ?>",
                55,
            ),
            ("<?xml\tversion = \"1.0\"\nencoding=\"US-ASCII\"?>", 43),
        ] {
            assert_eq!(read(text)?, Some(end), "{text}");
        }
        for text in [
            "<a/>",
            " <?xml version='1.0'?>",
            "<?xml-stylesheet href='a'?>",
            "",
        ] {
            assert_eq!(read(text)?, None, "{text}");
        }
        Ok(())
    }

    #[test]
    fn refuses_other_declarations_and_encodings() {
        for text in [
            "<?xml?>",
            "<?xml version='1.0'",
            "<?xml version='2.0'?>",
            "<?xml version='1.'?>",
            "<?xml version=1.0?>",
            "<?xml encoding='UTF-8' version='1.0'?>",
            "<?xml version='1.0' standalone='yes' encoding='UTF-8'?>",
            "<?xml version='1.0'encoding='UTF-8'?>",
            "<?xml version='1.0' encoding=''?>",
            "<?xml version='1.0' encoding='UTF 8'?>",
            "<?xml version='1.0' standalone='maybe'?>",
            "<?xml version='1.0' x='1'?>",
            "<?xml version='1.0' encoding='US-ASCII'?>é",
        ] {
            assert!(matches!(read(text), Err(XmlError::Syntax(_))), "{text}");
        }
        for (text, name) in [
            ("<?xml version='1.0' encoding='ISO-8859-1'?>", "ISO-8859-1"),
            ("<?xml version='1.0' encoding='UTF-16'?>", "UTF-16"),
            ("<?xml version='1.0' encoding='UTF8'?>", "UTF8"),
        ] {
            assert!(
                matches!(read(text), Err(XmlError::Encoding(n)) if n == name),
                "{text}"
            );
        }
    }
}
