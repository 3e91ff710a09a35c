//! Decoding a call's parameters (a JSON object, array, or nothing) into a
//! method's typed arguments, shared by both JSON protocols.

use switchboard::protocol::ProtocolError;
use switchboard::{Args, MethodContext, MethodDescriptor};

/// Decodes `ctx`'s body with `method`'s JSON decoder (monomorphized; the
/// erased [`MethodDescriptor::deserialize`] would cost several times more per
/// call). No body decodes as an empty object, so methods without parameters
/// need none.
pub(crate) fn deserialize(
    ctx: &MethodContext,
    method: &MethodDescriptor,
) -> Result<Args, ProtocolError> {
    (method.deserialize_json)(json(ctx))
        .map_err(|err| ProtocolError::InvalidParams(err.to_string()))
}

/// The parameters' JSON text: what [`deserialize`] decodes, and what the
/// JSON protocols' `InProtocol::json_params` hand to the pipeline's fused
/// decode-and-call path.
pub(crate) fn json(ctx: &MethodContext) -> &[u8] {
    ctx.in_body().unwrap_or(b"{}")
}
