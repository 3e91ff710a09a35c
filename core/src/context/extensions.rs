//! [`Extensions`]: a type map for user data on a [`MethodContext`](super::MethodContext).
//!
//! Listeners, call wrappers and functions all hold `&MethodContext`, so the
//! map is written through a shared reference (behind a mutex that is never
//! contended: one call's stages run one at a time).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard};

type Map = HashMap<TypeId, Box<dyn Any + Send + Sync>>;

/// A map from type to one value of that type. Allocates only when first used.
///
/// ```
/// use switchboard::Extensions;
///
/// #[derive(Clone, Debug, PartialEq)]
/// struct Tenant(String);
///
/// let ext = Extensions::default();
/// assert_eq!(ext.insert(Tenant("acme".into())), None);
/// assert_eq!(ext.get::<Tenant>(), Some(Tenant("acme".into())));
/// assert_eq!(ext.with(|tenant: Option<&Tenant>| tenant.map(|t| t.0.len())), Some(4));
/// ```
#[derive(Default)]
pub struct Extensions {
    // Boxed to keep the context (and every request future) small; most
    // calls never store user data.
    #[allow(clippy::box_collection)]
    map: Mutex<Option<Box<Map>>>,
}

impl Extensions {
    fn lock(&self) -> MutexGuard<'_, Option<Box<Map>>> {
        // A panic while holding the lock leaves a map that is still a valid
        // map: keep using it.
        self.map
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores `value`, returning the previous value of that type.
    pub fn insert<T: Send + Sync + 'static>(&self, value: T) -> Option<T> {
        let old = self
            .lock()
            .get_or_insert_with(Box::default)
            .insert(TypeId::of::<T>(), Box::new(value))?;
        old.downcast().ok().map(|boxed| *boxed)
    }

    /// A clone of the value of type `T`, if one was stored.
    pub fn get<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        self.with(|value: Option<&T>| value.cloned())
    }

    /// Runs `f` with the value of type `T` (if any) borrowed.
    pub fn with<T: Send + Sync + 'static, R>(&self, f: impl FnOnce(Option<&T>) -> R) -> R {
        let guard = self.lock();
        let value = guard
            .as_ref()
            .and_then(|map| map.get(&TypeId::of::<T>()))
            .and_then(|value| value.downcast_ref());
        f(value)
    }

    /// Removes and returns the value of type `T`.
    pub fn remove<T: Send + Sync + 'static>(&self) -> Option<T> {
        let old = self.lock().as_mut()?.remove(&TypeId::of::<T>())?;
        old.downcast().ok().map(|boxed| *boxed)
    }
}

impl fmt::Debug for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.lock().as_ref().map_or(0, |map| map.len());
        f.debug_struct("Extensions").field("len", &len).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_one_value_per_type() {
        let ext = Extensions::default();
        assert_eq!(ext.insert(1u32), None);
        assert_eq!(ext.insert(2u32), Some(1));
        ext.insert("tag");
        assert_eq!(ext.get::<u32>(), Some(2));
        assert_eq!(ext.remove::<u32>(), Some(2));
        assert_eq!(ext.get::<u32>(), None);
        assert_eq!(ext.get::<&str>(), Some("tag"));
    }
}
