//! [`QueueProducer`]: puts tasks into the queue file; also a
//! [`ClientTransport`] for the typed [`Client`](switchboard::Client).

mod lane;

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::Bytes;
use rusqlite::{Transaction, params};
use switchboard::{
    CarriedHeaders, ClientTransport, Fingerprint, OutgoingRequest, Receipt, TransportError,
};

use crate::db::{Db, now_ms, to_ms};
use crate::error::QueueError;
use crate::options::QueueOptions;
use lane::Lane;

/// Batches up to this size try to commit on the caller's thread (see
/// [`QueueProducer::enqueue_batch`]); larger ones always go to the lane.
const QUICK_BATCH: usize = 16;

/// One task to enqueue. The names are `Cow`s so that literals
/// (`"echo".into()`) cost no allocation per task.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// The method's wire name.
    pub method: Cow<'static, str>,
    /// The media type of `data` (the producing protocol's).
    pub content_type: Cow<'static, str>,
    /// The encoded request: the bare params for protocols with a bare-params
    /// form (the JSON document), the whole request otherwise (JSON-RPC).
    pub data: Vec<u8>,
    /// After this time consumers record the task as `Client.Expired`
    /// instead of running it.
    pub expires_at: Option<SystemTime>,
}

/// Inserts tasks into a queue file. Clones share one connection.
///
/// As a [`ClientTransport`] it names the method outside the body (the
/// `method` column), so the JSON document protocol sends bare params. It
/// carries no replies: a request that expects one is refused before
/// anything is written ([`TransportError::NoReplies`]), so use one-way
/// methods or [`Client::send_one_way`](switchboard::Client::send_one_way).
/// A one-way request is answered once committed, with a [`Receipt`] whose
/// id is the new task's id in decimal (what [`enqueue`](Self::enqueue)
/// returns, and what consumers and [`QueueAdmin`](crate::QueueAdmin) show).
/// The request's deadline is not the task's expiry (see
/// [`with_task_ttl`](Self::with_task_ttl)).
#[derive(Debug, Clone)]
pub struct QueueProducer {
    db: Db,
    lane: Arc<Lane>,
    task_ttl: Option<Duration>,
    /// The producing process's fingerprint (JSON), written with each task.
    caller: Option<Arc<str>>,
}

/// A task as inserted: the task and who sent it.
#[derive(Debug)]
pub(crate) struct Row {
    task: NewTask,
    caller: Option<Arc<str>>,
    /// The carried headers as JSON, when the request had any.
    headers: Option<String>,
}

impl QueueProducer {
    /// Opens (creating and migrating if needed) the queue file at `path`.
    /// Blocks briefly: call it at startup.
    ///
    /// From now on, as long as a handle on the file is open in this
    /// process, its metrics are exported at every scrape (see
    /// [`telemetry`](crate::telemetry)).
    ///
    /// # Errors
    /// [`QueueError`] if the file cannot be opened or migrated.
    pub fn open(path: impl AsRef<Path>, options: QueueOptions) -> Result<Self, QueueError> {
        let producer = Self::open_unobserved(path.as_ref(), options)?;
        producer.db.observe();
        Ok(producer)
    }

    /// Opens the file at `path` without exporting its metrics: for files
    /// of messages rather than tasks (a bus's events file), whose depth
    /// and consumers mean nothing.
    pub(crate) fn open_unobserved(path: &Path, options: QueueOptions) -> Result<Self, QueueError> {
        let db = Db::open(path, &options)?;
        Ok(Self {
            db,
            lane: Arc::default(),
            task_ttl: None,
            caller: None,
        })
    }

    /// Writes this process's fingerprint with every task it enqueues (the
    /// `caller` column), so the method running it sees who enqueued it
    /// ([`MethodContext::caller`](switchboard::MethodContext::caller)).
    #[must_use]
    pub fn with_fingerprint(mut self, fingerprint: &Fingerprint) -> Self {
        self.caller = Some(fingerprint.to_json().into());
        self
    }

    /// Tasks sent through the [`ClientTransport`] impl expire `ttl` after
    /// they are enqueued (default: never).
    #[must_use]
    pub fn with_task_ttl(mut self, ttl: Duration) -> Self {
        self.task_ttl = Some(ttl);
        self
    }

    /// Enqueues one task and returns its id.
    ///
    /// # Errors
    /// [`QueueError::Busy`] if the file stayed locked past the busy budget,
    /// or another [`QueueError`].
    pub async fn enqueue(
        &self,
        method: &str,
        content_type: &str,
        data: impl Into<Vec<u8>>,
        expires_at: Option<SystemTime>,
    ) -> Result<i64, QueueError> {
        let headers = CarriedHeaders::default();
        self.enqueue_with_headers(method, content_type, data, expires_at, &headers)
            .await
    }

    /// As [`enqueue`](Self::enqueue), with carried headers (a signature:
    /// see [`switchboard::signing`]) kept beside the task for its
    /// consumers.
    ///
    /// # Errors
    /// As for [`enqueue`](Self::enqueue).
    pub async fn enqueue_with_headers(
        &self,
        method: &str,
        content_type: &str,
        data: impl Into<Vec<u8>>,
        expires_at: Option<SystemTime>,
        headers: &CarriedHeaders,
    ) -> Result<i64, QueueError> {
        let task = NewTask {
            method: method.to_owned().into(),
            content_type: content_type.to_owned().into(),
            data: data.into(),
            expires_at,
        };
        self.enqueue_one(Row {
            task,
            caller: self.caller.clone(),
            headers: (!headers.is_empty()).then(|| headers.to_json()),
        })
        .await
    }

