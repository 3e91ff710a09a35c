//! [`Soap`]: the SOAP 1.1 protocol's server side (requests in, replies
//! out). The client side is in [`client`](crate::client).

use std::sync::Arc;

use switchboard::protocol::{
    Envelope, InDocument, InProtocol, OutDocument, OutProtocol, ProtocolError, Replies, calls,
    same_media_type,
};
use switchboard::{
    Args, Fault, IncomingCall, Limits, MethodContext, MethodDescriptor, RequestInfo, code,
};

use crate::envelope::{Scanned, VERSION_MISMATCH, scan};
use crate::reply;
use crate::settings::SoapSettings;
use crate::value::ValueError;
use crate::value::de::ElementDe;
use crate::xml::encoding;
use crate::xml::tree::Element;

/// The media type of SOAP 1.1 messages.
pub const CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// The media type of SOAP 1.2 messages: read only to answer them with a
/// version mismatch.
const SOAP12_CONTENT_TYPE: &str = "application/soap+xml";

/// SOAP 1.1, document/literal wrapped; one value serves as in, out and
/// client protocol. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Soap {
    settings: Arc<SoapSettings>,
    /// Every envelope's opening, up to its body, written once.
    envelope_start: Arc<[u8]>,
}

impl Default for Soap {
    fn default() -> Self {
        Self::with_settings(SoapSettings::default())
    }
}

impl Soap {
    /// The protocol with the default settings (target namespace
    /// [`DEFAULT_NAMESPACE`](crate::DEFAULT_NAMESPACE)).
    pub fn new() -> Self {
        Self::default()
    }

    /// The protocol with `settings`.
    pub fn with_settings(settings: SoapSettings) -> Self {
        let mut envelope_start = Vec::new();
        reply::begin(&mut envelope_start, settings.namespace());
        Self {
            settings: Arc::new(settings),
            envelope_start: envelope_start.into(),
        }
    }

    /// A buffer holding the envelope's opening, with room for a short body.
    pub(crate) fn start_envelope(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.envelope_start.len() + 512);
        out.extend_from_slice(&self.envelope_start);
        out
    }

    /// [`start_envelope`](Self::start_envelope) for a reply carrying
    /// `fault`: a version mismatch also gets SOAP 1.2's upgrade header,
    /// which tells a SOAP 1.2 client the envelope to send instead.
    fn start_fault_envelope(&self, fault: &Fault) -> Vec<u8> {
        if fault.code() != VERSION_MISMATCH {
            return self.start_envelope();
        }
        let mut out = Vec::with_capacity(self.envelope_start.len() + 768);
        let opening = self
            .envelope_start
            .len()
            .saturating_sub(reply::BODY_OPEN.len());
        out.extend_from_slice(self.envelope_start.get(..opening).unwrap_or_default());
        reply::upgrade_header(&mut out);
        out.extend_from_slice(reply::BODY_OPEN);
        out
    }

    /// Its settings.
    pub fn settings(&self) -> &SoapSettings {
        &self.settings
    }
}

/// The request as text: XML here is UTF-8 only (see
/// [`encoding`]).
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, ProtocolError> {
    Ok(encoding::text(bytes)?)
}

