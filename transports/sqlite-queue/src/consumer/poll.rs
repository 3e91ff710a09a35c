//! Waiting on a consumer thread: the stop signal, raised when the shutdown
//! future completes or the consumer's future is dropped, and adaptive
//! polling woken early by the in-process [`Notify`](tokio::sync::Notify).
//! Waits and the pipeline run through [`Handle::block_on`], so a consumer
//! thread still drives timers, I/O and spawned tasks of the runtime.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::futures::Notified;
use tokio::sync::watch;

/// The async side of the stop signal: raises it when dropped.
#[derive(Debug)]
pub(crate) struct StopGuard {
    sender: Arc<watch::Sender<bool>>,
    watcher: tokio::task::JoinHandle<()>,
}

impl Drop for StopGuard {
    fn drop(&mut self) {
        self.watcher.abort();
        self.sender.send_replace(true);
    }
}

/// The thread side of the stop signal, and the runtime to wait on.
#[derive(Debug)]
pub(crate) struct Waiter {
    receiver: watch::Receiver<bool>,
    handle: Handle,
}

/// Watches `shutdown` on a task of the current runtime.
///
/// # Panics
/// Outside a Tokio runtime (the consumer's `run` is always inside one).
pub(crate) fn stop_signal<F>(shutdown: F) -> (StopGuard, Waiter)
where
    F: Future<Output = ()> + Send + 'static,
{
    let (sender, receiver) = watch::channel(false);
    let sender = Arc::new(sender);
    let raise = Arc::clone(&sender);
    let watcher = tokio::spawn(async move {
        shutdown.await;
        raise.send_replace(true);
    });
    let waiter = Waiter {
        receiver,
        handle: Handle::current(),
    };
    (StopGuard { sender, watcher }, waiter)
}

impl Waiter {
    /// Whether the consumer should stop.
    pub(crate) fn is_stopped(&self) -> bool {
        *self.receiver.borrow()
    }

    /// Runs `future` to completion on this thread.
    pub(crate) fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        self.handle.block_on(future)
    }

    /// Sleeps `duration`; `true` if the stop signal came first.
    pub(crate) fn sleep(&mut self, duration: Duration) -> bool {
        let receiver = &mut self.receiver;
        self.handle.block_on(async {
            tokio::select! {
                () = tokio::time::sleep(duration) => {}
                () = stopped(receiver) => {}
            }
        });
        self.is_stopped()
    }
}

/// Completes once the signal is raised (or can no longer be).
async fn stopped(receiver: &mut watch::Receiver<bool>) {
    // `Err`: the sender is gone, which also means stop.
    let _ = receiver.wait_for(|stop| *stop).await;
}

/// Adaptive polling: no wait while tasks flow; when idle, `min`, doubling
/// up to `max`, cut short by a wake-up or by the stop signal.
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

    /// Waits for a wake-up, the interval, or the stop signal. `wake` must
    /// have been enabled before the query that found nothing, so that no
    /// enqueue in between is missed.
    pub(crate) fn idle(&mut self, wake: Pin<&mut Notified<'_>>, waiter: &mut Waiter) {
        let receiver = &mut waiter.receiver;
        let interval = self.interval;
        let woken = waiter.handle.block_on(async {
            tokio::select! {
                () = wake => true,
                () = tokio::time::sleep(interval) => false,
                () = stopped(receiver) => false,
            }
        });
        if woken {
            self.busy();
        } else {
            tracing::trace!(interval_ms = interval.as_millis() as u64, "idle poll");
            self.interval = (interval * 2).min(self.max);
        }
    }
}
