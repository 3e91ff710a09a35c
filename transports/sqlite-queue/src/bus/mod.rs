//! The queue file as a [`Bus`]: `sqlite:QUEUE?events=EVENTS`.
//!
//! | bus | SQLite |
//! |---|---|
//! | task | a row of the queue file: method the task's, content type the protocol's media type tagged with its name (`application/json; protocol=json`) |
//! | worker | members of the queue file's work-queue group named after the queue (`ID`, or `ID.1`, `ID.2`, ... for more than one task at once), each on its own thread |
//! | failed task | a row of the queue file's `failures` table (or as the host's `ConsumerOptions` say) |
//! | message | a row of the events file: method the topic, content type the media type |
//! | subscription | a thread reading the events file's rows of the topic after the last one it saw, every [`FOLLOW_INTERVAL`](follow::FOLLOW_INTERVAL) while messages come, backing off to every [`IDLE_INTERVAL`](follow::IDLE_INTERVAL) |
//! | retention | messages are kept [`TOPIC_RETENTION`] (one hour): publishers delete older rows of the events file now and then, so heartbeats and logs do not grow it without end |
//!
//! A subscriber does not register as a consumer, so one that goes away
//! leaves no checkpoint behind. The events file defaults to the queue
//! file's name with `-events` before its extension (`queue.db`:
//! `queue-events.db`).
//!
//! A file holds one queue: every group of a file sees every task of it. So
//! a bus carries the first queue name it is asked for, and refuses any
//! other (another queue takes another file, so another bus).

mod follow;
mod work;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use switchboard::TransportError;
use switchboard::async_trait;
use switchboard::catalog::bus::{self, Bus, BusSettings, WorkQueue};
use switchboard::catalog::{Address, AddressError, BindError, Bound, ProtocolEntry, ServeSettings};

use crate::content_type::tagged;
use crate::{QueueOptions, QueueProducer};

/// How long the events file keeps a message: far longer than any live
/// subscriber takes to read it (they look every few milliseconds).
pub(crate) const TOPIC_RETENTION: Duration = Duration::from_secs(3600);

/// Publishes between two prunings of the events file.
const PRUNE_EVERY: u64 = 256;

/// The options a bus address takes.
pub(crate) const OPTIONS: &[&str] = &["events"];

/// The queue file and the events file.
#[derive(Debug)]
pub(crate) struct SqliteBus {
    address: Address,
    tasks: QueueProducer,
    events: QueueProducer,
    queue_path: PathBuf,
    events_path: PathBuf,
    protocol: &'static ProtocolEntry,
    queue: OnceLock<String>,
    /// Messages published, to prune the events file every
    /// [`PRUNE_EVERY`] (the first publish prunes too).
    published: AtomicU64,
}

/// Opens (creating) both files.
pub(crate) fn open(address: Address, settings: BusSettings) -> Result<Arc<dyn Bus>, BindError> {
    address.check_options(OPTIONS)?;
    let queue_path = crate::catalog::file_of(&address)?;
    let events_path = match address.option("events") {
        Some("") => return Err(address.invalid("events=: no events file").into()),
        Some(events) => PathBuf::from(events),
        None => beside(&queue_path),
    };
    // Opened now, not on first use: a file that cannot be created is a
    // setup error, reported before the host serves anything.
    let producer = |path: &Path, observed: bool| {
        let producer = producer(path, observed)?;
        Ok::<_, BindError>(match &settings.fingerprint {
            Some(fingerprint) => producer.with_fingerprint(fingerprint),
            None => producer,
        })
    };
    Ok(Arc::new(SqliteBus {
        tasks: producer(&queue_path, true)?,
        events: producer(&events_path, false)?,
        address,
        queue_path,
        events_path,
        protocol: settings.protocol,
        queue: OnceLock::new(),
        published: AtomicU64::new(0),
    }))
}

/// A producer on `path`; `observed`: the file's metrics are exported (the
/// queue file's, not the events file's).
fn producer(path: &Path, observed: bool) -> Result<QueueProducer, BindError> {
    let options = QueueOptions::default();
    let opened = if observed {
        QueueProducer::open(path, options)
    } else {
        QueueProducer::open_unobserved(path, options)
    };
    opened.map_err(|source| BindError::Local {
        action: "open the queue",
        target: path.display().to_string(),
        source: source.into(),
    })
}

/// The default events file of `queue`: `queue.db` gives `queue-events.db`.
fn beside(queue: &Path) -> PathBuf {
    let stem = queue.file_stem().unwrap_or_default().to_string_lossy();
    let name = match queue.extension() {
        Some(extension) => format!("{stem}-events.{}", extension.to_string_lossy()),
        None => format!("{stem}-events"),
    };
    queue.with_file_name(name)
}

impl SqliteBus {
    /// Takes `queue` as this bus's queue if it has none yet. Within one
    /// process only: another process's bus on the same file cannot be
    /// asked, so the module's rule stays the user's to keep across them.
    fn carry(&self, queue: &str) -> Result<(), AddressError> {
        let carried = self.queue.get_or_init(|| queue.to_owned());
        if carried == queue {
            return Ok(());
        }
        Err(self.address.invalid(format!(
            "this queue file carries queue `{carried}`; queue `{queue}` needs a file of its own"
        )))
    }
}

#[async_trait]
impl Bus for SqliteBus {
    async fn enqueue(
        &self,
        queue: &str,
        method: &str,
        body: Vec<u8>,
    ) -> Result<(), TransportError> {
        self.carry(queue)
            .map_err(|err| TransportError::Unexpected(err.to_string()))?;
        // Tagged with the protocol's name, so that any consumer of the file
        // (`consume` of another host) reads the task as it was written.
        let content_type = tagged(self.protocol.media_type(), self.protocol.name());
        self.tasks
            .enqueue(method, &content_type, body, None)
            .await?;
        Ok(())
    }

    async fn publish(&self, topic: &str, body: Vec<u8>) -> Result<(), TransportError> {
        // Untagged: a message is not a call, no consumer runs it.
        let media_type = self.protocol.media_type();
        self.events.enqueue(topic, media_type, body, None).await?;
        // An events file that is also the queue file holds tasks: never prune it.
        let own_file = self.events_path != self.queue_path;
        if own_file && self.published.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == 0 {
            let retention = i64::try_from(TOPIC_RETENTION.as_millis()).unwrap_or(i64::MAX);
            let cutoff = crate::db::now_ms().saturating_sub(retention);
            match self.events.prune_before(cutoff).await {
                Ok(0) => {}
                Ok(pruned) => tracing::debug!(pruned, "old messages deleted from the events file"),
                Err(err) => tracing::warn!(error = %err, "cannot prune the events file"),
            }
        }
        Ok(())
    }

    async fn subscribe(&self, topic: &str) -> Result<Box<dyn bus::Subscription>, TransportError> {
        let follower = follow::Follower::start(&self.events_path, topic).await?;
        Ok(Box::new(follower))
    }

    async fn work(&self, work: WorkQueue, settings: ServeSettings) -> Result<Bound, BindError> {
        self.carry(&work.queue)?;
        work::bind(&self.queue_path, self.protocol, &work, settings)
    }
}
