//! The careful pass: any XML, read with quick-xml's namespace-aware
//! reader, every refusal worded. It reads what the plain pass leaves.

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use switchboard::{Limits, ProtocolError};

use super::shape::{Opened, Shape};
use super::{Ns, Scanned, must_understand, understanding_mark};
use crate::settings::SoapSettings;
use crate::xml::XmlError;
use crate::xml::tree::resolve;

/// Reads `text` as a SOAP 1.1 request (understanding is checked by the
/// caller).
pub(super) fn scan(
    text: &str,
    settings: Option<&SoapSettings>,
    limits: &Limits,
) -> Result<Scanned, ProtocolError> {
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut shape = Shape::new(settings);
    loop {
        let before = position(&reader);
        let (ns, event) = reader.read_resolved_event().map_err(XmlError::syntax)?;
        let ns = match (&event, ns) {
            (Event::Start(_) | Event::Empty(_), ResolveResult::Bound(Namespace(uri))) => {
                Ns::of(Some(uri), settings)
            }
            _ => Ns::Unbound,
        };
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start) => {
                depth += 1;
                if depth > limits.max_depth {
                    return Err(XmlError::TooDeep {
                        limit: limits.max_depth,
                    }
                    .into());
                }
                let local: &str = start.local_name().into_inner();
                let opened = Opened {
                    ns,
                    local,
                    depth,
                    empty,
                    start: before,
                    end: position(&reader),
                };
                let refused = shape.start(opened, || block_must_understand(&reader, &start))?;
                if let Some(fault) = refused {
                    return Ok(Scanned::Refused(fault));
                }
                if empty {
                    depth -= 1;
                }
            }
            Event::End(_) => {
                shape.end(depth, position(&reader));
                depth = depth.saturating_sub(1);
            }
            Event::Text(text) => {
                if depth < 3 && !text.xml10_content().trim().is_empty() {
                    return Err(XmlError::Syntax("text outside the call".into()).into());
                }
            }
            Event::GeneralRef(reference) => {
                if depth < 3 {
                    return Err(XmlError::Syntax("a reference outside the call".into()).into());
                }
                resolve(&reference, &mut [0; 4])?;
            }
            Event::CData(_) if depth < 3 => {
                return Err(XmlError::Syntax("CDATA outside the call".into()).into());
            }
            Event::DocType(_) => return Err(XmlError::DocType.into()),
            Event::CData(_) | Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
            Event::Eof => break,
        }
    }
    if depth > 0 {
        return Err(XmlError::Syntax("the document ends inside an element".into()).into());
    }
    shape.finish().map(Scanned::Call)
}

fn position(reader: &NsReader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

/// Whether a header block must be understood by this receiver.
fn block_must_understand(
    reader: &NsReader<&[u8]>,
    start: &BytesStart<'_>,
) -> Result<bool, ProtocolError> {
    let mut marks = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|err| XmlError::Syntax(err.to_string().into()))?;
        let (ns, local) = reader.resolver().resolve_attribute(attribute.key);
        let in_soap =
            matches!(ns, ResolveResult::Bound(Namespace(ns)) if ns == super::SOAP11_ENVELOPE);
        let value: &str = attribute.value.as_ref();
        marks.extend(understanding_mark(in_soap, local.as_ref(), value));
    }
    Ok(must_understand(marks))
}
