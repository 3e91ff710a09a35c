//! A worker of the AMQP bus: an [`AmqpServer`] consuming one work queue,
//! bound to the queue's method, with the dead-letter exchange and queue
//! its failed tasks go to, and a readiness probe for its link.

use std::time::Duration;

use switchboard::Server;
use switchboard::ServerTransport;
use switchboard::catalog::bus::WorkQueue;
use switchboard::catalog::{Bound, ProtocolEntry, ServeSettings};

use crate::topology::{BindingSpec, ExchangeSpec, QueueSpec, Topology};
use crate::{AmqpServer, Binding, ConnectionSettings, ServerOptions};

/// The worker, not yet connected: its server connects (and reconnects)
/// as it serves, so it starts while the broker is down.
pub(super) fn bind(
    connection: &ConnectionSettings,
    protocol: &'static ProtocolEntry,
    work: &WorkQueue,
    settings: ServeSettings,
) -> Bound {
    let protocol = settings.default_protocol.unwrap_or(protocol);
    let name = format!("{} worker {}", connection.connection_name, work.worker);
    let connection = connection.clone().with_connection_name(name);
    let endpoint = connection.endpoint();
    let banner = vec![format!(
        "{} consuming {endpoint} queue {} as worker {} ({}, {} at once)",
        settings.host_name,
        work.queue,
        work.worker,
        protocol.name(),
        work.concurrency
    )];
    let transport =
        AmqpServer::new(connection, worker_options(work)).with_readiness(&settings.readiness);
    let server = Server::new(settings.app, protocol.server(&settings.settings));
    Bound::new(banner, move |shutdown| {
        Box::pin(transport.serve(server, shutdown))
    })
}

/// The server's options: the queue as pika declares it, bound to the
/// method; each task run once (a failure is not retried, as a pika worker
/// acknowledges every task once); failures dead-lettered, when a
/// destination is named, to a durable fanout exchange and a durable queue
/// of that name, which no pika program declares differently.
pub(crate) fn worker_options(work: &WorkQueue) -> ServerOptions {
    let binding = Binding::work_queue(QueueSpec::new(&work.queue)).with_method(&work.method);
    let options = ServerOptions::new(binding)
        .with_prefetch(work.concurrency)
        .with_retries(1, Duration::ZERO);
    match &work.dead_letter {
        Some(destination) => options
            .with_topology(dead_letters(destination))
            .with_dead_letter(destination, None),
        None => options,
    }
}

/// The durable exchange and queue of `name`, bound.
fn dead_letters(name: &str) -> Topology {
    Topology {
        exchanges: vec![ExchangeSpec::fanout(name).durable(true)],
        queues: vec![QueueSpec::new(name).durable(true)],
        bindings: vec![BindingSpec {
            queue: name.to_owned(),
            exchange: name.to_owned(),
            routing_key: String::new(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DeliveryModel;

    #[test]
    fn a_worker_declares_the_queue_as_pika_and_its_dead_letters_durable() {
        let work = WorkQueue::new("stats", "compute_stats", "w1")
            .with_concurrency(4)
            .with_dead_letter("stats.failed");
        let options = worker_options(&work);
        let binding = &options.bindings[0];
        assert_eq!(
            binding.model,
            DeliveryModel::WorkQueue(QueueSpec::new("stats"))
        );
        assert_eq!(binding.method.as_deref(), Some("compute_stats"));
        assert_eq!((options.prefetch, options.max_attempts), (4, 1));
        assert_eq!(options.topology, dead_letters("stats.failed"));
        assert_eq!(
            options.topology.exchanges,
            [ExchangeSpec::fanout("stats.failed").durable(true)]
        );
        assert_eq!(
            options.topology.queues,
            [QueueSpec::new("stats.failed").durable(true)]
        );
        let dead_letter = options.dead_letter.as_ref().map(|d| d.exchange.as_str());
        assert_eq!(dead_letter, Some("stats.failed"));

        let plain = worker_options(&WorkQueue::new("q", "m", "w"));
        assert_eq!(plain.topology, Topology::default());
        assert!(plain.dead_letter.is_none());
    }
}
