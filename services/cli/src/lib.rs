//! The library half of the `switchboard` command: how the shipped services
//! (`demo`, `gridmap`) are hosted, so that tests and benchmarks build the
//! very server the binary runs.
//!
//! - [`hosting`]: services and protocols picked by name, with the state each
//!   service needs, as `switchboard serve` hosts them.

pub mod hosting;

/// The guide's examples, compiled and run as doc tests here, where every
/// transport and protocol is a dependency.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/guide.md")]
pub struct GuideDoctests;
