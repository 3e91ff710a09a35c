//! Decoding a call's parameters (a JSON object, array, or nothing) into a
//! method's typed arguments, shared by both JSON protocols.

use switchboard::protocol::ProtocolError;
use switchboard::{Args, MethodContext, MethodDescriptor};

/// Decodes `ctx`'s body with `method`'s deserializer. No body decodes as an
/// empty object, so methods without parameters need none.
pub(crate) fn deserialize(
    ctx: &MethodContext,
    method: &MethodDescriptor,
) -> Result<Args, ProtocolError> {
    let body = ctx.in_body().unwrap_or(b"{}");
    let mut json = serde_json::Deserializer::from_slice(body);
    let args = {
        let mut erased = <dyn erased_serde::Deserializer<'_>>::erase(&mut json);
        (method.deserialize)(&mut erased)
            .map_err(|err| ProtocolError::InvalidParams(err.to_string()))?
    };
    json.end()
        .map_err(|err| ProtocolError::InvalidParams(err.to_string()))?;
    Ok(args)
}
