//! Reading a SOAP 1.1 request's envelope in one streaming pass: where its
//! header blocks and its call are, which method the call names, and
//! whether the envelope is one this protocol answers at all.
//!
//! The pass reads the whole document, so a request that is not well-formed
//! XML anywhere (an unclosed tag after the call) is refused before anything
//! runs. Depth is checked at every start tag, before going deeper; a
//! DOCTYPE is refused where it appears.

use std::ops::Range;

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use smol_str::SmolStr;
use switchboard::{Fault, Limits, ProtocolError};

use crate::settings::SoapSettings;
use crate::xml::XmlError;
use crate::xml::tree::resolve;

/// The SOAP 1.1 envelope namespace.
pub const SOAP11_ENVELOPE: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The SOAP 1.2 envelope namespace (answered with `VersionMismatch`).
pub const SOAP12_ENVELOPE: &str = "http://www.w3.org/2003/05/soap-envelope";
/// The XML Schema instance namespace (`xsi:nil`).
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The actor a header block names when it is for whoever receives it first.
const ACTOR_NEXT: &str = "http://schemas.xmlsoap.org/soap/actor/next";

/// The SOAP 1.1 fault code for an envelope of another SOAP version.
pub const VERSION_MISMATCH: &str = "VersionMismatch";
/// The SOAP 1.1 fault code for a `mustUnderstand` header nobody understood.
pub const MUST_UNDERSTAND: &str = "MustUnderstand";

/// One header block as found in the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BlockInfo {
    /// Its namespace, if it has one.
    pub(crate) namespace: Option<String>,
    /// Its local name.
    pub(crate) name: SmolStr,
    /// Whether it is marked `mustUnderstand="1"` for this receiver.
    pub(crate) must_understand: bool,
    /// Its bytes, start tag to end tag.
    pub(crate) range: Range<usize>,
}

/// A request's envelope, located.
#[derive(Debug, Clone, Default)]
pub(crate) struct Located {
    /// The method's local name (the call element's name).
    pub(crate) method: SmolStr,
    /// The `soap:Header` element, if any.
    pub(crate) header: Option<Range<usize>>,
    /// The call element, start tag to end tag.
    pub(crate) body: Range<usize>,
    /// The header blocks, in order.
    pub(crate) blocks: Vec<BlockInfo>,
}

/// What reading an envelope gives: a call, or a SOAP fault to answer with.
#[derive(Debug)]
pub(crate) enum Scanned {
    /// A call to make.
    Call(Located),
    /// A fault of SOAP's own (`VersionMismatch`, `MustUnderstand`).
    Refused(Fault),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Outside,
    Envelope,
    Header,
    Body,
    Done,
}

