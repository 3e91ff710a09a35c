//! The global registry of `#[rpc]` methods, filled at link time by `inventory`.
//!
//! Methods defined in any crate linked into the binary are found here; an
//! [`Application`](crate::Application) picks the ones it serves.

use crate::method::MethodDescriptor;

/// One registered method. Created by `#[rpc]`; not meant to be built by hand.
#[derive(Debug)]
pub struct Registration(pub &'static MethodDescriptor);

inventory::collect!(Registration);

/// Every method registered in this binary, in no particular order.
pub fn registered() -> impl Iterator<Item = &'static MethodDescriptor> {
    inventory::iter::<Registration>.into_iter().map(|reg| reg.0)
}

/// The names of every registered service, sorted, without duplicates.
pub fn services() -> Vec<&'static str> {
    let mut names: Vec<_> = registered().map(|method| method.service).collect();
    names.sort_unstable();
    names.dedup();
    names
}
