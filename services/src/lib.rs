//! The services that ship with switchboard. Linking this crate registers
//! their methods; an [`Application`](switchboard::Application) picks them by
//! service name.
//!
//! - [`demo`]: `echo`, `sum`, `subtract`, `fail`, `sleep`: small methods used by
//!   the docs, examples, tests and benchmarks.

pub mod demo;
