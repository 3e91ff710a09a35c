//! The shared transport suite (`switchboard-testing`) over HTTP on a real
//! socket, in both JSON protocols.

use std::sync::Arc;

use switchboard::{ServerTransport, async_trait};
use switchboard_http::{HttpClient, HttpTransport};
use switchboard_json::{JsonDocument, JsonRpc};
use switchboard_testing::{Shutdown, Started, TransportHarness, TransportKind, transport_suite};
use tokio::net::TcpListener;

/// `HttpTransport` on 127.0.0.1:0 at `/rpc`, and an `HttpClient` for it.
struct Http {
    /// Whether the client puts the method in the path (`/rpc/{method}`).
    method_in_path: bool,
}

#[async_trait]
impl TransportHarness for Http {
    fn kind(&self) -> TransportKind {
        TransportKind::RequestReply
    }

    async fn start(
        &mut self,
        server: switchboard::Server,
        shutdown: Shutdown,
    ) -> Result<Started, String> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let transport = HttpTransport::new(listener).path("/rpc");
        let serving = tokio::spawn(transport.serve(server, shutdown));
        let client = HttpClient::new(format!("http://{addr}/rpc"))
            .map_err(|e| e.to_string())?
            .with_method_in_path(self.method_in_path);
        Ok(Started {
            client: Arc::new(client),
            serving,
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_keeps_the_transport_contract_in_json_rpc() {
    let mut harness = Http {
        method_in_path: false,
    };
    if let Err(failure) = transport_suite(&mut harness, JsonRpc, Arc::new(JsonRpc)).await {
        panic!("{failure}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_keeps_the_transport_contract_in_the_json_document() {
    let mut harness = Http {
        method_in_path: true,
    };
    if let Err(failure) = transport_suite(&mut harness, JsonDocument, Arc::new(JsonDocument)).await
    {
        panic!("{failure}");
    }
}
