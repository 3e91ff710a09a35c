//! The services that ship with switchboard. Linking this crate registers
//! their methods; an [`Application`](switchboard::Application) picks them by
//! service name.
//!
//! - [`demo`]: `echo`, `sum`, `subtract`, `fail`, `sleep`: small methods used by
//!   the docs, examples, tests and benchmarks.
//! - [`gridmap`]: maps, observers and obstacles on a grid in SQLite, what
//!   each observer sees, and the map text format with its import and export.
//! - [`hosting`]: services and protocols picked by name, as
//!   `switchboard serve` hosts them.

pub mod demo;
pub mod gridmap;
pub mod hosting;

/// The guide's examples, compiled and run as doc tests here, where every
/// transport and protocol is a dependency.
#[cfg(doctest)]
#[doc = include_str!("../../docs/guide.md")]
pub struct GuideDoctests;
