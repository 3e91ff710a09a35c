//! A small element tree parsed from one XML fragment: what the value
//! deserializer walks. Names are local (prefixes dropped): children are
//! accepted qualified or not, as SOAP toolkits send either.
//!
//! The parser refuses a DOCTYPE outright (no DTD is ever read, so no entity
//! can be defined, expanded or fetched), resolves only the five predefined
//! entities and character references, and checks the nesting depth as it
//! reads, before the deeper element is built. Both of its paths refuse what
//! XML 1.0 says is not well-formed; namespaces are not checked here, since
//! a fragment's prefixes are declared around it: the envelope pass, which
//! reads the whole request, checks them.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};
use smol_str::SmolStr;

use super::chars::{self, is_space, is_xml_char};
use super::lexer::{Lexed, Lexer, Token, Unsupported, attributes, split_qname, text_content};
use super::wellformed::{self, Attribute};
use super::{XmlError, encoding};

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
        let (_, xml) = encoding::without_bom(xml);
        chars::check(xml)?;
        let mut reader = Reader::from_str(xml);
        reader.config_mut().check_end_names = true;
        // Open elements; the root is the first.
        let mut open: Vec<Element<'a>> = Vec::new();
        let mut root = None;
        loop {
            let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let event = reader.read_event().map_err(XmlError::syntax)?;
            let empty = matches!(event, Event::Empty(_));
            match event {
                Event::Start(start) | Event::Empty(start) => {
                    if root.is_some() {
                        return Err(XmlError::malformed("more than one root element"));
                    }
                    if open.len() >= max_depth {
                        return Err(XmlError::TooDeep { limit: max_depth });
                    }
                    let element = element(&start, &wellformed::start_tag(&start)?);
                    if empty {
                        close(&mut open, &mut root, element);
                    } else {
                        open.push(element);
                    }
                }
                Event::End(_) => {
                    let done = open
                        .pop()
                        .ok_or_else(|| XmlError::malformed("an end tag with no start"))?;
                    close(&mut open, &mut root, done);
                }
                Event::Text(text) => {
                    wellformed::text(&text)?;
                    match open.last_mut() {
                        Some(current) => append(&mut current.text, text.xml10_content()),
                        None if text.chars().all(is_space) => {}
                        None => return Err(XmlError::malformed("text outside the element")),
                    }
                }
                Event::CData(data) => match open.last_mut() {
                    Some(current) => append(&mut current.text, data.xml10_content()),
                    None => return Err(XmlError::malformed("CDATA outside the element")),
                },
                Event::GeneralRef(reference) => match open.last_mut() {
                    Some(current) => {
                        let mut buf = [0; 4];
                        let resolved = resolve(&reference, &mut buf)?;
                        append(&mut current.text, Cow::Owned(resolved.to_owned()));
                    }
                    None => return Err(XmlError::malformed("a reference outside the element")),
                },
                Event::DocType(_) => return Err(XmlError::DocType),
                Event::Comment(comment) => wellformed::comment(&comment)?,
                Event::PI(pi) => wellformed::processing_instruction(&pi)?,
                Event::Decl(_) => wellformed::xml_declaration(xml, before)?,
                Event::Eof => break,
            }
        }
        if !open.is_empty() {
            return Err(XmlError::malformed("the document ends inside an element"));
        }
        root.ok_or_else(|| XmlError::malformed("no element"))
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

/// A new, empty element for a start tag with `attributes`.
fn element<'a>(start: &BytesStart<'_>, attributes: &[Attribute<'_>]) -> Element<'a> {
    let name = start.local_name().into_inner();
    // The first prefixed `nil`, as the plain path reads it.
    let nil = attributes
        .iter()
        .find(|(name, _)| matches!(split_qname(name), (Some(_), "nil")))
        .is_some_and(|(_, value)| matches!(value.trim_matches(is_space), "true" | "1"));
    Element {
        name: SmolStr::new(name),
        nil,
        text: Cow::Borrowed(""),
        children: Vec::new(),
    }
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
                return Err(XmlError::malformed(
                    "a character reference to no XML character",
                ));
            }
            Ok(None) => return Err(XmlError::UndefinedEntity),
        },
    };
    Ok(ch.encode_utf8(buf))
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
        let marked = Element::parse("\u{FEFF}<?xml version='1.0'?><a x:nil=' &#49;'>b</a>", 8)?;
        assert_eq!((marked.text.as_ref(), marked.nil), ("b", true));
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
            "<a>\u{1}</a>",
            "<a b='\u{FFFF}'/>",
            "<a b='&#1;'/>",
            " <?xml version='1.0'?><a/>",
            "<a/><?xml version='1.0'?>",
            "<?xml version='1.0' encoding='UTF-16'?><a/>",
            "<a>]]></a>",
            "<a><!-- -- --></a>",
            "<a><?XML x?></a>",
            "<1a/>",
            "<a b='1'c='2'/>",
            "<a b='1' b='1'/>",
            "\u{3000}<a/>",
        ] {
            assert!(
                matches!(
                    Element::parse(bad, 8),
                    Err(XmlError::Syntax(_) | XmlError::Encoding(_))
                ),
                "{bad}"
            );
        }
    }
}
