//! [`Draining`]: the switch a host turns on when its process stops taking
//! new work (a `drain`, `quit` or `restart` command, a shutdown signal),
//! read by the transports that keep serving while they drain
//! ([`TransportEntry::drains_in_place`](super::TransportEntry::drains_in_place)):
//! HTTP keeps its listener open and answers new calls `503 Service
//! Unavailable` with `Retry-After`, so a load balancer sends them
//! elsewhere, while the calls already running finish.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the process is draining; clones share the switch.
#[derive(Debug, Clone, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    /// A switch, off.
    pub fn new() -> Self {
        Self::default()
    }

    /// Turns draining on: from now on, new calls are refused.
    pub fn start(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether draining is on (one atomic load).
    pub fn is_on(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::Draining;

    #[test]
    fn clones_share_the_switch() {
        let draining = Draining::new();
        let seen_by_transport = draining.clone();
        assert!(!seen_by_transport.is_on());
        draining.start();
        assert!(seen_by_transport.is_on());
    }
}