/// Reads `text` as a SOAP 1.1 request; with `settings`, also checks the
/// call's namespace and that every `mustUnderstand` block is understood.
pub(crate) fn scan(
    text: &str,
    settings: Option<&SoapSettings>,
    limits: &Limits,
) -> Result<Scanned, ProtocolError> {
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut part = Part::Outside;
    let mut located = Located::default();
    let mut header_start = 0;
    let mut block: Option<BlockInfo> = None;
    let mut call_start = None;
    let mut call_found = false;
    loop {
        let before = position(&reader);
        let (ns, event) = reader.read_resolved_event().map_err(XmlError::syntax)?;
        let ns = match &event {
            Event::Start(_) | Event::Empty(_) => Ns::of(&ns, settings),
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
                let local = local_name(&start)?;
                match (part, depth) {
                    (Part::Outside, 1) => {
                        if let Some(refused) = check_envelope(&ns, &local)? {
                            return Ok(Scanned::Refused(refused));
                        }
                        part = Part::Envelope;
                    }
                    (Part::Done, 1) => {
                        return Err(XmlError::Syntax("more than one root element".into()).into());
                    }
                    (Part::Envelope, 2) => {
                        part = match (ns == Ns::Soap11, local.as_str()) {
                            (true, "Header") if located.header.is_none() && !call_found => {
                                header_start = before;
                                Part::Header
                            }
                            (true, "Body") if !call_found => Part::Body,
                            _ => {
                                return Err(invalid(format!(
                                    "unexpected element `{local}` in the envelope"
                                )));
                            }
                        };
                        if empty {
                            part = leave(part, &mut located, header_start, &reader);
                        }
                    }
                    (Part::Header, 3) => {
                        let info = BlockInfo {
                            namespace: ns.into_string(settings),
                            name: local,
                            must_understand: must_understand(&reader, &start)?,
                            range: before..before,
                        };
                        if empty {
                            let mut info = info;
                            info.range.end = position(&reader);
                            located.blocks.push(info);
                        } else {
                            block = Some(info);
                        }
                    }
                    (Part::Body, 3) => {
                        if call_found {
                            return Err(invalid("the body holds more than one call".to_owned()));
                        }
                        if let Some(settings) = settings {
                            check_call_namespace(&ns, settings)?;
                        }
                        call_found = true;
                        located.method = local;
                        if empty {
                            located.body = before..position(&reader);
                        } else {
                            call_start = Some(before);
                        }
                    }
                    _ => {}
                }
                if empty {
                    depth -= 1;
                }
            }
            Event::End(_) => {
                match (part, depth) {
                    (Part::Header, 3) => {
                        if let Some(mut info) = block.take() {
                            info.range.end = position(&reader);
                            located.blocks.push(info);
                        }
                    }
                    (Part::Body, 3) => {
                        if let Some(start) = call_start.take() {
                            located.body = start..position(&reader);
                        }
                    }
                    (Part::Header | Part::Body, 2) => {
                        part = leave(part, &mut located, header_start, &reader);
                    }
                    (Part::Envelope, 1) => part = Part::Done,
                    _ => {}
                }
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
    if part == Part::Outside {
        return Err(invalid("no SOAP envelope".to_owned()));
    }
    if !call_found {
        return Err(invalid("the SOAP body holds no call".to_owned()));
    }
    let not_understood = settings.and_then(|settings| {
        located
            .blocks
            .iter()
            .find(|b| b.must_understand && !settings.understands(b.namespace.as_deref(), &b.name))
    });
    if let Some(block) = not_understood {
        return Ok(Scanned::Refused(Fault::new(
            MUST_UNDERSTAND,
            format!("the header `{}` must be understood, and is not", block.name),
        )));
    }
    Ok(Scanned::Call(located))
}

/// Closes the header or the body.
fn leave(part: Part, located: &mut Located, header_start: usize, reader: &NsReader<&[u8]>) -> Part {
    if part == Part::Header {
        located.header = Some(header_start..position(reader));
    }
    Part::Envelope
}

fn position(reader: &NsReader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

/// An element's namespace, told apart without copying the common ones.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ns {
    Unbound,
    Soap11,
    Soap12,
    Target,
    Other(String),
}

impl Ns {
    fn of(ns: &ResolveResult<'_>, settings: Option<&SoapSettings>) -> Self {
        match ns {
            ResolveResult::Bound(Namespace(ns)) => match *ns {
                SOAP11_ENVELOPE => Self::Soap11,
                SOAP12_ENVELOPE => Self::Soap12,
                ns if settings.is_some_and(|s| s.namespace() == ns) => Self::Target,
                ns => Self::Other(ns.to_owned()),
            },
            _ => Self::Unbound,
        }
    }

    fn into_string(self, settings: Option<&SoapSettings>) -> Option<String> {
        match self {
            Self::Unbound => None,
            Self::Soap11 => Some(SOAP11_ENVELOPE.to_owned()),
            Self::Soap12 => Some(SOAP12_ENVELOPE.to_owned()),
            Self::Target => settings.map(|s| s.namespace().to_owned()),
            Self::Other(ns) => Some(ns),
        }
    }
}

fn local_name(start: &BytesStart<'_>) -> Result<SmolStr, XmlError> {
    Ok(SmolStr::new(start.local_name().into_inner()))
}

fn invalid(why: String) -> ProtocolError {
    ProtocolError::InvalidRequest(why)
}

/// `Ok(Some(fault))` for a SOAP 1.2 envelope, an error for no envelope.
fn check_envelope(ns: &Ns, local: &str) -> Result<Option<Fault>, ProtocolError> {
    match (ns, local) {
        (Ns::Soap11, "Envelope") => Ok(None),
        (Ns::Soap12, "Envelope") => Ok(Some(Fault::new(
            VERSION_MISMATCH,
            "this endpoint speaks SOAP 1.1 (envelope namespace http://schemas.xmlsoap.org/soap/envelope/)",
        ))),
        (_, "Envelope") => Err(invalid(
            "the envelope is not in the SOAP 1.1 namespace (http://schemas.xmlsoap.org/soap/envelope/)"
                .to_owned(),
        )),
        _ => Err(invalid("no SOAP envelope".to_owned())),
    }
}

/// The call element is in the target namespace, or in none.
fn check_call_namespace(ns: &Ns, settings: &SoapSettings) -> Result<(), ProtocolError> {
    match ns {
        Ns::Unbound | Ns::Target => Ok(()),
        other => Err(invalid(format!(
            "the call is in the namespace `{}`, not this service's `{}`",
            other
                .clone()
                .into_string(Some(settings))
                .unwrap_or_default(),
            settings.namespace()
        ))),
    }
}

/// Whether a header block must be understood by this receiver: marked
/// `soap:mustUnderstand="1"` and meant for the next actor (or no actor).
fn must_understand(reader: &NsReader<&[u8]>, start: &BytesStart<'_>) -> Result<bool, XmlError> {
    let mut marked = false;
    let mut for_us = true;
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|err| XmlError::Syntax(err.to_string().into()))?;
        let (ns, local) = reader.resolver().resolve_attribute(attribute.key);
        let in_soap = matches!(ns, ResolveResult::Bound(Namespace(ns)) if ns == SOAP11_ENVELOPE);
        if !in_soap {
            continue;
        }
        let value: &str = attribute.value.as_ref();
        match local.as_ref() {
            "mustUnderstand" => marked = matches!(value.trim(), "1" | "true"),
            "actor" => for_us = value.trim() == ACTOR_NEXT,
            _ => {}
        }
    }
    Ok(marked && for_us)
}

/// The method a request names: the local name of its body's first child,
/// found without reading the rest. For the reply's element names; `None`
/// if the request is not a SOAP call.
pub(crate) fn method_of(text: &str) -> Option<SmolStr> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    let mut in_body = false;
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) | Event::Empty(start) if in_body && depth == 2 => {
                return local_name(&start).ok();
            }
            Event::Start(start) => {
                depth += 1;
                in_body = depth == 2 && start.local_name().as_ref() == "Body";
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof | Event::DocType(_) => return None,
            _ => {}
        }
    }
}
