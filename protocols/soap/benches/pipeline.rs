//! A SOAP 1.1 `echo` call through the whole switchboard pipeline, against
//! the same request parsed and answered by hand-written quick-xml code, in
//! one run: the contenders alternate round by round and the medians are
//! compared, because the ratio is what holds on a shared, noisy machine.
//!
//! Run with `cargo bench -p switchboard-soap --bench pipeline`. Options
//! after `--`: `--rounds R` (default 9), `--calls N` per round (default
//! 100 000). For numbers that do not move with the machine's load, count
//! instructions instead: see `examples/profile_soap_echo.rs`.

mod common;

fn main() {
    common::bench().run(100_000);
}
