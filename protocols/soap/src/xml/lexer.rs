//! A strict lexer for plain XML, the fast path of every read.
//!
//! Plain XML is what SOAP toolkits send: an optional XML declaration, then
//! one element with elements, attributes whose values are literal text,
//! character data with the five predefined entities and character
//! references, and CDATA sections. Anything else (comments, processing
//! instructions, a DOCTYPE, a reference inside an
//! attribute, a name outside ASCII) and anything not well-formed is
//! [`Unsupported`]: the caller then reads the document again with quick-xml,
//! which decides what it is and words the error. So the lexer never has to
//! explain a refusal, and whatever it accepts quick-xml accepts and reads
//! the same way (`envelope/differential.rs` checks this for every truncation and
//! one-byte change of a set of requests).
//!
//! Strict where XML 1.0 is: every character is one XML allows (control
//! bytes are outside every byte class below; the byte EF, which starts the
//! non-characters U+FFFE and U+FFFF, is looked at where it appears), the
//! declaration is read by [`declaration`] and only at
//! the very start. Namespaces are left to the caller: the lexer cannot
//! know which prefixes a fragment's surroundings declare.
//!
//! It reads the text once, byte by byte, without allocating beyond the
//! stack of open element names.

use std::borrow::Cow;

use super::chars::is_xml_char;
use super::declaration;

/// The input is outside plain XML, or not well-formed: read it the careful
/// way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unsupported;

/// What reading plain XML gives.
pub(crate) type Lexed<T> = Result<T, Unsupported>;

/// A start tag or an empty-element tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tag<'a> {
    /// The qualified name (`tns:echo`).
    pub(crate) name: &'a str,
    /// The attributes' text, checked: read it with [`attributes`].
    pub(crate) attributes: &'a str,
    /// Whether it is an empty-element tag (`<a/>`): no end tag follows.
    pub(crate) empty: bool,
    /// Its depth: 1 for the root element.
    pub(crate) depth: usize,
    /// Where its `<` is.
    pub(crate) start: usize,
    /// Just after its `>`.
    pub(crate) end: usize,
}

