//! The `#[rpc]` methods of the `gridmap` service, with their REST bindings
//! under `/api/maps/`. Each runs its queries through [`MapStore`] in one
//! transaction; constraints on single parameters are declared on them and
//! checked before the function runs.
//!
//! [`MapStore`]: crate::MapStore

pub(crate) mod maps;
pub(crate) mod observers;
pub(crate) mod obstacles;
pub(crate) mod visible;
