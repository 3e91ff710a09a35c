//! The plain pass: the usual request, read with the lexer for plain XML
//! and namespaces resolved only where they matter (the envelope, its
//! header and body, the header blocks and the call). Anything it cannot
//! settle, a refusal included, it leaves to the careful pass.

use super::shape::{Opened, Shape};
use super::{Located, Ns, must_understand, understanding_mark};
use crate::settings::SoapSettings;
use crate::xml::lexer::{Lexer, Token, attributes, split_qname};

/// The deepest element whose namespace matters: a header block or the call.
const RESOLVED_DEPTH: usize = 3;

/// A namespace declaration in scope.
#[derive(Debug, Clone, Copy)]
struct Declared<'a> {
    /// The depth of the element declaring it.
    depth: usize,
    /// Its prefix; `""` for the default namespace.
    prefix: &'a str,
    /// Its URI; `""` undeclares the default namespace.
    uri: &'a str,
}

/// Reads `text` as a SOAP 1.1 request, or leaves it (`None`) to the
/// careful pass.
pub(super) fn scan(
    text: &str,
    settings: Option<&SoapSettings>,
    max_depth: usize,
) -> Option<Located> {
    let mut lexer = Lexer::new(text, max_depth);
    let mut shape = Shape::new(settings);
    let mut scope: Vec<Declared<'_>> = Vec::with_capacity(4);
    while let Some(token) = lexer.next_token().ok()? {
        match token {
            Token::Start(tag) if tag.depth <= RESOLVED_DEPTH => {
                declare(&mut scope, tag.depth, tag.attributes)?;
                let (prefix, local) = split_qname(tag.name);
                let ns = Ns::of(resolve(&scope, prefix.unwrap_or(""))?, settings);
                let opened = Opened {
                    ns,
                    local,
                    depth: tag.depth,
                    empty: tag.empty,
                    start: tag.start,
                    end: tag.end,
                };
                let marks = || Ok(block_must_understand(&scope, tag.attributes));
                match shape.start(opened, marks) {
                    Ok(None) => {}
                    Ok(Some(_)) | Err(_) => return None,
                }
                if tag.empty {
                    undeclare(&mut scope, tag.depth);
                }
            }
            Token::Start(_) => {}
            Token::End { depth, end } => {
                shape.end(depth, end);
                undeclare(&mut scope, depth);
            }
            Token::Text(text) if lexer.depth() < RESOLVED_DEPTH => {
                if !text
                    .bytes()
                    .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                {
                    return None;
                }
            }
            Token::CData(_) if lexer.depth() < RESOLVED_DEPTH => return None,
            Token::Text(_) | Token::CData(_) => {}
        }
    }
    shape.finish().ok()
}

/// Adds the namespace declarations among a start tag's attributes;
/// `None` for one XML forbids (undeclaring a prefix).
fn declare<'a>(
    scope: &mut Vec<Declared<'a>>,
    depth: usize,
    attributes_text: &'a str,
) -> Option<()> {
    for (name, uri) in attributes(attributes_text) {
        let prefix = match split_qname(name) {
            (None, "xmlns") => "",
            (Some("xmlns"), _) if uri.is_empty() => return None,
            (Some("xmlns"), "xml" | "xmlns") => return None,
            (Some("xmlns"), prefix) => prefix,
            _ => continue,
        };
        scope.push(Declared { depth, prefix, uri });
    }
    Some(())
}

/// Drops the declarations of the element at `depth`, now closed.
fn undeclare(scope: &mut Vec<Declared<'_>>, depth: usize) {
    while scope.last().is_some_and(|d| d.depth >= depth) {
        scope.pop();
    }
}

/// The URI bound to `prefix` (`""`: the default namespace): `Some(None)`
/// for no namespace, `None` for a prefix never declared.
fn resolve<'a>(scope: &[Declared<'a>], prefix: &str) -> Option<Option<&'a str>> {
    match scope.iter().rev().find(|d| d.prefix == prefix) {
        Some(declared) if declared.uri.is_empty() => Some(None),
        Some(declared) => Some(Some(declared.uri)),
        None if prefix.is_empty() => Some(None),
        None => None,
    }
}

/// Whether a header block must be understood by this receiver.
fn block_must_understand(scope: &[Declared<'_>], attributes_text: &str) -> bool {
    must_understand(attributes(attributes_text).filter_map(|(name, value)| {
        let (Some(prefix), local) = split_qname(name) else {
            return None;
        };
        let in_soap = resolve(scope, prefix) == Some(Some(super::SOAP11_ENVELOPE));
        understanding_mark(in_soap, local, value)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_call_and_the_blocks() {
        let text = concat!(
            r#"<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">"#,
            r#"<s:Header><h:Auth xmlns:h="urn:h" s:mustUnderstand="1">x</h:Auth><Trace/></s:Header>"#,
            r#"<s:Body><echo xmlns="urn:switchboard"><s>hi</s></echo></s:Body></s:Envelope>"#
        );
        let located = scan(text, None, 8).expect("plain");
        assert_eq!(located.method, "echo");
        assert_eq!(
            &text[located.body.clone()],
            r#"<echo xmlns="urn:switchboard"><s>hi</s></echo>"#
        );
        assert_eq!(located.blocks.len(), 2);
        assert_eq!(located.blocks[0].namespace.as_deref(), Some("urn:h"));
        assert!(located.blocks[0].must_understand);
        assert_eq!(&text[located.blocks[1].range.clone()], "<Trace/>");
        assert!(!located.blocks[1].must_understand);
    }

    #[test]
    fn leaves_what_it_cannot_settle() {
        for text in [
            // SOAP 1.2, an undeclared prefix, a foreign call namespace.
            r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><a/></e:Body></e:Envelope>"#,
            r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><x:a/></e:Body></e:Envelope>"#,
            r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><a xmlns="urn:other"/></e:Body></e:Envelope>"#,
            r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/">x<e:Body><a/></e:Body></e:Envelope>"#,
            r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body></e:Body></e:Envelope>"#,
        ] {
            let settings = SoapSettings::default();
            assert_eq!(scan(text, Some(&settings), 8), None, "{text}");
        }
    }
}