/// One piece of a plain XML document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// A start tag or an empty-element tag.
    Start(Tag<'a>),
    /// An end tag, matching its start tag.
    End {
        /// The depth of the element it closes: 1 for the root.
        depth: usize,
        /// Just after its `>`.
        end: usize,
    },
    /// Character data inside the root element, references not yet
    /// resolved (but checked): see [`unescape`].
    Text(&'a str),
    /// A CDATA section's content.
    CData(&'a str),
}

/// Reads a plain XML document token by token.
#[derive(Debug)]
pub(crate) struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    /// The names of the open elements, the root first.
    open: Vec<&'a str>,
    max_depth: usize,
    root_closed: bool,
}

/// More attributes than this on one tag is not plain (and keeps the
/// duplicate check short).
const MAX_ATTRIBUTES: usize = 16;

impl<'a> Lexer<'a> {
    /// A lexer for `text`, whose elements nest no deeper than `max_depth`.
    pub(crate) fn new(text: &'a str, max_depth: usize) -> Self {
        Self {
            text,
            pos: 0,
            open: Vec::with_capacity(max_depth.min(8)),
            max_depth,
            root_closed: false,
        }
    }

    /// How many elements are open.
    pub(crate) fn depth(&self) -> usize {
        self.open.len()
    }

    /// The next token, or `None` at the end of a well-formed document.
    pub(crate) fn next_token(&mut self) -> Lexed<Option<Token<'a>>> {
        let bytes = self.text.as_bytes();
        loop {
            let Some(&first) = bytes.get(self.pos) else {
                return if self.open.is_empty() && self.root_closed {
                    Ok(None)
                } else {
                    Err(Unsupported)
                };
            };
            if first != b'<' {
                let start = self.pos;
                self.pos = text_end(bytes, start)?;
                let text = self.text.get(start..self.pos).ok_or(Unsupported)?;
                if self.open.is_empty() {
                    // Outside the root: whitespace only.
                    if !text.bytes().all(is_space) {
                        return Err(Unsupported);
                    }
                    continue;
                }
                return Ok(Some(Token::Text(text)));
            }
            match bytes.get(self.pos + 1) {
                Some(b'/') => return self.end_tag().map(Some),
                Some(b'?') if self.pos == 0 => self.declaration()?,
                Some(b'!') => return self.cdata().map(Some),
                Some(_) => return self.start_tag().map(Token::Start).map(Some),
                None => return Err(Unsupported),
            }
        }
    }

    /// `<?xml …?>` at the very start: any other `<?` is a processing
    /// instruction, which plain XML has none of.
    fn declaration(&mut self) -> Lexed<()> {
        match declaration::read(self.text) {
            Ok(Some(end)) => {
                self.pos = end;
                Ok(())
            }
            Ok(None) | Err(_) => Err(Unsupported),
        }
    }

    /// `<![CDATA[…]]>` inside the root.
    fn cdata(&mut self) -> Lexed<Token<'a>> {
        const OPEN: &[u8] = b"<![CDATA[";
        let bytes = self.text.as_bytes();
        if self.open.is_empty() || !bytes[self.pos..].starts_with(OPEN) {
            return Err(Unsupported);
        }
        let start = self.pos + OPEN.len();
        let close = find(bytes, start, b"]]>").ok_or(Unsupported)?;
        let content = &bytes[..close];
        let mut at = start;
        while at < close {
            at = run_end(content, at, CDATA);
            if at < close {
                at = past_ef(content, at)?;
            }
        }
        self.pos = close + 3;
        Ok(Token::CData(
            self.text.get(start..close).ok_or(Unsupported)?,
        ))
    }

    fn start_tag(&mut self) -> Lexed<Tag<'a>> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        if self.root_closed || self.open.len() >= self.max_depth {
            return Err(Unsupported);
        }
        let name_end = qname_end(bytes, start + 1)?;
        let mut names: [&[u8]; MAX_ATTRIBUTES] = [&[]; MAX_ATTRIBUTES];
        let mut count = 0;
        let mut at = name_end;
        let (attributes_end, empty, end) = loop {
            let next = skip_space(bytes, at);
            match bytes.get(next) {
                Some(b'>') => break (next, false, next + 1),
                Some(b'/') if bytes.get(next + 1) == Some(&b'>') => break (next, true, next + 2),
                // An attribute, after at least one space.
                Some(_) if next > at && count < MAX_ATTRIBUTES => {
                    let name_end = qname_end(bytes, next)?;
                    let name = &bytes[next..name_end];
                    if names[..count].contains(&name) {
                        return Err(Unsupported);
                    }
                    names[count] = name;
                    count += 1;
                    at = attribute_value_end(bytes, name_end)?;
                }
                _ => return Err(Unsupported),
            }
        };
        let name = self.text.get(start + 1..name_end).ok_or(Unsupported)?;
        let attributes = self.text.get(name_end..attributes_end).ok_or(Unsupported)?;
        self.pos = end;
        let depth = self.open.len() + 1;
        if empty {
            self.root_closed = self.open.is_empty();
        } else {
            self.open.push(name);
        }
        Ok(Tag {
            name,
            attributes,
            empty,
            depth,
            start,
            end,
        })
    }

    fn end_tag(&mut self) -> Lexed<Token<'a>> {
        let bytes = self.text.as_bytes();
        let name_start = self.pos + 2;
        let name_end = qname_end(bytes, name_start)?;
        let close = skip_space(bytes, name_end);
        if bytes.get(close) != Some(&b'>') {
            return Err(Unsupported);
        }
        let depth = self.open.len();
        match self.open.pop() {
            Some(open) if open.as_bytes() == &bytes[name_start..name_end] => {}
            _ => return Err(Unsupported),
        }
        self.root_closed = self.open.is_empty();
        self.pos = close + 1;
        Ok(Token::End {
            depth,
            end: self.pos,
        })
    }
}

