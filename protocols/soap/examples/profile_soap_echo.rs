//! Runs the SOAP pipeline bench's two paths a fixed number of times, for
//! instruction-count profiling (`valgrind --tool=callgrind`), which is
//! steadier than wall time on a shared machine.
//!
//! Build with `cargo build --release -p switchboard-soap --example profile_soap_echo`, then run
//! `valgrind --tool=callgrind target/release/examples/profile_soap_echo pipeline 30000`
//! (and `by_hand`), and again with 10000: the difference over 20 000 is the
//! count per call, without start-up.

#[path = "../benches/common/mod.rs"]
mod common;

fn main() {
    common::bench().profile();
}
