//! A worker of the SQLite bus: members of the queue file's work-queue
//! group named after the queue, one per task run at once, each a
//! [`QueueConsumer`] on its own thread, stopped together.

use std::path::Path;

use switchboard::catalog::bus::WorkQueue;
use switchboard::catalog::{Address, BindError, Bound, BoxFuture, ProtocolEntry, ServeSettings};
use switchboard::{Server, ServerTransport, TransportError};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::{ConsumerOptions, QueueConsumer};

/// The members, their files opened.
pub(super) fn bind(
    path: &Path,
    protocol: &'static ProtocolEntry,
    work: &WorkQueue,
    settings: ServeSettings,
) -> Result<Bound, BindError> {
    let protocol = settings.default_protocol.unwrap_or(protocol);
    let mut options = settings
        .settings
        .get::<ConsumerOptions>()
        .cloned()
        .unwrap_or_default();
    if let Some(poll_max) = work.poll_max {
        options = options.with_poll_max(poll_max);
    }
    let members = member_ids(&work.worker, work.concurrency)
        .into_iter()
        .map(|id| {
            QueueConsumer::open(path, id, options.clone()).map(|c| {
                c.with_group(&work.queue)
                    .with_readiness(&settings.readiness)
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| BindError::Local {
            action: "open the queue",
            target: path.display().to_string(),
            source: source.into(),
        })?;
    let banner = vec![format!(
        "{} consuming {} as worker {} of group {} ({}, {} at once)",
        settings.host_name,
        path.display(),
        work.worker,
        work.queue,
        protocol.name(),
        members.len()
    )];
    let server = Server::new(settings.app, protocol.server(&settings.settings));
    let reach = Address::new("sqlite", path.display().to_string());
    Ok(Bound::new(banner, move |shutdown| {
        Box::pin(serve(members, server, shutdown))
    })
    .with_reach(reach))
}

/// `worker` alone for one task at once; `worker.1`, `worker.2`, ... for more.
fn member_ids(worker: &str, concurrency: u16) -> Vec<String> {
    match concurrency {
        0 | 1 => vec![worker.to_owned()],
        n => (1..=n).map(|member| format!("{worker}.{member}")).collect(),
    }
}

/// Runs every member until `shutdown`; the first error, if any, once all
/// have stopped.
async fn serve(
    members: Vec<QueueConsumer>,
    server: Server,
    shutdown: BoxFuture<'static, ()>,
) -> Result<(), TransportError> {
    let (stop, stopped) = watch::channel(false);
    let watcher = tokio::spawn(async move {
        shutdown.await;
        stop.send_replace(true);
    });
    let mut running = JoinSet::new();
    for member in members {
        let mut stopped = stopped.clone();
        let signal = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        running.spawn(member.serve(server.clone(), signal));
    }
    let mut result = Ok(());
    while let Some(joined) = running.join_next().await {
        let served = joined
            .map_err(|err| TransportError::Io(Box::new(err)))
            .and_then(|served| served);
        if result.is_ok() {
            result = served;
        }
    }
    watcher.abort();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_member_keeps_the_worker_id_and_more_are_numbered() {
        assert_eq!(member_ids("w", 1), ["w"]);
        assert_eq!(member_ids("w", 3), ["w.1", "w.2", "w.3"]);
    }
}