impl InProtocol for Soap {
    fn name(&self) -> &'static str {
        "soap"
    }

    fn content_type(&self) -> &'static str {
        CONTENT_TYPE
    }

    /// SOAP 1.1's `text/xml`, and SOAP 1.2's `application/soap+xml`: a SOAP
    /// 1.2 request is read far enough to answer it with SOAP 1.1's version
    /// mismatch, which names the envelope to send instead.
    fn reads_media_type(&self, content_type: &str) -> bool {
        same_media_type(content_type, CONTENT_TYPE)
            || same_media_type(content_type, SOAP12_CONTENT_TYPE)
    }

    fn create_in_document(
        &self,
        request: &RequestInfo,
        limits: &Limits,
    ) -> Result<InDocument, ProtocolError> {
        let text = utf8(&request.in_bytes)?;
        Ok(InDocument::new(scan(text, Some(&self.settings), limits)?))
    }

    fn decompose_incoming_envelope(
        &self,
        _request: &RequestInfo,
        doc: InDocument,
        _limits: &Limits,
    ) -> Result<Envelope, ProtocolError> {
        let call = match doc.downcast::<Scanned>()? {
            Scanned::Call(located) if !served_over_soap(&located.method) => Err(Fault::new(
                code::UNKNOWN_METHOD,
                format!(
                    "`{}` is a JSON-RPC system method; SOAP does not serve it",
                    located.method
                ),
            )),
            Scanned::Call(located) => Ok(IncomingCall {
                method: located.method,
                header: located.header,
                body: Some(located.body),
                id: None,
                expects_reply: true,
                caller: None,
            }),
            Scanned::Refused(fault) => Err(fault),
        };
        Ok(Envelope {
            calls: calls![call],
            batch: false,
        })
    }

    fn deserialize(
        &self,
        ctx: &MethodContext,
        method: &MethodDescriptor,
    ) -> Result<Args, ProtocolError> {
        let body = utf8(ctx.in_body().unwrap_or_default())?;
        let root = Element::parse(body, ctx.app().limits().max_depth)?;
        let mut erased = <dyn erased_serde::Deserializer<'_>>::erase(ElementDe(&root));
        (method.deserialize)(&mut erased)
            .map_err(|err| ProtocolError::InvalidParams(err.to_string()))
    }
}

impl OutProtocol for Soap {
    fn name(&self) -> &'static str {
        "soap"
    }

    fn content_type(&self) -> &'static str {
        CONTENT_TYPE
    }

    fn faults_fail_uniformly(&self) -> bool {
        true
    }

    fn empty_reply_is_acceptance(&self) -> bool {
        true
    }

    fn serialize(
        &self,
        _request: &RequestInfo,
        replies: Replies,
    ) -> Result<OutDocument, ProtocolError> {
        let Some(outcome) = replies.outcomes.iter().find(|o| o.expects_reply) else {
            return Ok(OutDocument::bytes(None));
        };
        // A one-way operation that went well has no output message: its
        // acknowledgement is an empty reply (WS-I Basic Profile R2714).
        // Its faults are still sent.
        let one_way = outcome.method.is_some_and(|method| method.one_way);
        if one_way && outcome.result.is_ok() {
            return Ok(OutDocument::bytes(None));
        }
        let mut out = match &outcome.result {
            Ok(_) => self.start_envelope(),
            Err(fault) => self.start_fault_envelope(fault),
        };
        match &outcome.result {
            Ok(value) => {
                let method = outcome.method.map_or("", |method| method.name);
                // A result XML cannot carry (a string holding U+0001) makes
                // the whole reply fail: the driver then answers a `Server`
                // fault, and reports it, so HTTP sends it with 500 like
                // every SOAP fault.
                reply::response(&mut out, method, value.value()).map_err(|err| {
                    let why = format!("the result of `{method}` cannot be written as XML: {err}");
                    ProtocolError::Encode(Box::new(ValueError::new(why)))
                })?;
            }
            Err(fault) => reply::fault(&mut out, fault),
        }
        reply::end(&mut out);
        Ok(OutDocument::bytes(Some(out)))
    }

    fn create_out_string(&self, doc: OutDocument) -> Result<Option<Vec<u8>>, ProtocolError> {
        doc.into_bytes()
    }
}

/// Whether SOAP serves (and the WSDL describes) the method of this name:
/// every method but JSON-RPC's system extensions, whose names start with
/// `rpc.` (`rpc.discover`), which answer in JSON-RPC's own terms.
pub(crate) fn served_over_soap(method: &str) -> bool {
    !method.starts_with("rpc.")
}
