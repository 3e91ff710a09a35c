//! One task through the pipeline: building its [`RequestInfo`], the
//! failure policy, and the failure record.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use rusqlite::types::ValueRef;
use rusqlite::{Transaction, params};
use switchboard::protocol::{pick_protocol, protocol_tag};
use switchboard::{CarriedHeaders, Fault, Fingerprint, RequestInfo, Server, TransportFacts};

use crate::facts::QueueFacts;

use super::poll::Waiter;
use crate::db::now_ms;
use crate::options::FailurePolicy;
use crate::telemetry::Meters;

/// The transport's name in log lines, as its facts give it to spans.
const TRANSPORT: &str = "sqlite-queue";

/// The fault code of a task whose `expires_at` had passed.
pub const EXPIRED: &str = "Client.Expired";
/// The fault code of a group task whose members died `max_deliveries` times.
pub const TOO_MANY_DELIVERIES: &str = "Server.TooManyDeliveries";

/// A task as read from `task_queue`.
#[derive(Debug, Clone)]
pub(crate) struct Task {
    pub(crate) id: i64,
    pub(crate) data: Bytes,
    pub(crate) method: String,
    pub(crate) content_type: String,
    pub(crate) expires_at: Option<i64>,
    /// Who enqueued it (its fingerprint's JSON), if the producer said.
    pub(crate) caller: Option<String>,
    /// When it was enqueued (unix ms).
    pub(crate) enqueued_at: i64,
    /// The carried headers it was enqueued with.
    pub(crate) headers: CarriedHeaders,
}

impl Task {
    /// Reads the columns `id, data, method, content_type, expires_at,
    /// caller, enqueued_at, headers`. A `caller` or `headers` that is not
    /// text (another program's row) is none.
    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        let caller = match row.get_ref(5)? {
            ValueRef::Text(text) => Some(String::from_utf8_lossy(text).into_owned()),
            _ => None,
        };
        Ok(Self {
            id: row.get(0)?,
            data: Bytes::from(row.get::<_, Vec<u8>>(1)?),
            method: row.get(2)?,
            content_type: row.get(3)?,
            expires_at: row.get(4)?,
            caller,
            enqueued_at: row.get(6)?,
            headers: match row.get_ref(7)? {
                ValueRef::Text(text) => CarriedHeaders::from_json(&String::from_utf8_lossy(text)),
                _ => CarriedHeaders::default(),
            },
        })
    }
}

/// How a task ended for this consumer.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// It ran without a fault.
    Done,
    /// It failed (after `attempts` runs) and must be recorded.
    Failed {
        /// The last fault.
        fault: Fault,
        /// How many times it ran (0: not at all, e.g. expired).
        attempts: u32,
    },
    /// Shutdown came during a retry backoff, or the task failed after it
    /// came: the task is not passed.
    Interrupted,
}

/// Runs `task`, retrying per `policy` (a task the pipeline refused whole,
/// [`Response::refused`](switchboard::Response::refused), is not retried). `delivery` is how often the task was
/// delivered before (groups; 0 for fan-out consumers). Its pickup is
/// recorded in `meters` first.
pub(crate) fn run(
    server: &Server,
    task: &Task,
    worker_id: &Arc<str>,
    delivery: u32,
    policy: FailurePolicy,
    waiter: &mut Waiter,
    meters: &Meters,
) -> Outcome {
    meters.picked_up(task.enqueued_at);
    if let Some(fault) = refusal(server, task) {
        return Outcome::Failed { fault, attempts: 0 };
    }
    let (max_attempts, backoff) = match policy {
        FailurePolicy::Retry {
            max_attempts,
            backoff,
        } => (max_attempts.max(1), backoff),
        FailurePolicy::Record | FailurePolicy::Halt => (1, Duration::ZERO),
    };
    let mut attempt = 0;
    loop {
        let fault = match run_once(server, task, worker_id, delivery + attempt, waiter) {
            None => return Outcome::Done,
            // Refused whole (a bad signature, a reply place not allowed):
            // it would be refused again, so it is recorded at once.
            Some((fault, true)) => {
                return Outcome::Failed {
                    fault,
                    attempts: attempt + 1,
                };
            }
            Some((fault, false)) => fault,
        };
        if waiter.is_stopped() {
            // It may have failed only because the program is going down
            // (a runtime shutting down fails timers): not passed, so the
            // next run of this consumer meets it again.
            tracing::info!(task_id = task.id, method = %task.method, code = %fault.code, "task failed while stopping; left for the next run");
            return Outcome::Interrupted;
        }
        attempt += 1;
        if attempt >= max_attempts {
            return Outcome::Failed {
                fault,
                attempts: attempt,
            };
        }
        tracing::warn!(
            task_id = task.id,
            method = %task.method,
            transport = TRANSPORT,
            code = %fault.code,
            attempt,
            "task failed; retrying"
        );
        if waiter.sleep(backoff.saturating_mul(attempt)) {
            return Outcome::Interrupted;
        }
    }
}