    /// Deletes the rows enqueued before `cutoff` (unix ms), for files of
    /// messages nobody checkpoints (a bus's events file); returns how many.
    pub(crate) async fn prune_before(&self, cutoff: i64) -> Result<usize, QueueError> {
        self.db
            .run(move |conn| {
                conn.write(|tx| {
                    tx.execute("DELETE FROM task_queue WHERE enqueued_at < ?1", [cutoff])
                })
            })
            .await
    }

    /// Enqueues tasks in one transaction: all of them, or none if any
    /// insert fails. Returns their ids, in order.
    ///
    /// With [`Durability::Normal`](crate::Durability::Normal), a batch of
    /// up to 16 tasks that finds the file free commits right here, on the
    /// caller's thread, in about as long as parsing a small JSON body.
    /// Any other batch (one that would wait for another writer or for an
    /// `fsync` under `Full`, or a larger one) is committed on Tokio's
    /// blocking pool, together with the batches of other callers waiting
    /// at the same time: many callers share one commit (one `fsync`), but
    /// each batch still goes in whole or not at all, with its own error (a
    /// failed shared commit is retried batch by batch). Dropping the future
    /// then does not withdraw the batch.
    ///
    /// # Errors
    /// As for [`enqueue`](Self::enqueue); nothing of the batch is inserted
    /// then, except after [`QueueError::CommitLost`].
    pub async fn enqueue_batch(
        &self,
        tasks: impl IntoIterator<Item = NewTask>,
    ) -> Result<Vec<i64>, QueueError> {
        let rows: Vec<Row> = tasks
            .into_iter()
            .map(|task| Row {
                task,
                caller: self.caller.clone(),
                headers: None,
            })
            .collect();
        self.enqueue_rows(rows).await
    }

    /// Enqueues `rows` in one transaction, as
    /// [`enqueue_batch`](Self::enqueue_batch) does.
    async fn enqueue_rows(&self, tasks: Vec<Row>) -> Result<Vec<i64>, QueueError> {
        let quick = if tasks.len() <= QUICK_BATCH {
            self.db
                .try_quick(|conn| conn.write(|tx| insert_all(tx, &tasks)))
        } else {
            None
        };
        let ids = match quick {
            Some(done) => {
                let ids = done?;
                self.db.local().notify();
                ids
            }
            // The lane wakes the consumers as soon as it has committed.
            None => self.lane.submit(&self.db, tasks).await?,
        };
        tracing::debug!(tasks = ids.len(), "enqueued");
        Ok(ids)
    }

    /// Enqueues `row` alone and returns its id.
    async fn enqueue_one(&self, row: Row) -> Result<i64, QueueError> {
        let ids = self.enqueue_rows(vec![row]).await?;
        // A committed batch of one has exactly one id; the fallback is unreachable.
        ids.first().copied().ok_or(QueueError::NoSuchTask(0))
    }

    /// Inserts a one-way request as a task and returns its id; the task's
    /// content type names the request's protocol as well as its media type.
    async fn insert(&self, request: OutgoingRequest) -> Result<i64, TransportError> {
        // `Client` never sends these here; a hand-made request that expects
        // a reply is refused before anything is written all the same.
        if !request.one_way {
            return Err(TransportError::NoReplies {
                method: request.method,
            });
        }
        let expires_at = self
            .task_ttl
            .and_then(|ttl| SystemTime::now().checked_add(ttl));
        let task = NewTask {
            method: request.method.into(),
            content_type: crate::content_type::tagged(request.content_type, request.protocol)
                .into(),
            data: request.body,
            expires_at,
        };
        let headers = (!request.headers.is_empty()).then(|| request.headers.to_json());
        let row = Row {
            task,
            caller: self.caller.clone(),
            headers,
        };
        Ok(self.enqueue_one(row).await?)
    }
}

fn insert_all(tx: &Transaction<'_>, rows: &[Row]) -> rusqlite::Result<Vec<i64>> {
    let now = now_ms();
    let mut ids = Vec::with_capacity(rows.len());
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO task_queue
                 (data, method, content_type, enqueued_at, expires_at, caller, headers)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for Row {
            task,
            caller,
            headers,
        } in rows
        {
            let expires_at = task.expires_at.map(to_ms);
            insert.execute(params![
                task.data,
                task.method,
                task.content_type,
                now,
                expires_at,
                caller.as_deref(),
                headers.as_deref()
            ])?;
            ids.push(tx.last_insert_rowid());
        }
    }
    Ok(ids)
}

#[async_trait]
impl ClientTransport for QueueProducer {
    fn names_method(&self) -> bool {
        true
    }

    fn carries_replies(&self) -> bool {
        false
    }

    async fn send(&self, request: OutgoingRequest) -> Result<Option<Bytes>, TransportError> {
        self.insert(request).await?;
        Ok(None)
    }

    async fn send_one_way(&self, request: OutgoingRequest) -> Result<Receipt, TransportError> {
        let id = self.insert(request).await?;
        Ok(Receipt::with_id(id.to_string()))
    }
}
