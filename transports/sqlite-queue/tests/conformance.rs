//! The shared transport suite (`switchboard-testing`) over the SQLite
//! queue: a producer and a fan-out consumer on a real WAL file.

use std::sync::Arc;

use switchboard::{ServerTransport, async_trait};
use switchboard_json::{JsonDocument, JsonRpc};
use switchboard_sqlite_queue::{ConsumerOptions, QueueConsumer, QueueOptions, QueueProducer};
use switchboard_testing::{Shutdown, Started, TransportHarness, TransportKind, transport_suite};
use tempfile::TempDir;

/// A queue file in a temporary directory, a consumer and a producer on it.
struct Queue {
    dir: TempDir,
}

#[async_trait]
impl TransportHarness for Queue {
    fn kind(&self) -> TransportKind {
        TransportKind::OneWay
    }

    async fn start(
        &mut self,
        server: switchboard::Server,
        shutdown: Shutdown,
    ) -> Result<Started, String> {
        let path = self.dir.path().join("queue.db");
        let consumer = QueueConsumer::open(&path, "conformance", ConsumerOptions::default())
            .map_err(|e| e.to_string())?;
        let producer =
            QueueProducer::open(&path, QueueOptions::default()).map_err(|e| e.to_string())?;
        let serving = tokio::spawn(consumer.serve(server, shutdown));
        Ok(Started {
            client: Arc::new(producer),
            serving,
        })
    }
}

fn queue() -> Queue {
    Queue {
        dir: tempfile::tempdir().expect("a temporary directory"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_keeps_the_transport_contract_in_the_json_document() {
    if let Err(failure) = transport_suite(&mut queue(), JsonDocument, Arc::new(JsonDocument)).await
    {
        panic!("{failure}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_keeps_the_transport_contract_in_json_rpc() {
    if let Err(failure) = transport_suite(&mut queue(), JsonRpc, Arc::new(JsonRpc)).await {
        panic!("{failure}");
    }
}
