//! The plain pass: the usual request, read with the lexer for plain XML.
//! Every prefix of every element and attribute must be declared in scope
//! (Namespaces in XML 1.0), at any depth; the namespaces themselves matter
//! only for the envelope, its header and body, the header blocks and the
//! call. Anything it cannot settle, a refusal included, it leaves to the
//! careful pass.

use super::shape::{Opened, Shape};
use super::{Located, Ns, must_understand, understanding_mark};
use crate::settings::SoapSettings;
use crate::xml::lexer::{Lexer, Token, attributes, split_qname};
use crate::xml::namespaces::Scope;

/// The deepest element whose namespace matters: a header block or the call.
const RESOLVED_DEPTH: usize = 3;

/// Reads `text` as a SOAP 1.1 request, or leaves it (`None`) to the
/// careful pass.
pub(super) fn scan(
    text: &str,
    settings: Option<&SoapSettings>,
    max_depth: usize,
) -> Option<Located> {
    let mut lexer = Lexer::new(text, max_depth);
    let mut shape = Shape::new(settings);
    let mut scope = Scope::new();
    while let Some(token) = lexer.next_token().ok()? {
        match token {
            Token::Start(tag) => {
                scope.enter(tag.depth, tag.attributes)?;
                let (prefix, local) = split_qname(tag.name);
                let uri = scope.resolve(prefix.unwrap_or(""))?;
                if tag.depth <= RESOLVED_DEPTH {
                    let opened = Opened {
                        ns: Ns::of(uri, settings),
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
                }
                if tag.empty {
                    scope.leave(tag.depth);
                }
            }
            Token::End { depth, end } => {
                shape.end(depth, end);
                scope.leave(depth);
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

/// Whether a header block must be understood by this receiver.
fn block_must_understand(scope: &Scope<'_>, attributes_text: &str) -> bool {
    must_understand(attributes(attributes_text).filter_map(|(name, value)| {
        let (Some(prefix), local) = split_qname(name) else {
            return None;
        };
        let in_soap = scope.resolve(prefix) == Some(Some(super::SOAP11_ENVELOPE));
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
            // Undeclared prefixes deeper down, on an element or an attribute.
            r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><a><x:b/></a></e:Body></e:Envelope>"#,
            r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><a><b x:c="1"/></a></e:Body></e:Envelope>"#,
            // A version mismatch: the careful pass reads on before answering it.
            r#"<Envelope><Body><a/></Body></Envelope>"#,
        ] {
            let settings = SoapSettings::default();
            assert_eq!(scan(text, Some(&settings), 8), None, "{text}");
        }
    }
}
