//! The bench's service, `benchq.mark`, which counts deliveries and records
//! each task's enqueue→processed latency, and the helpers both contenders
//! share: the task body, the clock, the wait for a number of deliveries.
//!
//! The counters are process-wide: one case runs at a time.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use switchboard::{Application, Server, rpc};
use switchboard_json::JsonDocument;
use tokio::sync::Notify;

/// The media type of every task.
pub(crate) const JSON: &str = "application/json";

static DELIVERED: AtomicUsize = AtomicUsize::new(0);
static TARGET: AtomicUsize = AtomicUsize::new(usize::MAX);
static REACHED: Notify = Notify::const_new();
static LATENCIES_US: Mutex<Vec<u64>> = Mutex::new(Vec::new());

/// Counts one delivery of a task enqueued at `t` (µs since the epoch).
#[rpc(service = "benchq")]
fn mark(t: i64) {
    record(t);
}

/// The `benchq` service in the JSON document protocol.
pub(crate) fn server() -> Server {
    let app = Application::builder()
        .services(["benchq"])
        .build()
        .expect("the benchq service is linked into this binary");
    Server::new(app, JsonDocument)
}

/// The body of a task enqueued now: `mark`'s bare params.
pub(crate) fn body() -> Vec<u8> {
    format!(r#"{{"t":{}}}"#, now_us()).into_bytes()
}

/// The enqueue time written by [`body`] (the raw consumer's "decoding").
pub(crate) fn enqueued_at(body: &[u8]) -> i64 {
    std::str::from_utf8(body)
        .ok()
        .and_then(|s| s.strip_prefix(r#"{"t":"#)?.strip_suffix('}')?.parse().ok())
        .unwrap_or(0)
}

/// Microseconds since the Unix epoch.
pub(crate) fn now_us() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_micros()).unwrap_or(i64::MAX)
}

/// Counts one delivery of a task enqueued at `t` and records its latency.
pub(crate) fn record(t: i64) {
    let latency = u64::try_from(now_us().saturating_sub(t)).unwrap_or(0);
    LATENCIES_US
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(latency);
    let delivered = DELIVERED.fetch_add(1, Ordering::AcqRel) + 1;
    if delivered >= TARGET.load(Ordering::Acquire) {
        REACHED.notify_waiters();
    }
}

/// Starts a case: no deliveries yet, [`reached`] after `target` of them.
pub(crate) fn reset(target: usize) {
    DELIVERED.store(0, Ordering::Release);
    TARGET.store(target, Ordering::Release);
    LATENCIES_US
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clear();
}

/// Deliveries since the last [`reset`].
pub(crate) fn delivered() -> usize {
    DELIVERED.load(Ordering::Acquire)
}

/// Completes once the target of the last [`reset`] is reached.
pub(crate) async fn reached() {
    loop {
        let notified = REACHED.notified();
        tokio::pin!(notified);
        // Armed before the check, so a delivery in between is not missed.
        notified.as_mut().enable();
        if delivered() >= TARGET.load(Ordering::Acquire) {
            return;
        }
        notified.await;
    }
}

/// The latencies recorded since the last [`reset`], in µs.
pub(crate) fn take_latencies() -> Vec<u64> {
    std::mem::take(
        &mut *LATENCIES_US
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    )
}
