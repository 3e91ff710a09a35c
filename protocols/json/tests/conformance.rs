//! The shared protocol suite (`switchboard-testing`) for both JSON
//! protocols, and proof that it catches a protocol breaking its contract.

use std::sync::Arc;

use switchboard::protocol::{Envelope, InDocument};
use switchboard::{
    Args, InProtocol, Limits, MethodContext, MethodDescriptor, ProtocolError, RequestInfo,
};
use switchboard_json::{JsonDocument, JsonRpc};
use switchboard_testing::protocol_suite;

#[tokio::test]
async fn json_rpc_keeps_the_protocol_contract() {
    if let Err(failure) = protocol_suite(JsonRpc, Arc::new(JsonRpc)).await {
        panic!("{failure}");
    }
}

#[tokio::test]
async fn the_json_document_keeps_the_protocol_contract() {
    if let Err(failure) = protocol_suite(JsonDocument, Arc::new(JsonDocument)).await {
        panic!("{failure}");
    }
}

/// JSON-RPC reading requests with no nesting limit: the deliberate break.
struct Unbounded;

impl InProtocol for Unbounded {
    fn name(&self) -> &'static str {
        "unbounded"
    }

    fn content_type(&self) -> &'static str {
        InProtocol::content_type(&JsonRpc)
    }

    fn create_in_document(
        &self,
        request: &RequestInfo,
        limits: &Limits,
    ) -> Result<InDocument, ProtocolError> {
        let unbounded = Limits {
            max_depth: usize::MAX,
            ..*limits
        };
        JsonRpc.create_in_document(request, &unbounded)
    }

    fn decompose_incoming_envelope(
        &self,
        request: &RequestInfo,
        doc: InDocument,
        limits: &Limits,
    ) -> Result<Envelope, ProtocolError> {
        JsonRpc.decompose_incoming_envelope(request, doc, limits)
    }

    fn deserialize(
        &self,
        ctx: &MethodContext,
        method: &MethodDescriptor,
    ) -> Result<Args, ProtocolError> {
        JsonRpc.deserialize(ctx, method)
    }
}

#[tokio::test]
async fn the_suite_fails_a_protocol_that_ignores_the_depth_limit() {
    let protocols = (
        Arc::new(Unbounded) as Arc<dyn InProtocol>,
        Arc::new(JsonRpc) as Arc<dyn switchboard::OutProtocol>,
    );
    let failure = protocol_suite(protocols, Arc::new(JsonRpc))
        .await
        .expect_err("a protocol without a depth limit must fail the suite");
    assert!(failure.failed("too deep"), "{failure}");
    assert_eq!(
        failure.failed.len(),
        1,
        "only the depth check fails: {failure}"
    );
}
