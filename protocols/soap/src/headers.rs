//! The request's SOAP header blocks, for the methods that read them.
//!
//! A method takes `ctx: &MethodContext` and calls [`header_blocks`]; the
//! blocks it must understand are declared in
//! [`SoapSettings::with_understood_header`](crate::SoapSettings::with_understood_header),
//! so that a `mustUnderstand="1"` block nobody declared is refused before
//! any method runs.

use serde::de::DeserializeOwned;
use switchboard::{Fault, MethodContext, ProtocolError};

use crate::envelope::{Scanned, scan};
use crate::protocol::utf8;
use crate::value::de::ElementDe;
use crate::xml::tree::Element;

/// One header block of a SOAP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderBlock {
    namespace: Option<String>,
    name: String,
    must_understand: bool,
    xml: String,
    max_depth: usize,
}

impl HeaderBlock {
    /// The block's namespace, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The block's local name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the caller marked it `mustUnderstand="1"` for this receiver.
    pub fn must_understand(&self) -> bool {
        self.must_understand
    }

    /// The block's markup as sent, start tag to end tag.
    pub fn xml(&self) -> &str {
        &self.xml
    }

    /// The block's content read as `T`, by the same rules as parameters
    /// (text for a scalar, child elements for a struct).
    ///
    /// # Errors
    /// A `Client.InvalidParams` fault if the block does not fit `T`.
    pub fn value<T: DeserializeOwned>(&self) -> Result<T, Fault> {
        let element = Element::parse(&self.xml, self.max_depth).map_err(ProtocolError::from)?;
        T::deserialize(ElementDe(&element)).map_err(|err| {
            ProtocolError::InvalidParams(format!("header `{}`: {err}", self.name)).into()
        })
    }
}

/// The header blocks of the SOAP request `ctx` belongs to, in order; none
/// when the request has no header (or is not a SOAP request).
///
/// # Errors
/// A client fault if the request is not a SOAP request after all (a method
/// served over SOAP never sees one).
pub fn header_blocks(ctx: &MethodContext) -> Result<Vec<HeaderBlock>, Fault> {
    if ctx.in_header().is_none() {
        return Ok(Vec::new());
    }
    let text = utf8(ctx.in_bytes())?;
    let limits = ctx.app().limits();
    // Understanding was checked before the call: read every block here.
    let located = match scan(text, None, limits)? {
        Scanned::Call(located) => located,
        Scanned::Refused(fault) => return Err(fault),
    };
    Ok(located
        .blocks
        .into_iter()
        .map(|block| HeaderBlock {
            namespace: block.namespace,
            name: block.name.to_string(),
            must_understand: block.must_understand,
            xml: text.get(block.range).unwrap_or_default().to_owned(),
            max_depth: limits.max_depth,
        })
        .collect())
}
