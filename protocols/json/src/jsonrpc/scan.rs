//! A single pass over the common request object, without `serde`.
//!
//! [`read`] accepts only what it can check completely: an object whose
//! members are `jsonrpc` (exactly `"2.0"`), `method` (a string without
//! escapes), `params` (an object or an array, every value in it checked to
//! be JSON) and `id` (a number, a string without escapes, or `null`), each at
//! most once, with only whitespace after it. Anything else — another member,
//! an escape in the method, a `\u` escape or a nesting deeper than 64 in the
//! parameters, any syntax error — is `None`, and the `serde` reader in
//! [`super::request`] decides, with its own errors. So whatever this accepts
//! reads exactly as that reader would read it, in a fraction of the code the
//! pipeline's hot path would otherwise run (the envelope was the largest part
//! of its instructions).

use std::ops::Range;

/// The parts of a request object, as byte ranges of the text it was read
/// from (strings without their quotes, values raw).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Parts {
    /// The method name's characters.
    pub(super) method: Range<usize>,
    /// The raw `params` value, an object or an array.
    pub(super) params: Option<Range<usize>>,
    /// The raw `id` value.
    pub(super) id: Option<Range<usize>>,
}

/// Reads the request object at `range` of `bytes`, if it has the common,
/// valid shape; `None` for anything else (see the module's documentation).
/// The nesting depth is checked before (stage 2).
///
/// The bytes need not have been checked to be UTF-8: outside strings only
/// ASCII passes, and a request that is not all ASCII is checked whole.
pub(super) fn read(bytes: &[u8], range: Range<usize>) -> Option<Parts> {
    let bytes = bytes.get(..range.end)?;
    let mut scan = Scan {
        bytes,
        pos: range.start,
    };
    scan.eat(b'{')?;
    let (mut version, mut method, mut params, mut id) = (false, None, None, None);
    loop {
        let key = scan.member()?;
        scan.eat(b':')?;
        let first = scan.peek()?;
        let start = scan.pos;
        match key {
            Member::Version if !version => {
                scan.literal(b"\"2.0\"")?;
                version = true;
            }
            Member::Method if method.is_none() => method = Some(scan.plain_string()?),
            Member::Params if params.is_none() && matches!(first, b'{' | b'[') => {
                scan.skip_value()?;
                params = Some(start..scan.pos);
            }
            Member::Id if id.is_none() => {
                match first {
                    b'"' => scan.skip_plain_string()?,
                    b'-' | b'0'..=b'9' => scan.skip_number()?,
                    _ => scan.literal(b"null")?,
                }
                id = Some(start..scan.pos);
            }
            _ => return None,
        }
        match scan.peek()? {
            b',' => scan.pos += 1,
            b'}' => break,
            _ => return None,
        }
    }
    scan.pos += 1;
    scan.whitespace();
    if scan.pos != bytes.len() || !version {
        return None;
    }
    let request = &bytes[range];
    if !request.is_ascii() && std::str::from_utf8(request).is_err() {
        return None;
    }
    Some(Parts {
        method: method?,
        params,
        id,
    })
}

/// The bytes a string's characters stop at: its end, an escape, or a
/// control character (which JSON does not allow in strings).
static STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        stops[byte] = true;
        byte += 1;
    }
    stops[b'"' as usize] = true;
    stops[b'\\' as usize] = true;
    stops
};

/// The members of a request object.
enum Member {
    Version,
    Method,
    Params,
    Id,
}

