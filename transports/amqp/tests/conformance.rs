//! The shared transport suite (`switchboard-testing`) over RabbitMQ:
//! JSON-RPC on a work queue, and the JSON document with each method bound
//! to a queue of its own (bodies are bare parameters), and Postage with a
//! reply queue per call (`ReplyMode::PerCall`).

mod common;

use std::sync::Arc;

use switchboard::{ServerTransport, async_trait};
use switchboard_amqp::{
    AmqpClient, AmqpServer, Binding, ClientOptions, QueueSpec, ReplyMode, ServerOptions,
};
use switchboard_json::{JsonDocument, JsonRpc};
use switchboard_postage::Postage;
use switchboard_testing::{Shutdown, Started, TransportHarness, TransportKind, transport_suite};

use common::{TestResult, connect, settings, unique, wait_consumers};

/// The demo methods, each bound to a queue of its own when `per_method`.
const METHODS: [&str; 5] = ["echo", "sum", "subtract", "fail", "sleep"];

struct Broker {
    prefix: String,
    per_method: bool,
    reply: ReplyMode,
}

#[async_trait]
impl TransportHarness for Broker {
    fn kind(&self) -> TransportKind {
        TransportKind::RequestReply
    }

    async fn start(
        &mut self,
        server: switchboard::Server,
        shutdown: Shutdown,
    ) -> Result<Started, String> {
        // Auto-delete: the queues go once the server stops consuming.
        let queue = |name: &str| QueueSpec::new(name).auto_delete(true);
        let (options, client_options, queues) = if self.per_method {
            let names: Vec<String> = METHODS
                .iter()
                .map(|m| format!("{}{m}", self.prefix))
                .collect();
            let mut bindings = METHODS
                .iter()
                .zip(&names)
                .map(|(method, name)| Binding::work_queue(queue(name)).with_method(*method));
            let first = bindings.next().ok_or("no methods")?;
            let options = bindings.fold(ServerOptions::new(first), ServerOptions::with_binding);
            (
                options,
                ClientOptions::per_method("", self.prefix.clone()),
                names,
            )
        } else {
            let options = ServerOptions::new(Binding::work_queue(queue(&self.prefix)));
            (
                options,
                ClientOptions::to_queue(self.prefix.clone()),
                vec![self.prefix.clone()],
            )
        };
        let transport = AmqpServer::new(settings("conformance server"), options);
        let serving = tokio::spawn(transport.serve(server, shutdown));
        for name in &queues {
            wait_consumers(name, 1).await?;
        }
        let client_options = client_options.with_reply_mode(self.reply);
        let client = AmqpClient::connect(settings("conformance client"), client_options)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Started {
            client: Arc::new(client),
            serving,
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbitmq_keeps_the_transport_contract_in_json_rpc() -> TestResult {
    connect("probe").await?;
    let mut broker = Broker {
        prefix: unique("conformance-rpc"),
        per_method: false,
        reply: ReplyMode::default(),
    };
    transport_suite(&mut broker, JsonRpc, Arc::new(JsonRpc)).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbitmq_keeps_the_transport_contract_in_the_json_document_with_methods_bound_to_queues()
-> TestResult {
    connect("probe").await?;
    let mut broker = Broker {
        prefix: format!("{}.", unique("conformance-doc")),
        per_method: true,
        reply: ReplyMode::default(),
    };
    transport_suite(&mut broker, JsonDocument, Arc::new(JsonDocument)).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbitmq_keeps_the_transport_contract_in_postage_with_a_reply_queue_per_call() -> TestResult
{
    connect("probe").await?;
    let mut broker = Broker {
        prefix: unique("conformance-postage"),
        per_method: false,
        reply: ReplyMode::PerCall,
    };
    transport_suite(&mut broker, Postage::new(), Arc::new(Postage::new())).await?;
    Ok(())
}
