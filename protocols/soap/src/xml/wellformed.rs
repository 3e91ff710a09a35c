//! What quick-xml reads without a word and XML 1.0 forbids, checked by the
//! careful readers event by event: names (each a `QName`), attribute lists
//! (white space before each attribute, each attribute once, values without
//! `<` and with only references to XML characters or the five predefined
//! entities), `]]>` in text, `--` in comments, processing instruction
//! targets (a name, never `xml` in any case), and the XML declaration (at
//! the very start only). The characters of the whole text are checked once
//! beforehand ([`chars::check`](super::chars::check)).

use std::borrow::Cow;

use quick_xml::events::{BytesPI, BytesStart};

use super::XmlError;
use super::chars::is_space;
use super::declaration;
use super::lexer::reference;
use super::names::{is_ncname, is_qname};

/// An attribute: its qualified name and its value, references resolved
/// and white space normalized (§3.3.3).
pub(crate) type Attribute<'a> = (&'a str, Cow<'a, str>);

/// Checks a start tag (or empty-element tag) and returns its attributes.
///
/// # Errors
/// [`XmlError::Syntax`] for a name that is no `QName` or a malformed
/// attribute list; [`XmlError::UndefinedEntity`] for a reference to an
/// entity that is not predefined.
pub(crate) fn start_tag<'a>(start: &'a BytesStart<'_>) -> Result<Vec<Attribute<'a>>, XmlError> {
    element_name(start)?;
    let mut list: Vec<Attribute<'a>> = Vec::new();
    let mut rest = start.attributes_raw();
    loop {
        let item = rest.trim_start_matches(is_space);
        if item.is_empty() {
            return Ok(list);
        }
        if item.len() == rest.len() {
            return Err(XmlError::malformed(
                "attributes must be separated by white space",
            ));
        }
        let (name, value, after) = attribute(item)?;
        if list.iter().any(|(seen, _)| *seen == name) {
            return Err(XmlError::malformed("an attribute given twice"));
        }
        list.push((name, value));
        rest = after;
    }
}

/// Checks a start tag's name.
///
/// # Errors
/// [`XmlError::Syntax`] for a name that is no `QName`.
pub(crate) fn element_name(start: &BytesStart<'_>) -> Result<(), XmlError> {
    match is_qname(start.name().0) {
        true => Ok(()),
        false => Err(XmlError::malformed("an element name that is no XML name")),
    }
}

/// The attribute `item` starts with, and what follows it.
fn attribute(item: &str) -> Result<(&str, Cow<'_, str>, &str), XmlError> {
    let name_end = item
        .find(|ch| is_space(ch) || ch == '=')
        .unwrap_or(item.len());
    let (name, after_name) = item.split_at(name_end);
    if !is_qname(name) {
        return Err(XmlError::malformed("an attribute name that is no XML name"));
    }
    let quoted = after_name
        .trim_start_matches(is_space)
        .strip_prefix('=')
        .map(|rest| rest.trim_start_matches(is_space))
        .ok_or_else(|| XmlError::malformed("an attribute without a value"))?;
    let quote = match quoted.chars().next() {
        Some(quote @ ('"' | '\'')) => quote,
        _ => return Err(XmlError::malformed("an attribute value without quotes")),
    };
    // The quotes are ASCII: the slices below are on character boundaries.
    let body = quoted.get(1..).unwrap_or_default();
    let end = body
        .find(quote)
        .ok_or_else(|| XmlError::malformed("an attribute value never closed"))?;
    let raw = body.get(..end).unwrap_or_default();
    Ok((name, value(raw)?, body.get(end + 1..).unwrap_or_default()))
}

