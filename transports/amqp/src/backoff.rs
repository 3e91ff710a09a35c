//! [`Backoff`]: capped exponential delays with jitter, for the reconnect
//! loops of the server and the client.

use std::time::Duration;

/// Capped exponential backoff with "equal jitter": attempt `n` waits
/// between half and all of `min(max, initial * 2^n)`, so processes that
/// lost the broker together do not all come back at the same instant, and
/// none waits less than half its step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first step.
    pub initial: Duration,
    /// The largest step.
    pub max: Duration,
    /// How many attempts in a row before giving up; `None`: never give up.
    pub max_attempts: Option<u32>,
}

/// The default first reconnect step.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(100);
/// The default largest reconnect step.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(5);

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: DEFAULT_INITIAL_BACKOFF,
            max: DEFAULT_MAX_BACKOFF,
            max_attempts: None,
        }
    }
}

impl Backoff {
    /// The step of attempt `attempt` (0-based), before jitter.
    pub fn step(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.initial.saturating_mul(factor).min(self.max)
    }

    /// The delay before attempt `attempt`, with jitter.
    pub fn delay(&self, attempt: u32) -> Duration {
        let step = self.step(attempt);
        let half = step / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// Whether `attempt` (0-based) is past the limit.
    pub fn gives_up_at(&self, attempt: u32) -> bool {
        self.max_attempts.is_some_and(|max| attempt >= max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_double_up_to_the_cap_and_jitter_stays_within_the_step() {
        let backoff = Backoff::default();
        assert_eq!(backoff.step(0), Duration::from_millis(100));
        assert_eq!(backoff.step(3), Duration::from_millis(800));
        assert_eq!(backoff.step(40), DEFAULT_MAX_BACKOFF);
        for attempt in 0..10 {
            let delay = backoff.delay(attempt);
            assert!(delay >= backoff.step(attempt) / 2 && delay <= backoff.step(attempt));
        }
        assert!(!backoff.gives_up_at(1_000));
        let limited = Backoff {
            max_attempts: Some(2),
            ..backoff
        };
        assert!(limited.gives_up_at(2) && !limited.gives_up_at(1));
    }
}
