//! The envelope's structure, fed element by element by either pass: the
//! envelope, an optional header of blocks, a body of one call; and the
//! refusals of a request that has another shape.

use smol_str::SmolStr;
use switchboard::{Fault, ProtocolError};

use super::{BlockInfo, Located, Ns, SOAP11_ENVELOPE, VERSION_MISMATCH};
use crate::settings::SoapSettings;
use crate::xml::XmlError;

/// Where the pass is in the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    Outside,
    Envelope,
    Header,
    Body,
    Done,
}

/// A start tag as the shape sees it.
#[derive(Debug)]
pub(super) struct Opened<'s> {
    /// Its namespace.
    pub(super) ns: Ns,
    /// Its local name.
    pub(super) local: &'s str,
    /// 1 for the envelope.
    pub(super) depth: usize,
    /// Whether it is an empty-element tag (no end tag follows).
    pub(super) empty: bool,
    /// Where its `<` is.
    pub(super) start: usize,
    /// Just after its `>`.
    pub(super) end: usize,
}

/// The envelope's structure, fed element by element by either pass: the
/// envelope, an optional header of blocks, a body of one call.
#[derive(Debug)]
pub(super) struct Shape<'a> {
    settings: Option<&'a SoapSettings>,
    part: Part,
    located: Located,
    header_start: usize,
    block: Option<BlockInfo>,
    call_start: Option<usize>,
    call_found: bool,
}

impl<'a> Shape<'a> {
    pub(super) fn new(settings: Option<&'a SoapSettings>) -> Self {
        Self {
            settings,
            part: Part::Outside,
            located: Located::default(),
            header_start: 0,
            block: None,
            call_start: None,
            call_found: false,
        }
    }

    /// A start tag; `must_understand` reads a header block's attributes.
    /// `Ok(Some(fault))`: the request is refused with SOAP's own fault.
    pub(super) fn start(
        &mut self,
        element: Opened<'_>,
        must_understand: impl FnOnce() -> Result<bool, ProtocolError>,
    ) -> Result<Option<Fault>, ProtocolError> {
        let Opened {
            ns,
            local,
            depth,
            empty,
            start,
            end,
        } = element;
        match (self.part, depth) {
            (Part::Outside, 1) => {
                if let Some(refused) = check_envelope(&ns, local)? {
                    return Ok(Some(refused));
                }
                self.part = Part::Envelope;
            }
            (Part::Done, 1) => {
                return Err(XmlError::malformed("more than one root element").into());
            }
            (Part::Envelope, 2) => {
                self.part = match (ns == Ns::Soap11, local) {
                    (true, "Header") if self.located.header.is_none() && !self.call_found => {
                        self.header_start = start;
                        Part::Header
                    }
                    (true, "Body") if !self.call_found => Part::Body,
                    _ => {
                        return Err(invalid(format!(
                            "unexpected element `{local}` in the envelope"
                        )));
                    }
                };
                if empty {
                    self.leave(end);
                }
            }
            (Part::Header, 3) => {
                let info = BlockInfo {
                    namespace: ns.into_string(self.settings),
                    name: SmolStr::new(local),
                    must_understand: must_understand()?,
                    range: start..end,
                };
                if empty {
                    self.located.blocks.push(info);
                } else {
                    self.block = Some(info);
                }
            }
            (Part::Body, 3) => {
                if self.call_found {
                    return Err(invalid("the body holds more than one call".to_owned()));
                }
                if let Some(settings) = self.settings {
                    check_call_namespace(&ns, settings)?;
                }
                self.call_found = true;
                self.located.method = SmolStr::new(local);
                if empty {
                    self.located.body = start..end;
                } else {
                    self.call_start = Some(start);
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// An end tag at `depth` (1 for the envelope), whose `>` ends at `end`.
    pub(super) fn end(&mut self, depth: usize, end: usize) {
        match (self.part, depth) {
            (Part::Header, 3) => {
                if let Some(mut info) = self.block.take() {
                    info.range.end = end;
                    self.located.blocks.push(info);
                }
            }
            (Part::Body, 3) => {
                if let Some(start) = self.call_start.take() {
                    self.located.body = start..end;
                }
            }
            (Part::Header | Part::Body, 2) => self.leave(end),
            (Part::Envelope, 1) => self.part = Part::Done,
            _ => {}
        }
    }

    /// Closes the header or the body.
    fn leave(&mut self, end: usize) {
        if self.part == Part::Header {
            self.located.header = Some(self.header_start..end);
        }
        self.part = Part::Envelope;
    }

    /// The call, once the document has ended well-formed.
    pub(super) fn finish(self) -> Result<Located, ProtocolError> {
        if self.part == Part::Outside {
            return Err(invalid("no SOAP envelope".to_owned()));
        }
        if !self.call_found {
            return Err(invalid("the SOAP body holds no call".to_owned()));
        }
        Ok(self.located)
    }
}

fn invalid(why: String) -> ProtocolError {
    ProtocolError::InvalidRequest(why)
}

/// `Ok(Some(fault))` for an envelope in another namespace than SOAP
/// 1.1's, or in none: SOAP 1.1 §4.4.1 answers it with `VersionMismatch`
/// (a SOAP 1.2 client also learns which envelope to send, from the
/// reply's upgrade header). An error for a root that is no envelope.
fn check_envelope(ns: &Ns, local: &str) -> Result<Option<Fault>, ProtocolError> {
    let why = match (ns, local) {
        (Ns::Soap11, "Envelope") => return Ok(None),
        (Ns::Soap12, "Envelope") => "this endpoint speaks SOAP 1.1, not SOAP 1.2",
        (_, "Envelope") => "the envelope is not in SOAP 1.1's namespace",
        _ => return Err(invalid("no SOAP envelope".to_owned())),
    };
    Ok(Some(Fault::new(
        VERSION_MISMATCH,
        format!("{why} (envelope namespace {SOAP11_ENVELOPE})"),
    )))
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
