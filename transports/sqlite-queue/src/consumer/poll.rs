//! Waiting on a consumer thread: the stop signal, raised when the shutdown
//! future completes or the consumer's future is dropped, and adaptive
//! polling woken early by the in-process [`Notify`](tokio::sync::Notify).
//!
//! The pipeline runs through [`Handle::block_on`], so a consumer thread
//! still drives timers, I/O and spawned tasks of the runtime. Idle waits
//! do not: Tokio's timer rounds up to whole milliseconds, which would add
//! half a millisecond to every pickup by polling. They park the thread
//! with a precise timeout instead, woken by the wake-up or the stop signal
//! (neither needs a runtime driver).

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

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

/// The thread side of the stop signal, the runtime to wait on, and work
/// to repeat while a task runs.
#[derive(Debug)]
pub(crate) struct Waiter {
    receiver: watch::Receiver<bool>,
    handle: Handle,
    renewal: Option<Renewal>,
}

/// Work repeated every `every` while a task runs or waits between retries
/// (a group member renewing its lease).
pub(crate) struct Renewal {
    /// The interval.
    pub(crate) every: Duration,
    /// The work; it must not fail (it logs instead).
    pub(crate) renew: Box<dyn FnMut() + Send>,
}

impl std::fmt::Debug for Renewal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renewal")
            .field("every", &self.every)
            .finish_non_exhaustive()
    }
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
        renewal: None,
    };
    (StopGuard { sender, watcher }, waiter)
}

impl Waiter {
    /// Whether the consumer should stop.
    pub(crate) fn is_stopped(&self) -> bool {
        *self.receiver.borrow()
    }

    /// Sets (or clears) the work to repeat while a task runs.
    pub(crate) fn set_renewal(&mut self, renewal: Option<Renewal>) {
        self.renewal = renewal;
    }

    /// Runs `future` to completion on this thread, renewing meanwhile.
    pub(crate) fn block_on<T>(&mut self, future: impl Future<Output = T>) -> T {
        let Some(renewal) = &mut self.renewal else {
            return self.handle.block_on(future);
        };
        self.handle.block_on(async {
            let mut future = pin!(future);
            let every = renewal.every;
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    biased;
                    output = &mut future => return output,
                    _ = ticks.tick() => (renewal.renew)(),
                }
            }
        })
    }

    /// Sleeps `duration`, renewing meanwhile; `true` if the stop signal
    /// came first.
    pub(crate) fn sleep(&mut self, duration: Duration) -> bool {
        let deadline = Instant::now() + duration;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let step = self.renewal.as_ref().map_or(left, |r| r.every.min(left));
            if wait_for(stopped(&mut self.receiver), step).is_some() || left <= step {
                return self.is_stopped();
            }
            if let Some(renewal) = &mut self.renewal {
                (renewal.renew)();
            }
        }
    }
}

/// Polls `future` on this thread until it completes (`Some`) or `timeout`
/// passes (`None`), parking in between. Only for futures that need no
/// runtime driver to make progress.
fn wait_for<F: Future>(future: F, timeout: Duration) -> Option<F::Output> {
    let deadline = Instant::now() + timeout;
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Some(output);
        }
        // Spurious returns from `park_timeout` just go round again.
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        thread::park_timeout(left);
    }
}

/// Wakes a parked thread.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
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
        let woken = wait_for(
            async {
                tokio::select! {
                    biased;
                    () = stopped(receiver) => false,
                    () = wake => true,
                }
            },
            interval,
        );
        if woken == Some(true) {
            self.busy();
        } else {
            tracing::trace!(interval_ms = interval.as_millis() as u64, "idle poll");
            self.interval = (interval * 2).min(self.max);
        }
    }
}
