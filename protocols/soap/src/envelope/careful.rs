//! The careful pass: any XML, read with quick-xml's namespace-aware
//! reader, every refusal worded. It reads what the plain pass leaves.
//!
//! quick-xml reads several things XML 1.0 and Namespaces in XML 1.0 forbid
//! without a word (characters outside XML's, undeclared prefixes, a
//! declaration anywhere, malformed attribute lists): the checks of
//! [`wellformed`] and [`namespaces`] run on every event it gives, so that
//! this pass refuses all of it, whatever the plain pass did.

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
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
    let mut pass = Pass {
        max_depth: limits.max_depth,
        depth: 0,
        rooted: false,
        shape: Shape::new(settings),
        refused: None,
    };
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
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start) => {
                let opened = Opened {
                    ns: element_ns,
                    local: start.local_name().into_inner(),
                    depth: pass.depth + 1,
                    empty,
                    start: before,
                    end: position(&reader),
                };
                pass.start(&reader, &start, opened)?;
            }
            Event::End(_) => pass.end(position(&reader)),
            Event::Eof => break,
            other => pass.other(other, text, before)?,
        }
    }
    pass.finish()
}

/// Where the careful pass is.
struct Pass<'s> {
    max_depth: usize,
    /// How many elements are open.
    depth: usize,
    /// Whether the root element has started.
    rooted: bool,
    shape: Shape<'s>,
    /// SOAP's own refusal of the envelope, once made: the rest is read
    /// only to be sure it is well-formed.
    refused: Option<Fault>,
}

impl Pass<'_> {
    /// A start tag (or empty-element tag) whose name was checked.
    fn start(
        &mut self,
        reader: &NsReader<&[u8]>,
        start: &BytesStart<'_>,
        opened: Opened<'_>,
    ) -> Result<(), ProtocolError> {
        let attributes = wellformed::start_tag(start)?;
        namespaces::check_attributes(reader.resolver(), &attributes)?;
        if opened.depth > self.max_depth {
            let limit = self.max_depth;
            return Err(XmlError::TooDeep { limit }.into());
        }
        if opened.depth == 1 && std::mem::replace(&mut self.rooted, true) {
            return Err(XmlError::malformed("more than one root element").into());
        }
        let empty = opened.empty;
        self.depth += 1;
        if self.refused.is_none() {
            let marks = || Ok(block_must_understand(reader, &attributes));
            self.refused = self.shape.start(opened, marks)?;
        }
        if empty {
            self.depth -= 1;
        }
        Ok(())
    }

    /// An end tag, which quick-xml matched to its start tag.
    fn end(&mut self, end: usize) {
        if self.refused.is_none() {
            self.shape.end(self.depth, end);
        }
        self.depth = self.depth.saturating_sub(1);
    }

    /// Any other event, found at byte `at` of `text`.
    fn other(&mut self, event: Event<'_>, text: &str, at: usize) -> Result<(), ProtocolError> {
        // Text is only allowed inside a header block or the call (or
        // anywhere in an envelope already refused), white space aside.
        let depth = self.depth;
        let outside = depth == 0 || (self.refused.is_none() && depth < CONTENT_DEPTH);
        match event {
            Event::Text(content) => {
                wellformed::text(&content)?;
                if outside && !content.chars().all(is_space) {
                    return Err(XmlError::malformed("text outside the call").into());
                }
            }
            Event::GeneralRef(_) | Event::CData(_) if outside => {
                return Err(XmlError::malformed("a reference or CDATA outside the call").into());
            }
            Event::GeneralRef(reference) => {
                resolve(&reference, &mut [0; 4])?;
            }
            Event::Comment(comment) => wellformed::comment(&comment)?,
            Event::PI(pi) => wellformed::processing_instruction(&pi)?,
            Event::Decl(_) => wellformed::xml_declaration(text, at)?,
            Event::DocType(_) => return Err(XmlError::DocType.into()),
            Event::CData(_) | Event::Start(_) | Event::Empty(_) | Event::End(_) | Event::Eof => {}
        }
        Ok(())
    }

    /// The call, or SOAP's refusal, once the document has ended.
    fn finish(self) -> Result<Scanned, ProtocolError> {
        if self.depth > 0 {
            return Err(XmlError::malformed("the document ends inside an element").into());
        }
        match self.refused {
            Some(fault) => Ok(Scanned::Refused(fault)),
            None => self.shape.finish().map(Scanned::Call),
        }
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
