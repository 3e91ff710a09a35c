//! Waiting: the stop signal raised by the shutdown future, and adaptive
//! polling woken early by the in-process [`Notify`](tokio::sync::Notify).

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

/// Raised once the shutdown future completes.
#[derive(Debug)]
pub(crate) struct Stop {
    receiver: watch::Receiver<bool>,
    watcher: tokio::task::JoinHandle<()>,
}

impl Stop {
    /// Watches `shutdown` on a task of its own.
    pub(crate) fn new<F>(shutdown: F) -> Self
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let (sender, receiver) = watch::channel(false);
        let watcher = tokio::spawn(async move {
            shutdown.await;
            let _ = sender.send(true);
        });
        Self { receiver, watcher }
    }

    /// Whether shutdown was asked for.
    pub(crate) fn is_stopped(&self) -> bool {
        *self.receiver.borrow()
    }

    /// Sleeps `duration`; `true` if shutdown came first.
    pub(crate) async fn sleep(&mut self, duration: Duration) -> bool {
        tokio::select! {
            () = tokio::time::sleep(duration) => self.is_stopped(),
            () = self.stopped() => true,
        }
    }

    async fn stopped(&mut self) {
        // `Err`: the sender is gone, so the flag will not change any more.
        while !self.is_stopped() && self.receiver.changed().await.is_ok() {}
        if !self.is_stopped() {
            std::future::pending::<()>().await;
        }
    }
}

impl Drop for Stop {
    fn drop(&mut self) {
        self.watcher.abort();
    }
}

/// Adaptive polling: no wait while tasks flow; when idle, `min`, doubling
/// up to `max`, cut short by a wake-up or by shutdown.
#[derive(Debug)]
pub(crate) struct Poller {
    interval: Duration,
    min: Duration,
    max: Duration,
}

impl Poller {
    /// A poller between `min` and `max`.
    pub(crate) fn new(min: Duration, max: Duration) -> Self {
        Self {
            interval: min,
            min,
            max: max.max(min),
        }
    }

    /// Tasks were found: the next idle wait starts short again.
    pub(crate) fn busy(&mut self) {
        self.interval = self.min;
    }

    /// Waits for a wake-up, the interval, or shutdown. `wake` must have been
    /// armed before the query that found nothing, so no enqueue is missed.
    pub(crate) async fn idle(
        &mut self,
        wake: std::pin::Pin<&mut tokio::sync::futures::Notified<'_>>,
        stop: &mut Stop,
    ) {
        tokio::select! {
            () = wake => self.busy(),
            () = tokio::time::sleep(self.interval) => {
                tracing::trace!(interval_ms = self.interval.as_millis() as u64, "idle poll");
                self.interval = (self.interval * 2).min(self.max);
            }
            () = stop.stopped() => {}
        }
    }
}
