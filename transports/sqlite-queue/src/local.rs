//! What handles on one queue file in one process share, found through a
//! registry keyed by the file's canonical path:
//!
//! - the wake-up: a [`Notify`] producers raise after a commit, so a
//!   consumer in the same process picks the task up at once instead of at
//!   its next poll (other processes still rely on polling);
//! - the writer gate: a mutex every write transaction of this process
//!   takes before `BEGIN IMMEDIATE`, so writers in one process queue for
//!   each other in microseconds instead of meeting SQLite's lock and
//!   sleeping in the busy handler. Writers in other processes still meet
//!   the lock (and the busy handler);
//! - the scrape hook exporting the file's metrics
//!   ([`crate::telemetry`]): one per file, whatever the handles on it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, TryLockError, Weak};

use switchboard::telemetry::ScrapeHook;
use tokio::sync::Notify;

/// The in-process state of one queue file.
#[derive(Debug, Default)]
pub(crate) struct FileLocal {
    wake: Notify,
    writers: Mutex<()>,
    /// Registered by the first handle that observes the file; removed
    /// when the last handle on it is dropped.
    scrape: OnceLock<ScrapeHook>,
}

impl FileLocal {
    /// The wake-up consumers wait on.
    pub(crate) fn wake(&self) -> &Notify {
        &self.wake
    }

    /// Wakes every consumer of the file in this process.
    pub(crate) fn notify(&self) {
        self.wake.notify_waiters();
    }

    /// Waits for the writer gate.
    pub(crate) fn writer(&self) -> MutexGuard<'_, ()> {
        self.writers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers the scrape hook exporting the metrics of the file at
    /// `path` under the label `queue`, unless it is registered already.
    pub(crate) fn observe(&self, path: &Path, queue: &Arc<str>) {
        self.scrape
            .get_or_init(|| crate::telemetry::watch(path.to_path_buf(), Arc::clone(queue)));
    }

    /// The writer gate if it is free now.
    pub(crate) fn try_writer(&self) -> Option<MutexGuard<'_, ()>> {
        match self.writers.try_lock() {
            Ok(guard) => Some(guard),
            Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }
}

type Registry = Mutex<HashMap<PathBuf, Weak<FileLocal>>>;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::default)
}

/// The state shared by every handle on the file at `canonical_path`.
pub(crate) fn for_path(canonical_path: &Path) -> Arc<FileLocal> {
    let mut map = registry()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(local) = map.get(canonical_path).and_then(Weak::upgrade) {
        return local;
    }
    // Entries of files nobody holds any more are dropped here.
    map.retain(|_, weak| weak.strong_count() > 0);
    let local = Arc::new(FileLocal::default());
    map.insert(canonical_path.to_path_buf(), Arc::downgrade(&local));
    local
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_path_same_state() {
        let a = for_path(Path::new("/tmp/a.db"));
        let b = for_path(Path::new("/tmp/a.db"));
        let c = for_path(Path::new("/tmp/c.db"));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
    }

    #[test]
    fn the_gate_admits_one_writer() {
        let local = for_path(Path::new("/tmp/gate.db"));
        let held = local.writer();
        assert!(local.try_writer().is_none());
        drop(held);
        assert!(local.try_writer().is_some());
    }
}