/// A byte that may continue a name (`[A-Za-z0-9_.-]`).
const NAME: u8 = 1;
/// A byte that may start a name's part (`[A-Za-z_]`).
const NAME_START: u8 = 2;
/// A byte that stands for itself in plain character data: any but
/// control characters (tab, line feed and carriage return aside), `<`,
/// `&`, `]` and EF ([`past_ef`]). Line ends are normalized when the text
/// is read ([`text_content`]).
const TEXT: u8 = 4;
/// A byte that stands for itself in a plain attribute value: any but
/// control characters, `<`, `&`, the quotes and EF.
const VALUE: u8 = 8;
/// XML's white space.
const SPACE: u8 = 16;
/// The colon of a qualified name.
const COLON: u8 = 32;
/// A byte that stands for itself in a CDATA section: any but control
/// characters (tab, line feed and carriage return aside) and EF.
const CDATA: u8 = 64;

/// What each byte may be, as the flags above: one lookup per byte in the
/// loops that cross names, text and values.
static CLASS: [u8; 256] = classes();

const fn classes() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        let mut class = 0;
        if byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-') {
            class |= NAME;
        }
        if byte.is_ascii_alphabetic() || byte == b'_' {
            class |= NAME_START;
        }
        let character = (byte >= 0x20 || matches!(byte, b'\t' | b'\n' | b'\r')) && byte != 0xEF;
        if character {
            class |= CDATA;
        }
        if character && !matches!(byte, b'<' | b'&' | b']') {
            class |= TEXT;
        }
        if character && byte >= 0x20 && !matches!(byte, b'<' | b'&' | b'"' | b'\'') {
            class |= VALUE;
        }
        if matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
            class |= SPACE;
        }
        if byte == b':' {
            class |= COLON;
        }
        table[b] = class;
        b += 1;
    }
    table
}

/// Whether `b` is of `class`.
fn is(b: u8, class: u8) -> bool {
    CLASS[usize::from(b)] & class != 0
}

fn is_space(b: u8) -> bool {
    is(b, SPACE)
}

/// Where the run of `class` bytes starting at `at` ends.
fn run_end(bytes: &[u8], at: usize, class: u8) -> usize {
    match bytes.get(at..) {
        Some(rest) => {
            at + rest
                .iter()
                .position(|&b| !is(b, class))
                .unwrap_or(rest.len())
        }
        None => at,
    }
}

fn skip_space(bytes: &[u8], at: usize) -> usize {
    run_end(bytes, at, SPACE)
}

/// Where `needle` (two bytes or more) next starts, at or after `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut at = from;
    loop {
        at += bytes.get(at..)?.iter().position(|&b| b == first)?;
        if bytes[at..].starts_with(needle) {
            return Some(at);
        }
        at += 1;
    }
}

/// Just after the byte EF at `at`, unless it starts U+FFFE or U+FFFF
/// (EF BF BE, EF BF BF), which XML 1.0 forbids. Every other character
/// it starts (U+F000 to U+FFFD) is one XML allows; its other bytes are of
/// every class that admits non-ASCII bytes.
fn past_ef(bytes: &[u8], at: usize) -> Lexed<usize> {
    match (bytes.get(at), bytes.get(at + 1..at + 3)) {
        (Some(0xEF), Some([0xBF, 0xBE | 0xBF])) => Err(Unsupported),
        (Some(0xEF), _) => Ok(at + 1),
        _ => Err(Unsupported),
    }
}

/// The end of the character data starting at `at`: the next `<`, or the
/// end of the text. Every reference in it is checked.
fn text_end(bytes: &[u8], mut at: usize) -> Lexed<usize> {
    loop {
        at = run_end(bytes, at, TEXT);
        match bytes.get(at) {
            None | Some(b'<') => return Ok(at),
            Some(b'&') => at = reference_end(bytes, at)?,
            Some(b']') if !bytes[at..].starts_with(b"]]>") => at += 1,
            Some(0xEF) => at = past_ef(bytes, at)?,
            Some(_) => return Err(Unsupported),
        }
    }
}

