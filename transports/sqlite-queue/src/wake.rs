//! The in-process wake-up: producers and consumers of one file in one
//! process share a [`Notify`], found through a registry keyed by the file's
//! canonical path, so a consumer picks up a new task at once instead of at
//! its next poll. Other processes still rely on polling.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use tokio::sync::Notify;

type Registry = Mutex<HashMap<PathBuf, Weak<Notify>>>;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::default)
}

/// The wake-up shared by every handle on the file at `canonical_path`.
pub(crate) fn for_path(canonical_path: &Path) -> Arc<Notify> {
    let mut map = registry()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(notify) = map.get(canonical_path).and_then(Weak::upgrade) {
        return notify;
    }
    // Entries of files nobody holds any more are dropped here.
    map.retain(|_, weak| weak.strong_count() > 0);
    let notify = Arc::new(Notify::new());
    map.insert(canonical_path.to_path_buf(), Arc::downgrade(&notify));
    notify
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_path_same_notify() {
        let a = for_path(Path::new("/tmp/a.db"));
        let b = for_path(Path::new("/tmp/a.db"));
        let c = for_path(Path::new("/tmp/c.db"));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
    }
}
