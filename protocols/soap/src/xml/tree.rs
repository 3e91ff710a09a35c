//! A small element tree parsed from one XML fragment: what the value
//! deserializer walks. Names are local (prefixes dropped): children are
//! accepted qualified or not, as SOAP toolkits send either.
//!
//! The parser refuses a DOCTYPE outright (no DTD is ever read, so no entity
//! can be defined, expanded or fetched), resolves only the five predefined
//! entities and character references, and checks the nesting depth as it
//! reads, before the deeper element is built.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};
use smol_str::SmolStr;

use super::XmlError;
use super::lexer::{Lexed, Lexer, Token, Unsupported, attributes, split_qname, text_content};

/// One element: its local name, whether it is `xsi:nil`, its text (the
/// concatenation of its text, CDATA and references) and its child elements.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Element<'a> {
    /// The local name (`echo` for `<tns:echo>`).
    pub(crate) name: SmolStr,
    /// Whether it carries `xsi:nil="true"` (or `"1"`).
    pub(crate) nil: bool,
    /// Its character data, entities resolved, whitespace kept.
    pub(crate) text: Cow<'a, str>,
    /// Its child elements, in document order.
    pub(crate) children: Vec<Element<'a>>,
}

impl<'a> Element<'a> {
    /// Parses the one element `xml` holds (an XML declaration, comments,
    /// processing instructions and whitespace may surround it), nesting no
    /// deeper than `max_depth`.
    pub(crate) fn parse(xml: &'a str, max_depth: usize) -> Result<Self, XmlError> {
        match Self::parse_plain(xml, max_depth) {
            Ok(root) => Ok(root),
            Err(Unsupported) => Self::parse_careful(xml, max_depth),
        }
    }

    /// The fast path: plain XML only ([`lexer`](super::lexer)).
    pub(crate) fn parse_plain(xml: &'a str, max_depth: usize) -> Lexed<Self> {
        let mut lexer = Lexer::new(xml, max_depth);
        let mut open: Vec<Element<'a>> = Vec::with_capacity(max_depth.min(8));
        let mut root = None;
        while let Some(token) = lexer.next_token()? {
            match token {
                Token::Start(tag) => {
                    let (_, local) = split_qname(tag.name);
                    let nil = attributes(tag.attributes)
                        .find(|(name, _)| matches!(split_qname(name), (Some(_), "nil")))
                        .is_some_and(|(_, value)| matches!(value.trim(), "true" | "1"));
                    let element = Element {
                        name: SmolStr::new(local),
                        nil,
                        text: Cow::Borrowed(""),
                        children: Vec::new(),
                    };
                    if tag.empty {
                        close(&mut open, &mut root, element);
                    } else {
                        open.push(element);
                    }
                }
                Token::End { .. } => {
                    let done = open.pop().ok_or(Unsupported)?;
                    close(&mut open, &mut root, done);
                }
                Token::Text(text) => {
                    let current = open.last_mut().ok_or(Unsupported)?;
                    append(&mut current.text, text_content(text, false));
                }
                Token::CData(data) => {
                    let current = open.last_mut().ok_or(Unsupported)?;
                    append(&mut current.text, text_content(data, true));
                }
            }
        }
        root.ok_or(Unsupported)
    }

    /// The careful path: any XML, read by quick-xml, every error worded.
    pub(crate) fn parse_careful(xml: &'a str, max_depth: usize) -> Result<Self, XmlError> {
        let mut reader = Reader::from_str(xml);
        reader.config_mut().check_end_names = true;
        // Open elements; the root is the first.
        let mut open: Vec<Element<'a>> = Vec::new();
        let mut root = None;
        loop {
            let event = reader.read_event().map_err(XmlError::syntax)?;
            match event {
                Event::Start(start) => {
                    if root.is_some() {
                        return Err(XmlError::Syntax("more than one root element".into()));
                    }
                    if open.len() >= max_depth {
                        return Err(XmlError::TooDeep { limit: max_depth });
                    }
                    open.push(element(&start)?);
                }
                Event::Empty(start) => {
                    if root.is_some() {
                        return Err(XmlError::Syntax("more than one root element".into()));
                    }
                    if open.len() >= max_depth {
                        return Err(XmlError::TooDeep { limit: max_depth });
                    }
                    close(&mut open, &mut root, element(&start)?);
                }
                Event::End(_) => {
                    let done = open
                        .pop()
                        .ok_or_else(|| XmlError::Syntax("an end tag with no start".into()))?;
                    close(&mut open, &mut root, done);
                }
                Event::Text(text) => match open.last_mut() {
                    Some(current) => append(&mut current.text, text.xml10_content()),
                    None if text.xml10_content().trim().is_empty() => {}
                    None => return Err(XmlError::Syntax("text outside the element".into())),
                },
                Event::CData(data) => match open.last_mut() {
                    Some(current) => append(&mut current.text, data.xml10_content()),
                    None => return Err(XmlError::Syntax("CDATA outside the element".into())),
                },
                Event::GeneralRef(reference) => match open.last_mut() {
                    Some(current) => {
                        let mut buf = [0; 4];
                        let resolved = resolve(&reference, &mut buf)?;
                        append(&mut current.text, Cow::Owned(resolved.to_owned()));
                    }
                    None => return Err(XmlError::Syntax("a reference outside the element".into())),
                },
                Event::DocType(_) => return Err(XmlError::DocType),
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
                Event::Eof => break,
            }
        }
        if !open.is_empty() {
            return Err(XmlError::Syntax(
                "the document ends inside an element".into(),
            ));
        }
        root.ok_or_else(|| XmlError::Syntax("no element".into()))
    }

