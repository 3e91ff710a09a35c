//! JSON-RPC 2.0, the whole specification: named and positional params,
//! notifications, batches (bounded by [`Limits::max_batch_len`]) and the
//! standard error codes.
//!
//! Faults map to error objects: the standard codes for the pipeline's own
//! faults (`Client.Malformed` −32700, `Client.InvalidRequest` and
//! `Client.LimitExceeded` −32600, `Client.UnknownMethod` −32601,
//! `Client.InvalidParams` and `Client.Validation` −32602, `Server` and its
//! sub-codes −32603), −32000 for every other (application) fault.
//!
//! The method is always named in the body: [`RequestInfo::method`] is
//! ignored (JSON-RPC has no bare-params form). Except for −32700, −32600 and −32601, whose standard
//! message says it all, `data` carries `faultcode`, `faultstring` and
//! `detail`, so a switchboard client recovers the exact fault.

mod request;
mod response;
mod scan;

use std::ops::Range;

use serde_json::Value;
use serde_json::value::RawValue;
use switchboard::protocol::{
    ClientProtocol, Envelope, InDocument, InProtocol, OutDocument, OutProtocol, OutgoingCall,
    ProtocolError, Replies, ReplySink, calls,
};
use switchboard::{Args, Fault, Limits, MethodContext, MethodDescriptor, RequestInfo};

pub use response::{
    APPLICATION_ERROR, INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND,
    PARSE_ERROR,
};

use crate::text;

/// The JSON-RPC error code a fault is answered with (for interface
/// documents, which list each method's errors).
pub(crate) fn error_code(fault: &Fault) -> i64 {
    response::standard(fault).0
}

/// The JSON-RPC 2.0 protocol; one value serves as in, out and client protocol.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonRpc;

impl JsonRpc {
    /// The protocol.
    pub fn new() -> Self {
        Self
    }
}

/// Stage 2's document for one request object, read in stage 3. A unit
/// struct, so that wrapping it in an `InDocument` allocates nothing.
struct Single;

/// Stage 2's document for a batch: the byte range of each element.
struct Batch(Vec<Range<usize>>);

impl InProtocol for JsonRpc {
    fn name(&self) -> &'static str {
        "jsonrpc"
    }

    fn content_type(&self) -> &'static str {
        "application/json"
    }

    fn create_in_document(
        &self,
        request: &RequestInfo,
        limits: &Limits,
    ) -> Result<InDocument, ProtocolError> {
        let bytes = &request.in_bytes;
        text::check_depth(bytes, limits.max_depth)?;
        if text::first_significant(bytes) != Some(b'[') {
            // UTF-8 is checked in stage 3, which reads the common, ASCII
            // request in one pass that needs no check of its own.
            return Ok(InDocument::new(Single));
        }
        let text = text::utf8(bytes)?;
        let elements: Vec<&RawValue> =
            serde_json::from_str(text).map_err(|err| ProtocolError::Malformed(Box::new(err)))?;
        if elements.is_empty() {
            return Err(ProtocolError::InvalidRequest("empty batch".to_owned()));
        }
        if elements.len() > limits.max_batch_len {
            return Err(ProtocolError::LimitExceeded {
                what: "batch length",
                limit: limits.max_batch_len,
            });
        }
        let ranges = elements
            .iter()
            .map(|e| text::range_in(text, e.get()))
            .collect();
        Ok(InDocument::new(Batch(ranges)))
    }

    fn decompose_incoming_envelope(
        &self,
        request: &RequestInfo,
        doc: InDocument,
        _limits: &Limits,
    ) -> Result<Envelope, ProtocolError> {
        let bytes = &request.in_bytes;
        if doc.is::<Single>() {
            if let Some(call) = request::read_common(bytes) {
                return Ok(Envelope {
                    calls: calls![Ok(call)],
                    batch: false,
                });
            }
        }
        let text = text::utf8(bytes)?;
        if doc.is::<Single>() {
            return Ok(Envelope {
                calls: calls![request::read(text, 0..text.len())?],
                batch: false,
            });
        }
        let Batch(ranges) = doc.downcast()?;
        let calls = ranges
            .into_iter()
            .map(|range| request::read(text, range))
            .collect::<Result<_, _>>()?;
        Ok(Envelope { calls, batch: true })
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

impl OutProtocol for JsonRpc {
    fn name(&self) -> &'static str {
        "jsonrpc"
    }

    /// The JSON-RPC error code (`-32602`), as the wire shows it.
    fn status_code(&self, fault: &Fault) -> std::borrow::Cow<'static, str> {
        error_code(fault).to_string().into()
    }

    fn content_type(&self) -> &'static str {
        "application/json"
    }

    /// An error response is a JSON-RPC response like any other: over HTTP
    /// it comes with `200`, as jsonrpsee and Ethereum clients expect.
    fn faults_are_replies(&self) -> bool {
        true
    }

    fn serialize(
        &self,
        request: &RequestInfo,
        replies: Replies,
    ) -> Result<OutDocument, ProtocolError> {
        let mut out = Vec::with_capacity(128);
        if replies.batch {
            out.push(b'[');
        }
        let mut written = 0usize;
        for outcome in replies.outcomes.iter().filter(|o| o.expects_reply) {
            if written > 0 {
                out.push(b',');
            }
            response::write(&mut out, &request.in_bytes, outcome);
            written += 1;
        }
        if replies.batch {
            out.push(b']');
        }
        // Only notifications: nothing at all is sent back.
        let body = (written > 0).then_some(out);
        Ok(OutDocument::bytes(body))
    }

    fn create_out_string(&self, doc: OutDocument) -> Result<Option<Vec<u8>>, ProtocolError> {
        doc.into_bytes()
    }
}

#[derive(serde::Serialize)]
struct RequestOut<'a> {
    jsonrpc: &'static str,
    method: &'a str,
    params: &'a (dyn erased_serde::Serialize + Sync),
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<u64>,
}

#[derive(serde::Deserialize)]
struct ResponseIn<'a> {
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<Value>,
}

impl ClientProtocol for JsonRpc {
    fn name(&self) -> &'static str {
        "jsonrpc"
    }

    fn content_type(&self) -> &'static str {
        "application/json"
    }

    fn encode_call(&self, call: OutgoingCall<'_>) -> Result<Vec<u8>, ProtocolError> {
        let request = RequestOut {
            jsonrpc: "2.0",
            method: call.method,
            params: call.params,
            id: call.id,
        };
        serde_json::to_vec(&request).map_err(|err| ProtocolError::Encode(Box::new(err)))
    }

    fn decode_reply(
        &self,
        bytes: &[u8],
        sink: &mut ReplySink<'_>,
    ) -> Result<Result<(), Fault>, ProtocolError> {
        let unexpected = |why: String| ProtocolError::UnexpectedReply(why);
        let response: ResponseIn<'_> =
            serde_json::from_slice(bytes).map_err(|err| unexpected(err.to_string()))?;
        if let Some(error) = response.error {
            return Ok(Err(response::to_fault(&error)));
        }
        // `"result": null` arrives as `None` too: it is the unit result.
        let raw = response.result.map_or("null", RawValue::get);
        let mut json = serde_json::Deserializer::from_str(raw);
        let mut erased = <dyn erased_serde::Deserializer<'_>>::erase(&mut json);
        sink(&mut erased).map_err(|err| unexpected(format!("result does not fit: {err}")))?;
        Ok(Ok(()))
    }
}
