//! The careful pass: any XML, read with quick-xml's namespace-aware
//! reader, every refusal worded. It reads what the plain pass leaves.
//!
//! quick-xml reads several things XML 1.0 and Namespaces in XML 1.0 forbid
//! without a word (characters outside XML's, undeclared prefixes, a
//! declaration anywhere, malformed attribute lists): the checks of
//! [`wellformed`] and [`namespaces`] run on every event it gives, so that
//! this pass refuses all of it, whatever the plain pass did.

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::{Namespace, QName, ResolveResult};
use switchboard::{Fault, Limits, ProtocolError};

use super::shape::{Opened, Shape};
use super::{Ns, Scanned, must_understand, understanding_mark};
use crate::settings::SoapSettings;
use crate::xml::chars::{self, is_space};
use crate::xml::tree::resolve;
use crate::xml::wellformed::{self, Attribute};
use crate::xml::{XmlError, namespaces};

/// The depth of a header block or of the call: text is allowed from here.
const CONTENT_DEPTH: usize = 3;

/// Reads `text` as a SOAP 1.1 request (understanding is checked by the
/// caller). The whole text is read even when the envelope is refused
/// (`VersionMismatch`): a document that is not well-formed gets a client
/// fault whatever its envelope.
pub(super) fn scan(
    text: &str,
    settings: Option<&SoapSettings>,
    limits: &Limits,
) -> Result<Scanned, ProtocolError> {
    chars::check(text)?;
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut rooted = false;
    let mut shape = Shape::new(settings);
    let mut refused: Option<Fault> = None;
    loop {
        let before = position(&reader);
        let (ns, event) = reader.read_resolved_event().map_err(XmlError::syntax)?;
        // Resolved names borrow the reader: taken apart at once.
        let element_ns = match (&event, ns) {
            (Event::Start(start) | Event::Empty(start), ns) => {
                wellformed::element_name(start)?;
                namespaces::check_element(&ns)?;
                element_ns(ns, settings)
            }
            _ => Ns::Unbound,
        };
        // Text is only allowed inside a header block or the call (or
        // anywhere in an envelope already refused), white space aside.
        let outside = depth == 0 || (refused.is_none() && depth < CONTENT_DEPTH);
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start) => {
                let attributes = wellformed::start_tag(&start)?;
                namespaces::check_attributes(reader.resolver(), &attributes)?;
                depth += 1;
                if depth > limits.max_depth {
                    return Err(XmlError::TooDeep {
                        limit: limits.max_depth,
                    }
                    .into());
                }
                if depth == 1 && std::mem::replace(&mut rooted, true) {
                    return Err(XmlError::malformed("more than one root element").into());
                }
                if refused.is_none() {
                    let opened = Opened {
                        ns: element_ns,
                        local: start.local_name().into_inner(),
                        depth,
                        empty,
                        start: before,
                        end: position(&reader),
                    };
                    let marks = || Ok(block_must_understand(&reader, &attributes));
                    refused = shape.start(opened, marks)?;
                }
                if empty {
                    depth -= 1;
                }
            }
            Event::End(_) => {
                if refused.is_none() {
                    shape.end(depth, position(&reader));
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(text) => {
                wellformed::text(&text)?;
                if outside && !text.chars().all(is_space) {
                    return Err(XmlError::malformed("text outside the call").into());
                }
            }
            Event::GeneralRef(reference) => {
                if outside {
                    return Err(XmlError::malformed("a reference outside the call").into());
                }
                resolve(&reference, &mut [0; 4])?;
            }
            Event::CData(_) if outside => {
                return Err(XmlError::malformed("CDATA outside the call").into());
            }
            Event::CData(_) => {}
            Event::Comment(comment) => wellformed::comment(&comment)?,
            Event::PI(pi) => wellformed::processing_instruction(&pi)?,
            Event::Decl(_) => wellformed::xml_declaration(text, before)?,
            Event::DocType(_) => return Err(XmlError::DocType.into()),
            Event::Eof => break,
        }
    }
    if depth > 0 {
        return Err(XmlError::malformed("the document ends inside an element").into());
    }
    match refused {
        Some(fault) => Ok(Scanned::Refused(fault)),
        None => shape.finish().map(Scanned::Call),
    }
}

fn position(reader: &NsReader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

/// An element's namespace, as quick-xml resolved it (an undeclared prefix
/// was refused before).
fn element_ns(ns: ResolveResult<'_>, settings: Option<&SoapSettings>) -> Ns {
    match ns {
        ResolveResult::Bound(Namespace(uri)) => Ns::of(Some(uri), settings),
        ResolveResult::Unbound | ResolveResult::Unknown(_) => Ns::Unbound,
    }
}

/// Whether a header block must be understood by this receiver.
fn block_must_understand(reader: &NsReader<&[u8]>, attributes: &[Attribute<'_>]) -> bool {
    must_understand(attributes.iter().filter_map(|(name, value)| {
        let (ns, local) = reader.resolver().resolve_attribute(QName(name));
        let in_soap =
            matches!(ns, ResolveResult::Bound(Namespace(ns)) if ns == super::SOAP11_ENVELOPE);
        understanding_mark(in_soap, local.into_inner(), value)
    }))
}