/// A position in the bytes being read.
struct Scan<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scan<'_> {
    fn whitespace(&mut self) {
        while let Some(&byte) = self.bytes.get(self.pos) {
            // Most bytes are above the space: one comparison for them.
            if byte > b' ' || !matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
                return;
            }
            self.pos += 1;
        }
    }

    /// Skips the characters of a string up to its end, an escape or a
    /// control character, which it returns (not consumed).
    fn until_stop(&mut self) -> Option<u8> {
        loop {
            let byte = *self.bytes.get(self.pos)?;
            if STOPS[usize::from(byte)] {
                return Some(byte);
            }
            self.pos += 1;
        }
    }

    /// The next significant byte, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.whitespace();
        self.bytes.get(self.pos).copied()
    }

    /// Consumes `byte`, after any whitespace.
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// A member's key, if it is one of a request's, written without escapes.
    fn member(&mut self) -> Option<Member> {
        self.eat(b'"')?;
        let rest = &self.bytes[self.pos..];
        let (member, len) = match rest.first()? {
            b'j' if rest.starts_with(b"jsonrpc\"") => (Member::Version, 8),
            b'm' if rest.starts_with(b"method\"") => (Member::Method, 7),
            b'p' if rest.starts_with(b"params\"") => (Member::Params, 7),
            b'i' if rest.starts_with(b"id\"") => (Member::Id, 3),
            _ => return None,
        };
        self.pos += len;
        Some(member)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.bytes[self.pos..]
            .starts_with(word)
            .then(|| self.pos += word.len())
    }

    /// A string without escapes or control characters: its characters' range.
    fn plain_string(&mut self) -> Option<Range<usize>> {
        self.eat(b'"')?;
        let start = self.pos;
        let end = (self.until_stop()? == b'"').then_some(self.pos)?;
        self.pos += 1;
        Some(start..end)
    }

    fn skip_plain_string(&mut self) -> Option<()> {
        self.plain_string().map(drop)
    }

    /// A string whose escapes are all one-character ones (not `\u`).
    fn skip_string(&mut self) -> Option<()> {
        self.pos += 1;
        loop {
            let byte = self.until_stop()?;
            self.pos += 1;
            match byte {
                b'"' => return Some(()),
                b'\\' => match self.bytes.get(self.pos)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.pos += 1,
                    _ => return None,
                },
                _ => return None,
            }
        }
    }

    /// A number as JSON writes it: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn skip_number(&mut self) -> Option<()> {
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.bytes.get(self.pos)? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            self.some_digits()?;
        }
        Some(())
    }

    /// Skips digits; how many.
    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn some_digits(&mut self) -> Option<()> {
        (self.digits() > 0).then_some(())
    }

    /// An object member's key and colon.
    fn key(&mut self) -> Option<()> {
        if self.peek()? != b'"' {
            return None;
        }
        self.skip_string()?;
        self.eat(b':')
    }

    /// One whole value, nested up to 64 deep, without recursion: a bit per
    /// open container says whether it is an object.
    fn skip_value(&mut self) -> Option<()> {
        let (mut objects, mut depth) = (0u64, 0u32);
        loop {
            // A value starts here.
            match self.peek()? {
                open @ (b'{' | b'[') => {
                    self.pos += 1;
                    let close = if open == b'{' { b'}' } else { b']' };
                    if self.peek()? == close {
                        self.pos += 1;
                    } else {
                        if depth == 64 {
                            return None;
                        }
                        depth += 1;
                        objects = objects << 1 | u64::from(open == b'{');
                        if open == b'{' {
                            self.key()?;
                        }
                        continue;
                    }
                }
                b'"' => self.skip_string()?,
                b'-' | b'0'..=b'9' => self.skip_number()?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => return None,
            }
            // A value ended: close what it ends, up to the next element.
            loop {
                if depth == 0 {
                    return Some(());
                }
                let in_object = objects & 1 == 1;
                match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        if in_object {
                            self.key()?;
                        }
                        break;
                    }
                    b'}' if in_object => {}
                    b']' if !in_object => {}
                    _ => return None,
                }
                self.pos += 1;
                depth -= 1;
                objects >>= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
        let parts = read(text.as_bytes(), 0..text.len())?;
        Some((
            &text[parts.method],
            parts.params.map(|r| &text[r]),
            parts.id.map(|r| &text[r]),
        ))
    }

    #[test]
    fn reads_the_common_shape_with_any_whitespace() {
        let text = " {\"jsonrpc\" : \"2.0\",\n\"method\":\"echo\", \"params\" : {\"s\": [1, -2.5e3, true, null, \"a\\\"b\", {}]} ,\"id\":1 }\r\n";
        assert_eq!(
            parts(text),
            Some((
                "echo",
                Some("{\"s\": [1, -2.5e3, true, null, \"a\\\"b\", {}]}"),
                Some("1")
            ))
        );
        let text = r#"{"id":"x","params":[],"method":"m","jsonrpc":"2.0"}"#;
        assert_eq!(parts(text), Some(("m", Some("[]"), Some("\"x\""))));
        let text = r#"{"jsonrpc":"2.0","method":"m","id":null}"#;
        assert_eq!(parts(text), Some(("m", None, Some("null"))));
        let text = r#"{"jsonrpc":"2.0","method":"m"}"#;
        assert_eq!(parts(text), Some(("m", None, None)));
    }

    #[test]
    fn leaves_everything_else_to_the_full_reader() {
        for text in [
            r#"{"jsonrpc":"2.0","method":"m","id":1"#,
            r#"{"jsonrpc":"2.0","method":"m","id":1}x"#,
            r#"{"jsonrpc":"2.0","method":"m","id":1,}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":01}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":1.}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":{}}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":1,"id":2}"#,
            r#"{"jsonrpc":"1.0","method":"m","id":1}"#,
            r#"{"method":"m","id":1}"#,
            r#"{"jsonrpc":"2.0","id":1}"#,
            r#"{"jsonrpc":"2.0","method":"ech\u006f","id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","params":"x","id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","params":null,"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","params":{"a":"\u0041"},"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","params":{"a":1,},"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","params":{"a"},"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","params":[1 2],"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","params":[tru],"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","other":1,"id":1}"#,
            "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[\"\t\"],\"id\":1}",
            "[]",
            "{}",
            "",
        ] {
            assert_eq!(parts(text), None, "{text}");
        }
        let deep = format!("{}{}", "[".repeat(70), "]".repeat(70));
        let text = format!(r#"{{"jsonrpc":"2.0","method":"m","params":{deep},"id":1}}"#);
        assert_eq!(parts(&text), None);
    }

    #[test]
    fn reads_a_request_inside_a_larger_text() {
        let text = r#"[{"jsonrpc":"2.0","method":"a","id":1}, {"jsonrpc":"2.0","method":"b"}]"#;
        let start = text.rfind('{').unwrap();
        let parts = read(text.as_bytes(), start..text.len() - 1).unwrap();
        assert_eq!(&text[parts.method], "b");
    }

    #[test]
    fn checks_utf8_in_strings_only_when_it_is_not_ascii() {
        let text = "{\"jsonrpc\":\"2.0\",\"method\":\"é\",\"params\":[\"ü\"],\"id\":\"ß\"}";
        assert_eq!(parts(text).map(|p| p.0), Some("é"));
        let mut bytes = text.as_bytes().to_vec();
        let at = bytes.iter().position(|&b| b >= 0x80).unwrap();
        bytes[at] = 0xff;
        assert!(read(&bytes, 0..bytes.len()).is_none());
    }
}
