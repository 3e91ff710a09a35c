//! [`Postage`]: the in, out and client protocol.

use std::sync::{Arc, OnceLock};

use switchboard::protocol::{
    ClientProtocol, Envelope, InDocument, InProtocol, OutDocument, OutProtocol, OutgoingCall,
    ProtocolError, Replies, ReplySink, calls,
};
use switchboard::{Args, Fault, Fingerprint, Limits, MethodContext, MethodDescriptor, RequestInfo};

use crate::text::{self, first_significant};
use crate::{client, request, response};

/// The media type of Postage messages (its `JsonEncoder`'s).
pub const MEDIA_TYPE: &str = "application/json";

/// Postage's message dictionary: reads `command` messages, answers `rpc`
/// ones with a `result` message, and sends commands as a client. One value
/// serves as in, out and client protocol.
///
/// With a fingerprint ([`with_fingerprint`](Self::with_fingerprint)),
/// results and commands carry it; without, results carry `{}` (as
/// Postage's own consumers answer) and commands a bare fingerprint of
/// this process (named after its executable, type `application`), as a
/// Postage producer made without one does.
#[derive(Debug, Clone)]
pub struct Postage {
    /// The fingerprint commands carry (JSON), if set.
    fingerprint: Option<Arc<str>>,
    /// A result's envelope up to `"content":`.
    result_head: Arc<str>,
}

impl Default for Postage {
    fn default() -> Self {
        Self::new()
    }
}

impl Postage {
    /// The protocol, with no fingerprint of its own.
    pub fn new() -> Self {
        Self {
            fingerprint: None,
            result_head: response::head("{}").into(),
        }
    }

    /// The protocol speaking for `fingerprint`: results and commands carry
    /// it.
    #[must_use]
    pub fn with_fingerprint(mut self, fingerprint: &Fingerprint) -> Self {
        let json = fingerprint.to_json();
        self.result_head = response::head(&json).into();
        self.fingerprint = Some(json.into());
        self
    }

    /// The fingerprint's JSON as commands carry it.
    fn sender(&self) -> &str {
        static BARE: OnceLock<String> = OnceLock::new();
        match &self.fingerprint {
            Some(json) => json,
            None => BARE.get_or_init(|| bare_fingerprint().to_json()),
        }
    }
}

/// This process as Postage's `Fingerprint()` sees a program that gave no
/// name: named after its executable.
fn bare_fingerprint() -> Fingerprint {
    let name = std::env::current_exe()
        .ok()
        .and_then(|path| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "None".to_owned());
    Fingerprint::new(name, "application", "")
}

impl InProtocol for Postage {
    fn name(&self) -> &'static str {
        "postage"
    }

    fn content_type(&self) -> &'static str {
        MEDIA_TYPE
    }

    fn create_in_document(
        &self,
        request: &RequestInfo,
        limits: &Limits,
    ) -> Result<InDocument, ProtocolError> {
        text::check_depth(&request.in_bytes, limits.max_depth)?;
        Ok(InDocument::new(()))
    }

    fn decompose_incoming_envelope(
        &self,
        request: &RequestInfo,
        doc: InDocument,
        _limits: &Limits,
    ) -> Result<Envelope, ProtocolError> {
        doc.downcast::<()>()?;
        // Postage messages always name their command: a method the
        // transport names (`RequestInfo::method`) is not read.
        let call = request::command(text::utf8(&request.in_bytes)?)?;
        Ok(Envelope {
            calls: calls![Ok(call)],
            batch: false,
        })
    }

    fn deserialize(
        &self,
        ctx: &MethodContext,
        method: &MethodDescriptor,
    ) -> Result<Args, ProtocolError> {
        let decoded = match self.json_params(ctx) {
            Some(json) => (method.deserialize_json)(json),
            None => {
                // One value that is no object or array (Postage's
                // `message_echo("text")`): the one positional argument.
                let value = ctx.in_body().unwrap_or_default();
                let mut one = Vec::with_capacity(value.len() + 2);
                one.push(b'[');
                one.extend_from_slice(value);
                one.push(b']');
                (method.deserialize_json)(&one)
            }
        };
        decoded.map_err(|err| ProtocolError::InvalidParams(err.to_string()))
    }

    fn json_params<'c>(&self, ctx: &'c MethodContext) -> Option<&'c [u8]> {
        match ctx.in_body() {
            None => Some(b"{}"),
            Some(body) if matches!(first_significant(body), Some(b'{' | b'[')) => Some(body),
            Some(_) => None,
        }
    }
}

impl OutProtocol for Postage {
    fn name(&self) -> &'static str {
        "postage"
    }

    fn content_type(&self) -> &'static str {
        MEDIA_TYPE
    }

    fn serialize(
        &self,
        _request: &RequestInfo,
        replies: Replies,
    ) -> Result<OutDocument, ProtocolError> {
        // Postage has no batches: one command, one result at most.
        let Some(outcome) = replies.outcomes.iter().find(|o| o.expects_reply) else {
            return Ok(OutDocument::bytes(None));
        };
        let mut out = Vec::with_capacity(self.result_head.len() + 96);
        out.extend_from_slice(self.result_head.as_bytes());
        response::write(&mut out, outcome);
        Ok(OutDocument::bytes(Some(out)))
    }

    fn create_out_string(&self, doc: OutDocument) -> Result<Option<Vec<u8>>, ProtocolError> {
        doc.into_bytes()
    }
}

impl ClientProtocol for Postage {
    fn name(&self) -> &'static str {
        "postage"
    }

    fn content_type(&self) -> &'static str {
        MEDIA_TYPE
    }

    fn encode_call(&self, call: OutgoingCall<'_>) -> Result<Vec<u8>, ProtocolError> {
        client::encode(call, self.sender())
    }

    fn decode_reply(
        &self,
        bytes: &[u8],
        sink: &mut ReplySink<'_>,
    ) -> Result<Result<(), Fault>, ProtocolError> {
        client::decode(bytes, sink)
    }
}
