//! The application both suites run: the `demo` service with a call wrapper
//! that misbehaves on request, and a listener recording what ran.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use tokio::sync::Notify;

use crate::SLOW_FOR;
use switchboard::Reply;
use switchboard::{Application, Fault, Limits, MethodContext};
use switchboard::{CallWrapper, Event, EventListener, Next};

/// An `echo` argument starting with this makes the call panic.
pub const PANIC: &str = "conformance:panic";
/// An `echo` argument starting with this makes the call take [`SLOW_FOR`].
pub const SLOW: &str = "conformance:slow";

/// The body limit the suites set, so oversize requests stay small.
pub(super) const MAX_BODY: usize = 64 * 1024;

/// One call the application ran (or began to run).
#[derive(Debug, Clone)]
pub(super) struct Ran {
    /// The method's name.
    pub(super) method: &'static str,
    /// The bytes of the request that carried it.
    pub(super) request: Bytes,
    /// Whether it has finished (returned or failed).
    pub(super) finished: bool,
}

/// What ran, shared with the listener.
#[derive(Debug, Default)]
pub(super) struct Record {
    ran: Mutex<Vec<Ran>>,
    changed: Notify,
}

impl Record {
    fn lock(&self) -> MutexGuard<'_, Vec<Ran>> {
        // A check that panicked mid-push leaves a usable list.
        self.ran.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every call seen so far.
    pub(super) fn snapshot(&self) -> Vec<Ran> {
        self.lock().clone()
    }

    /// Waits until `done` holds for what ran, or `limit` passes; returns
    /// whether it held.
    pub(super) async fn wait_for(&self, limit: Duration, done: impl Fn(&[Ran]) -> bool) -> bool {
        let until = Instant::now() + limit;
        loop {
            let changed = self.changed.notified();
            if done(&self.lock()) {
                return true;
            }
            if tokio::time::timeout_at(until.into(), changed)
                .await
                .is_err()
            {
                return done(&self.lock());
            }
        }
    }
}

/// The listener that fills a [`Record`] (a type of this crate, so that it
/// may implement `switchboard`'s trait).
#[derive(Debug)]
struct Recording(Arc<Record>);

#[async_trait]
impl EventListener for Recording {
    async fn on_event(&self, event: Event, ctx: &MethodContext) {
        let Recording(record) = self;
        let Some(method) = ctx.method().map(|m| m.name) else {
            return;
        };
        let request = ctx.request().in_bytes.clone();
        {
            let mut ran = record.lock();
            match event {
                Event::MethodCall => ran.push(Ran {
                    method,
                    request,
                    finished: false,
                }),
                Event::MethodReturn | Event::MethodException => {
                    if let Some(call) = ran
                        .iter_mut()
                        .rev()
                        .find(|r| !r.finished && r.method == method && r.request == request)
                    {
                        call.finished = true;
                    }
                }
                _ => return,
            }
        }
        record.changed.notify_waiters();
    }
}

/// Panics or dawdles when `echo` is asked to.
#[derive(Debug)]
struct Misbehave;

#[async_trait]
impl CallWrapper for Misbehave {
    async fn call(&self, next: Next<'_>) -> Result<Reply, Fault> {
        if next.method().name == "echo" {
            let body = next.context().in_bytes();
            if contains(body, PANIC.as_bytes()) {
                panic!("conformance suite: this method panics on purpose");
            }
            if contains(body, SLOW.as_bytes()) {
                tokio::time::sleep(SLOW_FOR).await;
            }
        }
        next.run().await
    }
}

pub(super) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The demo application with the wrapper, the recorder and small limits.
///
/// # Errors
/// A message saying why, if the application does not build (a binary that
/// also links a method of the same name in another service).
pub(super) fn application() -> Result<(Application, Arc<Record>), String> {
    let record = Arc::new(Record::default());
    let limits = Limits {
        max_body_bytes: MAX_BODY,
        ..Limits::default()
    };
    let app = Application::builder()
        // Naming the crate is also what links it, and with it the methods
        // `#[rpc]` registered there.
        .services([switchboard_demo::SERVICE])
        .limits(limits)
        .listener(Recording(Arc::clone(&record)))
        .call_wrapper(Misbehave)
        .build()
        .map_err(|err| format!("the suites' `demo` application does not build: {err}"))?;
    Ok((app, record))
}
