//! The JSON document protocol, in Spyne's `JsonDocument` wire shape.
//!
//! - Request, method in the body: `{"echo": {"s": "hi"}}` (params as an
//!   object, an array, or `null` for none).
//! - Request, method named by the transport (`POST /json/echo`, a queue bound
//!   to one method): the bare params, `{"s": "hi"}`.
//! - Reply: the bare result value, `"hi"`.
//! - Fault: `{"faultcode": "Client.NotFound", "faultstring": "...", "detail": ...}`.
//!
//! A reply object whose only members are `faultcode`, `faultstring` and
//! `detail` is read back as a fault by the client; transports that carry a
//! status (HTTP) also signal the fault there.

mod envelope;

use serde::Serialize;
use serde_json::Value;
use switchboard::protocol::{
    ClientProtocol, Envelope, InDocument, InProtocol, OutDocument, OutProtocol, OutgoingCall,
    ProtocolError, Replies, ReplySink, calls,
};
use switchboard::{
    Args, Fault, IncomingCall, Limits, MethodContext, MethodDescriptor, RequestInfo,
};

use crate::text;

/// The JSON document protocol; one value serves as in, out and client protocol.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonDocument;

impl JsonDocument {
    /// The protocol.
    pub fn new() -> Self {
        Self
    }
}

impl InProtocol for JsonDocument {
    fn name(&self) -> &'static str {
        "json"
    }

    fn content_type(&self) -> &'static str {
        "application/json"
    }

    fn accepts_named_method(&self) -> bool {
        true
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
        let text = text::utf8(&request.in_bytes)?;
        let call = match &request.method {
            Some(method) => envelope::bare_params(text, method)?,
            None => envelope::method_and_params(text)?,
        };
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
        crate::params::deserialize(ctx, method)
    }

    fn json_params<'c>(&self, ctx: &'c MethodContext) -> Option<&'c [u8]> {
        Some(crate::params::json(ctx))
    }
}

/// The fault object of the wire format.
#[derive(Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultObject<'a> {
    faultcode: std::borrow::Cow<'a, str>,
    faultstring: std::borrow::Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detail: Option<Value>,
}

fn write_fault(out: &mut Vec<u8>, fault: &Fault) {
    let object = FaultObject {
        faultcode: fault.code().into(),
        faultstring: fault.message().into(),
        detail: fault.detail().cloned(),
    };
    // Strings and a `Value`: writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &object);
}

/// One reply among several: a result that cannot be encoded becomes that
/// reply's `Server` fault, so the others still reach the caller.
fn write_outcome(out: &mut Vec<u8>, outcome: &switchboard::protocol::CallOutcome) {
    let start = out.len();
    match &outcome.result {
        Ok(reply) => {
            if let Err(err) = reply.write_json(out) {
                tracing::error!(error = %err, "result could not be encoded as JSON");
                out.truncate(start);
                write_fault(
                    out,
                    &Fault::server("internal error: the result could not be encoded"),
                );
            }
        }
        Err(fault) => write_fault(out, fault),
    }
}

impl OutProtocol for JsonDocument {
    fn name(&self) -> &'static str {
        "json"
    }

    fn content_type(&self) -> &'static str {
        "application/json"
    }

    fn serialize(
        &self,
        _request: &RequestInfo,
        replies: Replies,
    ) -> Result<OutDocument, ProtocolError> {
        let answered: Vec<_> = replies
            .outcomes
            .iter()
            .filter(|o| o.expects_reply)
            .collect();
        let mut out = Vec::with_capacity(64);
        match answered.as_slice() {
            [] => return Ok(OutDocument::bytes(None)),
            // A result JSON cannot carry (a map with non-string keys) fails
            // the whole reply: the driver then answers a `Server` fault and
            // reports it, so HTTP gives it its status like any fault.
            [single] if !replies.batch => match &single.result {
                Ok(reply) => reply.write_json(&mut out).map_err(|err| {
                    tracing::error!(error = %err, "result could not be encoded as JSON");
                    ProtocolError::Encode(Box::new(err))
                })?,
                Err(fault) => write_fault(&mut out, fault),
            },
            // Several calls (read by another protocol): a list of replies.
            many => {
                out.push(b'[');
                for (i, outcome) in many.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_outcome(&mut out, outcome);
                }
                out.push(b']');
            }
        }
        Ok(OutDocument::bytes(Some(out)))
    }

    fn create_out_string(&self, doc: OutDocument) -> Result<Option<Vec<u8>>, ProtocolError> {
        doc.into_bytes()
    }
}

#[derive(Serialize)]
struct Wrapped<'a> {
    #[serde(flatten)]
    call: std::collections::BTreeMap<&'a str, &'a (dyn erased_serde::Serialize + Sync)>,
}

impl ClientProtocol for JsonDocument {
    fn name(&self) -> &'static str {
        "json"
    }

    fn content_type(&self) -> &'static str {
        "application/json"
    }

    fn encode_call(&self, call: OutgoingCall<'_>) -> Result<Vec<u8>, ProtocolError> {
        let encoded = if call.method_in_transport {
            serde_json::to_vec(call.params)
        } else {
            let wrapped = Wrapped {
                call: std::iter::once((call.method, call.params)).collect(),
            };
            serde_json::to_vec(&wrapped)
        };
        encoded.map_err(|err| ProtocolError::Encode(Box::new(err)))
    }

    fn decode_reply(
        &self,
        bytes: &[u8],
        sink: &mut ReplySink<'_>,
    ) -> Result<Result<(), Fault>, ProtocolError> {
        if let Ok(fault) = serde_json::from_slice::<FaultObject<'_>>(bytes) {
            let mut out = Fault::new(fault.faultcode.into_owned(), fault.faultstring.into_owned());
            out.detail = fault.detail;
            return Ok(Err(out));
        }
        let mut json = serde_json::Deserializer::from_slice(bytes);
        {
            let mut erased = <dyn erased_serde::Deserializer<'_>>::erase(&mut json);
            sink(&mut erased).map_err(|err| {
                ProtocolError::UnexpectedReply(format!("result does not fit: {err}"))
            })?;
        }
        json.end()
            .map_err(|err| ProtocolError::UnexpectedReply(err.to_string()))?;
        Ok(Ok(()))
    }
}

/// Re-exported for the envelope module.
fn call(method: &str, body: Option<std::ops::Range<usize>>) -> IncomingCall {
    IncomingCall {
        method: method.into(),
        header: None,
        body,
        id: None,
        expects_reply: true,
        caller: None,
    }
}
