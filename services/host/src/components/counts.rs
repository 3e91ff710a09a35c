//! [`CallCounts`]: calls running now and calls finished, as heartbeats
//! report them, counted by an event listener on call start and end (two
//! atomic additions per call).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use switchboard::{ApplicationBuilder, Event, EventListener, Events, MethodContext, async_trait};

/// Calls in flight and done, shared by the listener and the announcer.
#[derive(Debug, Default)]
pub struct CallCounts {
    started: AtomicU64,
    done: AtomicU64,
}

impl CallCounts {
    /// `builder`, its calls counted into these counts.
    pub fn count_in(self: &Arc<Self>, builder: ApplicationBuilder) -> ApplicationBuilder {
        builder.listener(Counter(Arc::clone(self)))
    }

    /// Calls running now.
    pub fn in_flight(&self) -> u64 {
        // Read `done` first: a call ending between the two reads is then
        // still counted as running, never as less than nothing.
        let done = self.done.load(Ordering::Relaxed);
        self.started.load(Ordering::Relaxed).saturating_sub(done)
    }

    /// Calls finished.
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }
}

/// The listener counting into its [`CallCounts`].
struct Counter(Arc<CallCounts>);

#[async_trait]
impl EventListener for Counter {
    fn events(&self) -> Events {
        Events::only(Event::ContextCreated).with(Event::ContextClosed)
    }

    async fn on_event(&self, event: Event, _ctx: &MethodContext) {
        match event {
            Event::ContextCreated => self.0.started.fetch_add(1, Ordering::Relaxed),
            _ => self.0.done.fetch_add(1, Ordering::Relaxed),
        };
    }
}