    /// The child elements named `name`, in order.
    pub(crate) fn children_named<'s>(
        &'s self,
        name: &'s str,
    ) -> impl Iterator<Item = &'s Element<'a>> + 's {
        self.children.iter().filter(move |child| child.name == name)
    }
}

/// Hands a finished element to its parent, or makes it the root.
fn close<'a>(open: &mut [Element<'a>], root: &mut Option<Element<'a>>, done: Element<'a>) {
    match open.last_mut() {
        Some(parent) => parent.children.push(done),
        None => *root = Some(done),
    }
}

/// A new, empty element for a start tag.
fn element<'a>(start: &BytesStart<'_>) -> Result<Element<'a>, XmlError> {
    let name = start.local_name().into_inner();
    Ok(Element {
        name: SmolStr::new(name),
        nil: is_nil(start)?,
        text: Cow::Borrowed(""),
        children: Vec::new(),
    })
}

/// Whether the start tag carries `xsi:nil` set to true.
pub(crate) fn is_nil(start: &BytesStart<'_>) -> Result<bool, XmlError> {
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|err| XmlError::Syntax(err.to_string().into()))?;
        let name = attribute.key;
        if name.prefix().is_some() && name.local_name().as_ref() == "nil" {
            let value: &str = attribute.value.as_ref();
            return Ok(matches!(value.trim(), "true" | "1"));
        }
    }
    Ok(false)
}

fn append<'a>(text: &mut Cow<'a, str>, more: Cow<'a, str>) {
    if text.is_empty() {
        *text = more;
    } else {
        text.to_mut().push_str(&more);
    }
}

/// A predefined entity or a character reference; anything else is refused
/// (no DTD can define more).
pub(crate) fn resolve<'b>(
    reference: &BytesRef<'_>,
    buf: &'b mut [u8; 4],
) -> Result<&'b str, XmlError> {
    let named = match reference.as_ref() {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    };
    let ch = match named {
        Some(ch) => ch,
        None => match reference.resolve_char_ref() {
            Ok(Some(ch)) if is_xml_char(ch) => ch,
            Ok(Some(_)) | Err(_) => {
                return Err(XmlError::Syntax(
                    "a character reference to no XML character".into(),
                ));
            }
            Ok(None) => return Err(XmlError::UndefinedEntity),
        },
    };
    Ok(ch.encode_utf8(buf))
}

/// Whether XML 1.0 allows `ch` in a document (its `Char` production).
pub(crate) fn is_xml_char(ch: char) -> bool {
    matches!(ch, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_text_and_children() -> Result<(), XmlError> {
        let xml = "<?xml version=\"1.0\"?><a:echo xmlns:a=\"urn:x\"> <s>1 &lt;&amp;&gt; &#233;<![CDATA[<b>]]> </s><n xmlns:xsi=\"x\" xsi:nil=\"true\"/></a:echo>";
        let root = Element::parse(xml, 8)?;
        assert_eq!(root.name, "echo");
        assert_eq!(root.children.len(), 2);
        assert_eq!(root.children[0].text, "1 <&> é<b> ");
        assert!(root.children[1].nil);
        Ok(())
    }

    #[test]
    fn refuses_doctypes_depth_and_bad_markup() {
        let doctype = "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>";
        assert!(matches!(Element::parse(doctype, 8), Err(XmlError::DocType)));
        assert!(matches!(
            Element::parse("<a>&x;</a>", 8),
            Err(XmlError::UndefinedEntity)
        ));
        let deep = "<a>".repeat(100_000);
        assert!(matches!(
            Element::parse(&deep, 64),
            Err(XmlError::TooDeep { limit: 64 })
        ));
        for bad in [
            "<a><b></a>",
            "<a>",
            "<a></a><b/>",
            "",
            "x<a/>",
            "<a>&#0;</a>",
        ] {
            assert!(
                matches!(Element::parse(bad, 8), Err(XmlError::Syntax(_))),
                "{bad}"
            );
        }
    }
}
