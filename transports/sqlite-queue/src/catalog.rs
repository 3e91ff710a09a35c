//! This crate's entry in the transport catalog ([`switchboard::catalog`]):
//! `sqlite:FILE?worker=ID` runs a consumer of the queue file (a fan-out
//! consumer, or with `group=G` a member of a work-queue group), and
//! `sqlite:FILE` as a client enqueues one-way calls. `sqlite:FILE?events=EVENTS`
//! is also a message bus ([`switchboard::catalog::bus`]): tasks are rows of
//! `FILE` consumed by a work-queue group named after their queue, topics'
//! messages rows of `EVENTS` (default: `FILE` with `-events` before its
//! extension), which subscribers follow.
//!
//! | option | meaning | default |
//! |---|---|---|
//! | `worker` | the consumer's id, under which its checkpoint is kept (required to serve) | |
//! | `group` | join this work-queue group: members share the tasks | none: fan-out |
//! | `protocol` | the tasks' wire format | the host's default, else `json` |
//! | `poll_max_ms` | the longest wait between two polls when idle | 100 |
//! | `checkpoint_every` | commit the checkpoint after every N tasks | 1 |
//! | `on_failure` | `record`, `retry` or `halt` | `record` |
//! | `attempts`, `backoff_ms` | with `on_failure=retry`: runs in all, wait before the second | 3, 1000 |
//! | `lease_s`, `renew_lease`, `max_deliveries` | group members' lease, its renewal, deliveries before a task is failed | 30, `false`, 5 |
//!
//! A host's own [`ConsumerOptions`] (stored in the settings' typed values)
//! are the base the options change.
//!
//! A served consumer adds its readiness probe (`sqlite PATH worker ID`) to
//! the settings' [`Readiness`](switchboard::catalog::Readiness); every
//! process with a consumer or a producer on the file exports its metrics
//! ([`crate::telemetry`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use switchboard::catalog::{
    Address, AddressError, BindError, Bound, BoxFuture, Capabilities, ConnectSettings,
    ServeSettings, TransportEntry, inventory,
};
use switchboard::{ClientTransport, Server, ServerTransport};

use crate::{ConsumerOptions, FailurePolicy, QueueConsumer, QueueOptions, QueueProducer};

/// Every option an address of this transport takes.
const OPTIONS: &[&str] = &[
    "worker",
    "group",
    "protocol",
    "poll_max_ms",
    "checkpoint_every",
    "on_failure",
    "attempts",
    "backoff_ms",
    "lease_s",
    "renew_lease",
    "max_deliveries",
];

inventory::submit! {
    TransportEntry::new(
        "sqlite",
        "a SQLite queue file: consumes its tasks (fan-out, or a group's share); enqueues calls",
        &["sqlite"],
    )
    .example("sqlite:queue.db?worker=w1")
    .options(OPTIONS)
    .capabilities(Capabilities::NONE.with_one_way().with_broadcast().with_groups())
    .bind(bind)
    .connect(connect)
    .bus(crate::bus::open)
    .conformance(|dir, unique| {
        let file = dir.join(format!("{unique}.db"));
        Some(format!("sqlite:{}?worker=suite", file.display()))
    })
}

pub(crate) fn file_of(address: &Address) -> Result<PathBuf, AddressError> {
    match address.path() {
        "" => Err(address.invalid("no queue file: write sqlite:FILE")),
        path => Ok(PathBuf::from(path)),
    }
}

/// The consumer options: the host's, changed by the address's options.
fn consumer_options(
    address: &Address,
    base: Option<&ConsumerOptions>,
) -> Result<ConsumerOptions, AddressError> {
    let mut options = base.cloned().unwrap_or_default();
    if let Some(ms) = address.parse_option::<u64>("poll_max_ms")? {
        options = options.with_poll_max(Duration::from_millis(ms.max(1)));
    }
    if let Some(every) = address.parse_option::<usize>("checkpoint_every")? {
        options = options.with_checkpoint_every(every.max(1));
    }
    let attempts = address.parse_option::<u32>("attempts")?.unwrap_or(3).max(1);
    let backoff = Duration::from_millis(address.parse_option::<u64>("backoff_ms")?.unwrap_or(1000));
    match address.option("on_failure") {
        None => {}
        Some("record") => options = options.with_failure_policy(FailurePolicy::Record),
        Some("halt") => options = options.with_failure_policy(FailurePolicy::Halt),
        Some("retry") => {
            options = options.with_failure_policy(FailurePolicy::Retry {
                max_attempts: attempts,
                backoff,
            });
        }
        Some(other) => {
            return Err(address.invalid(format!(
                "on_failure={other}: expected record, retry or halt"
            )));
        }
    }
    if let Some(secs) = address.parse_option::<f64>("lease_s")? {
        let lease = Duration::try_from_secs_f64(secs)
            .ok()
            .filter(|lease| !lease.is_zero())
            .ok_or_else(|| {
                address.invalid(format!("lease_s={secs}: expected seconds above zero"))
            })?;
        options = options.with_visibility_timeout(lease);
    }
    if let Some(renew) = address.parse_option::<bool>("renew_lease")? {
        options = options.with_lease_renewal(renew);
    }
    if let Some(max) = address.parse_option::<u32>("max_deliveries")? {
        options = options.with_max_deliveries(max.max(1));
    }
    Ok(options)
}

fn bind(address: Address, settings: ServeSettings) -> BoxFuture<'static, Result<Bound, BindError>> {
    Box::pin(async move {
        address.check_options(OPTIONS)?;
        let path = file_of(&address)?;
        let worker = address
            .option("worker")
            .filter(|w| !w.is_empty())
            .ok_or_else(|| {
                address.invalid("a consumer needs worker=ID: its checkpoint is kept under it")
            })?
            .to_owned();
        let protocol = settings.protocol_at(&address, "json")?;
        let options = consumer_options(&address, settings.settings.get::<ConsumerOptions>())?;
        let consumer = QueueConsumer::open(&path, worker.clone(), options)
            .map_err(|source| BindError::Local {
                action: "open the queue",
                target: path.display().to_string(),
                source: source.into(),
            })?
            .with_readiness(&settings.readiness);
        let (consumer, role) = match address.option("group") {
            Some(group) => (
                consumer.with_group(group),
                format!("member {worker} of group {group}"),
            ),
            None => (consumer, format!("fan-out consumer {worker}")),
        };
        let banner = vec![format!(
            "{} consuming {} as {role} ({})",
            settings.host_name,
            path.display(),
            protocol.name()
        )];
        let server = Server::new(settings.app, protocol.server(&settings.settings));
        let reach = Address::parse(&format!("sqlite:{}", path.display()))?;
        Ok(Bound::new(banner, move |shutdown| {
            Box::pin(consumer.serve(server, shutdown))
        })
        .with_reach(reach))
    })
}

fn connect(
    address: Address,
    settings: ConnectSettings,
) -> BoxFuture<'static, Result<Arc<dyn ClientTransport>, BindError>> {
    Box::pin(async move {
        address.check_options(&[])?;
        let path = file_of(&address)?;
        let mut producer =
            QueueProducer::open(&path, QueueOptions::default()).map_err(|source| {
                BindError::Local {
                    action: "open the queue",
                    target: path.display().to_string(),
                    source: source.into(),
                }
            })?;
        if let Some(fingerprint) = &settings.fingerprint {
            producer = producer.with_fingerprint(fingerprint);
        }
        Ok(Arc::new(producer) as Arc<dyn ClientTransport>)
    })
}
