//! The shared transport suite (`switchboard-testing`) over the loopback
//! transport, and proof that it fails a transport breaking its contract.

use std::sync::Arc;

use switchboard::local::{self, DEFAULT_CHANNEL_CAPACITY};
use switchboard::{ServerTransport, async_trait};
use switchboard_json::{JsonDocument, JsonRpc};
use switchboard_testing::{Shutdown, Started, TransportHarness, TransportKind, transport_suite};

/// The loopback pair; with `abandon`, a broken one whose `serve` returns
/// at shutdown without waiting for the calls in flight.
struct Loopback {
    abandon: bool,
}

#[async_trait]
impl TransportHarness for Loopback {
    fn kind(&self) -> TransportKind {
        TransportKind::RequestReply
    }

    async fn start(
        &mut self,
        server: switchboard::Server,
        shutdown: Shutdown,
    ) -> Result<Started, String> {
        let (client, listener) = local::pair(DEFAULT_CHANNEL_CAPACITY);
        let serving = if self.abandon {
            tokio::spawn(async move {
                tokio::select! {
                    served = listener.serve(server, std::future::pending()) => served,
                    () = shutdown => Ok(()),
                }
            })
        } else {
            tokio::spawn(listener.serve(server, shutdown))
        };
        Ok(Started {
            client: Arc::new(client),
            serving,
        })
    }
}

#[tokio::test]
async fn the_loopback_keeps_the_transport_contract() {
    for (name, result) in [
        (
            "JSON-RPC",
            transport_suite(&mut Loopback { abandon: false }, JsonRpc, Arc::new(JsonRpc)).await,
        ),
        (
            "JSON document",
            transport_suite(
                &mut Loopback { abandon: false },
                JsonDocument,
                Arc::new(JsonDocument),
            )
            .await,
        ),
    ] {
        if let Err(failure) = result {
            panic!("{name}: {failure}");
        }
    }
}

#[tokio::test]
async fn the_suite_fails_a_transport_that_abandons_calls_at_shutdown() {
    let failure = transport_suite(&mut Loopback { abandon: true }, JsonRpc, Arc::new(JsonRpc))
        .await
        .expect_err("abandoning calls in flight must fail the suite");
    assert!(failure.failed("shutdown"), "{failure}");
    assert_eq!(
        failure.failed.len(),
        1,
        "only the shutdown check fails: {failure}"
    );
}
