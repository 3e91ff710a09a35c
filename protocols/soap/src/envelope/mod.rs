//! Reading a SOAP 1.1 request's envelope in one streaming pass: where its
//! header blocks and its call are, which method the call names, and
//! whether the envelope is one this protocol answers at all.
//!
//! The pass reads the whole document, so a request that is not well-formed
//! XML anywhere (an unclosed tag after the call) is refused before anything
//! runs. Depth is checked at every start tag, before going deeper; a
//! DOCTYPE is refused where it appears.
//!
//! Two passes feed the same [`Shape`](shape::Shape): the [`plain`] one, over the lexer
//! for plain XML, which answers the usual request; and the [`careful`] one,
//! over quick-xml's namespace-aware reader, which reads whatever the plain
//! one leaves (comments, a DOCTYPE, SOAP 1.2, any error) and words every
//! refusal. Each is strict on its own, as XML 1.0 and Namespaces in XML
//! 1.0 are: `strictness.rs` runs a corpus of documents that are not
//! well-formed through each and checks that the plain pass leaves every one
//! and the careful pass refuses it.

mod careful;
#[cfg(test)]
mod differential;
mod plain;
mod shape;
#[cfg(test)]
mod strictness;

use std::ops::Range;

use smol_str::SmolStr;
use switchboard::{Fault, Limits, ProtocolError};

use crate::settings::SoapSettings;
use crate::xml::encoding::without_bom;

/// The SOAP 1.1 envelope namespace.
pub const SOAP11_ENVELOPE: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The SOAP 1.2 envelope namespace (answered with `VersionMismatch`, like
/// every envelope outside [`SOAP11_ENVELOPE`]; also the namespace of the
/// `Upgrade` header block that names the envelope to send instead).
pub const SOAP12_ENVELOPE: &str = "http://www.w3.org/2003/05/soap-envelope";
/// The XML Schema instance namespace (`xsi:nil`).
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The actor a header block names when it is for whoever receives it first.
const ACTOR_NEXT: &str = "http://schemas.xmlsoap.org/soap/actor/next";

/// The SOAP 1.1 fault code for an envelope in another namespace than
/// [`SOAP11_ENVELOPE`], or in none (SOAP 1.1 §4.4.1).
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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

impl Located {
    /// The same places, `by` bytes further on.
    fn shifted(mut self, by: usize) -> Self {
        if by > 0 {
            let shift = |range: &mut Range<usize>| *range = range.start + by..range.end + by;
            if let Some(header) = &mut self.header {
                shift(header);
            }
            shift(&mut self.body);
            self.blocks
                .iter_mut()
                .for_each(|block| shift(&mut block.range));
        }
        self
    }
}

/// What reading an envelope gives: a call, or a SOAP fault to answer with.
#[derive(Debug, PartialEq)]
pub(crate) enum Scanned {
    /// A call to make.
    Call(Located),
    /// A fault of SOAP's own (`VersionMismatch`, `MustUnderstand`).
    Refused(Fault),
}

/// Reads `text` as a SOAP 1.1 request; with `settings`, also checks the
/// call's namespace and that every `mustUnderstand` block is understood.
/// Ranges count from the start of `text`, byte order mark included.
pub(crate) fn scan(
    text: &str,
    settings: Option<&SoapSettings>,
    limits: &Limits,
) -> Result<Scanned, ProtocolError> {
    // The mark is no part of the document: the declaration, if any, comes
    // right after it.
    let (offset, document) = without_bom(text);
    let located = match plain::scan(document, settings, limits.max_depth) {
        Some(located) => located,
        None => match careful::scan(document, settings, limits)? {
            Scanned::Call(located) => located,
            refused @ Scanned::Refused(_) => return Ok(refused),
        },
    };
    Ok(understood(located.shifted(offset), settings))
}

/// The call, unless a `mustUnderstand` block is one `settings` does not
/// understand.
fn understood(located: Located, settings: Option<&SoapSettings>) -> Scanned {
    let not_understood = settings.and_then(|settings| {
        located
            .blocks
            .iter()
            .find(|b| b.must_understand && !settings.understands(b.namespace.as_deref(), &b.name))
    });
    match not_understood {
        Some(block) => Scanned::Refused(Fault::new(
            MUST_UNDERSTAND,
            format!("the header `{}` must be understood, and is not", block.name),
        )),
        None => Scanned::Call(located),
    }
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
    /// The namespace `uri` (`None`: the element has none).
    fn of(uri: Option<&str>, settings: Option<&SoapSettings>) -> Self {
        match uri {
            Some(SOAP11_ENVELOPE) => Self::Soap11,
            Some(SOAP12_ENVELOPE) => Self::Soap12,
            Some(uri) if settings.is_some_and(|s| s.namespace() == uri) => Self::Target,
            Some(uri) => Self::Other(uri.to_owned()),
            None => Self::Unbound,
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

/// What a header block's attribute (whether it is in the SOAP envelope
/// namespace, its local name and value) says about understanding the
/// block: a mark for `soap:mustUnderstand` and `soap:actor`, `None` for any
/// other attribute.
fn understanding_mark(in_soap: bool, local: &str, value: &str) -> Option<Mark> {
    if !in_soap {
        return None;
    }
    match local {
        "mustUnderstand" => Some(Mark::Marked(matches!(value.trim(), "1" | "true"))),
        "actor" => Some(Mark::ForUs(value.trim() == ACTOR_NEXT)),
        _ => None,
    }
}

/// What one attribute says about understanding a header block.
#[derive(Debug, Clone, Copy)]
enum Mark {
    /// `mustUnderstand`: whether it is set.
    Marked(bool),
    /// `actor`: whether it names this receiver.
    ForUs(bool),
}

/// Whether the marks of a block's attributes, in order, ask this receiver
/// to understand it: marked, and meant for the next actor (or no actor).
fn must_understand(marks: impl IntoIterator<Item = Mark>) -> bool {
    let (mut marked, mut for_us) = (false, true);
    for mark in marks {
        match mark {
            Mark::Marked(set) => marked = set,
            Mark::ForUs(ours) => for_us = ours,
        }
    }
    marked && for_us
}
