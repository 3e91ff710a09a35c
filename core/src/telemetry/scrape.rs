//! Scrape hooks: values read when metrics are rendered rather than kept
//! up to date (a queue's depth, a consumer's lag), so that nothing is read
//! between scrapes.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

type Hook = Arc<dyn Fn() + Send + Sync>;

/// Every registered hook, with its id.
static HOOKS: Mutex<Vec<(u64, Hook)>> = Mutex::new(Vec::new());
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Runs `hook` before every rendering of the metrics (see
/// [`run_scrape_hooks`]) until the returned guard is dropped. The hook
/// sets gauges from state read at that moment; it must be quick.
///
/// ```
/// use switchboard::telemetry::{on_scrape, run_scrape_hooks};
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::sync::Arc;
///
/// let runs = Arc::new(AtomicU32::new(0));
/// let counted = Arc::clone(&runs);
/// let hook = on_scrape(move || {
///     counted.fetch_add(1, Ordering::Relaxed);
/// });
/// run_scrape_hooks();
/// drop(hook);
/// run_scrape_hooks();
/// assert_eq!(runs.load(Ordering::Relaxed), 1);
/// ```
#[must_use = "the hook is removed when the guard is dropped"]
pub fn on_scrape(hook: impl Fn() + Send + Sync + 'static) -> ScrapeHook {
    let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    hooks().push((id, Arc::new(hook)));
    ScrapeHook { id }
}

/// Runs every registered hook: the exporter calls it before rendering.
pub fn run_scrape_hooks() {
    // Cloned out, so a hook may register or drop hooks itself.
    let hooks: Vec<Hook> = hooks().iter().map(|(_, hook)| Arc::clone(hook)).collect();
    for hook in hooks {
        hook();
    }
}

fn hooks() -> std::sync::MutexGuard<'static, Vec<(u64, Hook)>> {
    // A hook that panicked leaves the list itself intact.
    HOOKS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Keeps a hook registered; dropping it removes the hook.
pub struct ScrapeHook {
    id: u64,
}

impl Drop for ScrapeHook {
    fn drop(&mut self) {
        hooks().retain(|(id, _)| *id != self.id);
    }
}

impl fmt::Debug for ScrapeHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScrapeHook").field("id", &self.id).finish()
    }
}