/// Just after the reference starting at `at` (an `&`): one of the five
/// predefined entities or a character reference to an XML character.
fn reference_end(bytes: &[u8], at: usize) -> Lexed<usize> {
    let rest = bytes.get(at + 1..).ok_or(Unsupported)?;
    let semicolon = rest
        .iter()
        .take(10)
        .position(|&b| b == b';')
        .ok_or(Unsupported)?;
    reference(&rest[..semicolon]).ok_or(Unsupported)?;
    Ok(at + semicolon + 2)
}

/// The character a reference's name (between `&` and `;`) stands for: a
/// predefined entity, or a character reference to a character XML allows.
pub(crate) fn reference(name: &[u8]) -> Option<char> {
    let (digits, radix) = match name {
        b"lt" => return Some('<'),
        b"gt" => return Some('>'),
        b"amp" => return Some('&'),
        b"apos" => return Some('\''),
        b"quot" => return Some('"'),
        [b'#', b'x', hex @ ..] => (hex, 16),
        [b'#', decimal @ ..] => (decimal, 10),
        _ => return None,
    };
    if digits.is_empty() || !digits.iter().all(|b| (*b as char).is_digit(radix)) {
        return None;
    }
    let code = u32::from_str_radix(std::str::from_utf8(digits).ok()?, radix).ok()?;
    char::from_u32(code).filter(|&ch| is_xml_char(ch))
}

/// Just after the qualified name starting at `at`: ASCII letters, digits,
/// `_`, `-` and `.`, starting with a letter or `_`, with at most one `:`
/// between a prefix and a local part.
fn qname_end(bytes: &[u8], at: usize) -> Lexed<usize> {
    let part_end = |at: usize| match bytes.get(at) {
        Some(&b) if is(b, NAME_START) => Ok(run_end(bytes, at + 1, NAME)),
        _ => Err(Unsupported),
    };
    let mut end = part_end(at)?;
    if bytes.get(end) == Some(&b':') {
        end = part_end(end + 1)?;
    }
    match bytes.get(end) {
        Some(&b) if b == b':' || b >= 0x80 => Err(Unsupported),
        _ => Ok(end),
    }
}

/// Just after an attribute's value, from the end of its name: `=` and a
/// quoted literal with no `<`, no reference and no white space but spaces.
fn attribute_value_end(bytes: &[u8], name_end: usize) -> Lexed<usize> {
    let equals = skip_space(bytes, name_end);
    if bytes.get(equals) != Some(&b'=') {
        return Err(Unsupported);
    }
    let open = skip_space(bytes, equals + 1);
    let quote = match bytes.get(open) {
        Some(&q @ (b'"' | b'\'')) => q,
        _ => return Err(Unsupported),
    };
    let mut at = open + 1;
    loop {
        at = run_end(bytes, at, VALUE);
        match bytes.get(at) {
            Some(&b) if b == quote => return Ok(at + 1),
            // The other quote.
            Some(b'"' | b'\'') => at += 1,
            Some(0xEF) => at = past_ef(bytes, at)?,
            _ => return Err(Unsupported),
        }
    }
}

/// The attributes of a [`Tag`], as (qualified name, value) pairs; values
/// are literal (the lexer let no reference through).
pub(crate) fn attributes(text: &str) -> impl Iterator<Item = (&str, &str)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        let name_start = skip_space(bytes, at);
        let name_end = run_end(bytes, name_start, NAME | NAME_START | COLON);
        let open = skip_space(bytes, skip_space(bytes, name_end) + 1);
        let quote = *bytes.get(open)?;
        let value_start = open + 1;
        let value_end = value_start + bytes.get(value_start..)?.iter().position(|&b| b == quote)?;
        at = value_end + 1;
        Some((
            text.get(name_start..name_end)?,
            text.get(value_start..value_end)?,
        ))
    })
}

/// The prefix and local part of a qualified name.
pub(crate) fn split_qname(name: &str) -> (Option<&str>, &str) {
    // Byte by byte: names are short, and `:` is ASCII.
    match name.bytes().position(|b| b == b':') {
        Some(colon) => (name.get(..colon), name.get(colon + 1..).unwrap_or_default()),
        None => (None, name),
    }
}

