//! The `#[rpc]` methods of the `stats` service, with their REST bindings
//! under `/api/sensors/`, and the worker method `compute_stats`.

pub(crate) mod measurements;
pub(crate) mod sensors;
pub(crate) mod stats;
pub(crate) mod worker;
