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
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "pipeline".to_owned());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let server = common::server();
    let mut total = 0usize;
    for _ in 0..count {
        let reply = match which.as_str() {
            "by_hand" => common::by_hand::handle(std::hint::black_box(common::REQUEST))
                .expect("the request is an echo"),
            _ => switchboard::testing::bench::through_pipeline(
                &server,
                std::hint::black_box(common::REQUEST),
            ),
        };
        total += reply.len();
    }
    println!("{which}: {count} calls, {total} reply bytes");
}