/// An attribute value with its references resolved and each white space
/// character read as a space (a line end, `\r\n` or `\r`, as one).
///
/// # Errors
/// [`XmlError::Syntax`] for `<` or a malformed reference;
/// [`XmlError::UndefinedEntity`] for an entity that is not predefined.
fn value(raw: &str) -> Result<Cow<'_, str>, XmlError> {
    if raw.contains('<') {
        return Err(XmlError::malformed("`<` in an attribute value"));
    }
    if !raw.contains(['&', '\t', '\n', '\r']) {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find(['&', '\t', '\n', '\r']) {
        out.push_str(rest.get(..at).unwrap_or_default());
        let special = rest.get(at..).unwrap_or_default();
        rest = if let Some(reference) = special.strip_prefix('&') {
            let (name, after) = reference
                .split_once(';')
                .ok_or_else(|| XmlError::malformed("a reference without `;`"))?;
            out.push(resolve(name)?);
            after
        } else {
            out.push(' ');
            let line_end = special.strip_prefix("\r\n");
            line_end.unwrap_or_else(|| special.get(1..).unwrap_or_default())
        };
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// The character a reference's name (between `&` and `;`) stands for.
fn resolve(name: &str) -> Result<char, XmlError> {
    match reference(name.as_bytes()) {
        Some(ch) => Ok(ch),
        None if name.starts_with('#') => Err(XmlError::malformed(
            "a character reference to no XML character",
        )),
        None if is_ncname(name) => Err(XmlError::UndefinedEntity),
        None => Err(XmlError::malformed("a malformed reference")),
    }
}

/// Checks character data as it stands in the document.
///
/// # Errors
/// [`XmlError::Syntax`] if it holds `]]>`, which only ends a CDATA section.
pub(crate) fn text(raw: &str) -> Result<(), XmlError> {
    match raw.contains("]]>") {
        true => Err(XmlError::malformed("`]]>` in text")),
        false => Ok(()),
    }
}

/// Checks a comment's content (between `<!--` and `-->`).
///
/// # Errors
/// [`XmlError::Syntax`] if it holds `--` or ends with `-`.
pub(crate) fn comment(content: &str) -> Result<(), XmlError> {
    match content.contains("--") || content.ends_with('-') {
        true => Err(XmlError::malformed("`--` in a comment")),
        false => Ok(()),
    }
}

/// Checks a processing instruction's target.
///
/// # Errors
/// [`XmlError::Syntax`] for a target that is no name without a colon, or
/// that is `xml` in any case (XML reserves it for the declaration).
pub(crate) fn processing_instruction(pi: &BytesPI<'_>) -> Result<(), XmlError> {
    let target = pi.target();
    if target.eq_ignore_ascii_case("xml") {
        return Err(XmlError::malformed(
            "an XML declaration anywhere but at the very start",
        ));
    }
    match is_ncname(target) {
        true => Ok(()),
        false => Err(XmlError::malformed(
            "a processing instruction whose target is no name",
        )),
    }
}

/// Checks an XML declaration found at byte `at` of `document`.
///
/// # Errors
/// [`XmlError::Syntax`] if it is not at the very start or is malformed,
/// [`XmlError::Encoding`] if it names an encoding not read here.
pub(crate) fn xml_declaration(document: &str, at: usize) -> Result<(), XmlError> {
    if at != 0 {
        return Err(XmlError::malformed(
            "an XML declaration anywhere but at the very start",
        ));
    }
    match declaration::read(document)? {
        Some(_) => Ok(()),
        None => Err(XmlError::malformed("a malformed XML declaration")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(tag: &str) -> BytesStart<'_> {
        let name_len = tag.find(' ').unwrap_or(tag.len());
        BytesStart::from_content(tag, name_len)
    }

    #[test]
    fn reads_attribute_lists_as_xml_writes_them() -> Result<(), XmlError> {
        let tag = start("a b='1' c = \"x&lt;&#65;'\" d='t\tu\r\nv'");
        let attributes = start_tag(&tag)?;
        assert_eq!(
            attributes,
            [
                ("b", "1".into()),
                ("c", "x<A'".into()),
                ("d", "t u v".into())
            ]
        );
        for bad in [
            "1a",
            "a b='1'c='2'",
            "a b",
            "a b=1",
            "a b='1",
            "a b='<'",
            "a b='&#1;'",
            "a b='& x'",
            "a b='1' b='2'",
            "a :b='1'",
            "a b:='1'",
            "a/ ",
        ] {
            assert!(
                matches!(start_tag(&start(bad)), Err(XmlError::Syntax(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            start_tag(&start("a b='&x;'")),
            Err(XmlError::UndefinedEntity)
        ));
        Ok(())
    }

    #[test]
    fn refuses_what_quick_xml_lets_through() {
        assert!(text("a]]b]>c").is_ok());
        assert!(text("a]]>").is_err());
        assert!(comment(" a - b ").is_ok());
        assert!(comment(" a -- b ").is_err());
        assert!(comment(" a -").is_err());
        assert!(processing_instruction(&BytesPI::new("pi data")).is_ok());
        assert!(processing_instruction(&BytesPI::new("xml-stylesheet href='a'")).is_ok());
        for bad in ["xml version='1.0'", "XmL", "1pi", "a:b"] {
            assert!(processing_instruction(&BytesPI::new(bad)).is_err(), "{bad}");
        }
        assert!(xml_declaration("<?xml version='1.0'?><a/>", 0).is_ok());
        assert!(xml_declaration(" <?xml version='1.0'?><a/>", 1).is_err());
    }
}