/// Faults found without running the task: expired, or written in another
/// media type or protocol than the consumer reads.
fn refusal(server: &Server, task: &Task) -> Option<Fault> {
    if task.expires_at.is_some_and(|at| at <= now_ms()) {
        return Some(Fault::new(EXPIRED, "the task expired before it ran"));
    }
    let reader = server.in_protocol();
    let (expected, reads) = (reader.content_type(), reader.name());
    // A tag naming another protocol is refused even if the media type is
    // the same: the two JSON protocols would misread each other's tasks.
    if pick_protocol(&task.content_type, [(reads, expected)]).is_none() {
        let written_in = protocol_tag(&task.content_type);
        let written = written_in.map_or(String::new(), |name| format!(" in protocol `{name}`"));
        return Some(Fault::new(
            switchboard::code::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "the task was written as `{}`{written}, and this consumer reads `{expected}` in \
                 protocol `{reads}`: producer and consumer must use the same protocol",
                task.content_type
            ),
        ));
    }
    None
}

fn run_once(
    server: &Server,
    task: &Task,
    worker_id: &Arc<str>,
    attempt: u32,
    waiter: &mut Waiter,
) -> Option<(Fault, bool)> {
    let facts = TransportFacts::new(QueueFacts {
        worker_id: Arc::clone(worker_id),
        task_id: task.id,
        attempt,
    });
    let mut request = RequestInfo::new(task.data.clone(), facts).with_headers(task.headers.clone());
    if let Some(caller) = task
        .caller
        .as_deref()
        .and_then(|json| Fingerprint::from_peer(json.as_bytes()))
    {
        request = request.with_caller(caller);
    }
    if server.in_protocol().accepts_named_method() {
        request = request.with_method(task.method.as_str());
    }
    let started = std::time::Instant::now();
    let response = waiter.block_on(server.process(request));
    // One-way transport: the reply is logged, not sent. One line per task
    // at `info`, so an operator sees work happening.
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    match &response.any_fault {
        None => tracing::info!(
            task_id = task.id,
            method = %task.method,
            attempt,
            micros,
            reply_bytes = response.body.as_ref().map_or(0, Vec::len),
            "task done"
        ),
        Some(fault) => tracing::info!(
            task_id = task.id,
            method = %task.method,
            attempt,
            micros,
            code = %fault.code,
            "task failed"
        ),
    }
    response.any_fault.map(|fault| (fault, response.refused))
}

/// A row for the `failures` table.
#[derive(Debug, Clone)]
pub(crate) struct FailureRow {
    pub(crate) worker_id: String,
    pub(crate) group: Option<String>,
    pub(crate) task_id: i64,
    /// The task's method, for the log line (the table does not keep it).
    pub(crate) method: String,
    pub(crate) fault: Fault,
    pub(crate) attempts: u32,
}

impl FailureRow {
    /// Inserts the row in the caller's transaction.
    pub(crate) fn insert(&self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        // Outside the call's span (fan-out consumers record failures with
        // their checkpoint): the line names the call itself.
        tracing::warn!(
            task_id = self.task_id,
            method = %self.method,
            transport = TRANSPORT,
            worker_id = %self.worker_id,
            group = self.group.as_deref().unwrap_or(""),
            code = %self.fault.code,
            attempts = self.attempts,
            "task failed; recorded"
        );
        tx.prepare_cached(
            "INSERT INTO failures
                (worker_id, group_name, task_id, faultcode, faultstring, failed_at, attempts)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            self.worker_id,
            self.group,
            self.task_id,
            self.fault.code(),
            self.fault.message(),
            now_ms(),
            self.attempts
        ])?;
        Ok(())
    }
}