/// The content of a [`Token::Text`] or [`Token::CData`]: line ends
/// normalized as XML 1.0 says (`\r\n` and a lone `\r` read as `\n`), then,
/// for text, references resolved. A `&#13;` stays a carriage return.
pub(crate) fn text_content(raw: &str, cdata: bool) -> Cow<'_, str> {
    fn resolve(text: &str, cdata: bool) -> Cow<'_, str> {
        if cdata {
            Cow::Borrowed(text)
        } else {
            unescape(text)
        }
    }
    if !raw.contains('\r') {
        return resolve(raw, cdata);
    }
    let normalized = raw.replace("\r\n", "\n").replace('\r', "\n");
    Cow::Owned(resolve(&normalized, cdata).into_owned())
}

/// Character data with its references resolved (the lexer checked them).
fn unescape(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match after.split_once(';') {
            Some((name, tail)) => {
                out.push(reference(name.as_bytes()).unwrap_or('\u{FFFD}'));
                rest = tail;
            }
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Lexed<Vec<Token<'_>>> {
        let mut lexer = Lexer::new(text, 8);
        let mut out = Vec::new();
        while let Some(token) = lexer.next_token()? {
            out.push(token);
        }
        Ok(out)
    }

    #[test]
    fn reads_plain_documents() -> Result<(), Unsupported> {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a:x xmlns:a='urn:a' b = \"1\">t&amp;&#233;<y/><![CDATA[<z>]]></a:x >\n";
        let read = tokens(text)?;
        assert_eq!(read.len(), 5);
        let edges = "<a b='\u{F900}\u{FFFD}'>\u{FEFF}\u{FFFD}<![CDATA[\u{F8FF}]]></a>";
        assert_eq!(tokens(edges)?.len(), 4);
        let Token::Start(root) = read[0] else {
            panic!("{read:?}")
        };
        assert_eq!((root.name, root.depth, root.empty), ("a:x", 1, false));
        assert_eq!(
            attributes(root.attributes).collect::<Vec<_>>(),
            [("xmlns:a", "urn:a"), ("b", "1")]
        );
        assert_eq!(read[1], Token::Text("t&amp;&#233;"));
        assert_eq!(unescape("t&amp;&#233;&#x41;"), "t&éA");
        assert_eq!(text_content("a\r\nb\rc&#13;", false), "a\nb\nc\r");
        assert_eq!(text_content("a\r\n&amp;", true), "a\n&amp;");
        assert!(matches!(
            read[2],
            Token::Start(Tag {
                empty: true,
                depth: 2,
                ..
            })
        ));
        assert_eq!(read[3], Token::CData("<z>"));
        assert_eq!(
            read[4],
            Token::End {
                depth: 1,
                end: text.len() - 1
            }
        );
        Ok(())
    }

    #[test]
    fn leaves_everything_else_to_the_careful_reader() {
        for text in [
            "",
            "<a>",
            "<a></b>",
            "<a/><b/>",
            "x<a/>",
            "<a><!-- c --></a>",
            "<!DOCTYPE a><a/>",
            "<a><?pi x?></a>",
            " <?xml version='1.0'?><a/>",
            "<a>&nbsp;</a>",
            "<a>&#0;</a>",
            "<a>&#xD800;</a>",
            "<a>]]></a>",
            "<a b='&amp;'/>",
            "<a b='1' b='2'/>",
            "<a b='1'c='2'/>",
            "<a b/>",
            "<é/>",
            "<a:b:c/>",
            "<a:/>",
            "<a>\u{1}</a>",
            "<a>\u{FFFE}</a>",
            "<a b='\u{FFFF}'/>",
            "<a><![CDATA[\u{FFFF}]]></a>",
            "<a><![CDATA[\u{1}]]></a>",
            "<?xml version='1.0'?><?xml version='1.0'?><a/>",
            "<?xml version='1.0' encoding='latin1'?><a/>",
            "<?xml?><a/>",
            "<a/><?xml version='1.0'?>",
            "<a><b><c><d><e><f><g><h><i/></h></g></f></e></d></c></b></a>",
        ] {
            assert_eq!(tokens(text).err(), Some(Unsupported), "{text:?}");
        }
    }
}
