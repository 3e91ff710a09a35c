//! A SOAP 1.1 `echo` call through the whole switchboard pipeline, against
//! the same request parsed and answered by hand-written quick-xml code, in
//! one run: the contenders alternate round by round and the medians are
//! compared, because the ratio is what holds on a shared, noisy machine.
//!
//! Run with `cargo bench -p switchboard-soap --bench pipeline`. Options
//! after `--`: `--rounds R` (default 9), `--calls N` per round (default
//! 100 000). For numbers that do not move with the machine's load, count
//! instructions instead: see `examples/profile_echo.rs`.

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use common::{REQUEST, by_hand, run};
use switchboard::local::LocalClient;
use switchboard::{Client, RequestInfo, TransportFacts};
use switchboard_demo::Echo;
use switchboard_soap::Soap;

/// One contender: a name and one call.
struct Contender<'a> {
    name: &'static str,
    call: Box<dyn FnMut() + 'a>,
}

fn main() {
    let (rounds, calls) = options();
    let server = common::server();
    let expected = by_hand::handle(REQUEST).expect("the request is an echo");
    let reply = run(server.process(RequestInfo::new(REQUEST, TransportFacts::NONE)));
    assert_eq!(
        reply.body.as_deref(),
        Some(expected.as_slice()),
        "both answer the same bytes"
    );
    let client = Client::new(
        Arc::new(LocalClient::direct(server.clone())),
        Arc::new(Soap::new()),
    );
    let mut contenders = [
        Contender {
            name: "hand-written quick-xml",
            call: Box::new(|| {
                black_box(by_hand::handle(black_box(REQUEST)));
            }),
        },
        Contender {
            name: "switchboard pipeline",
            call: Box::new(|| {
                black_box(common::through_pipeline(&server, black_box(REQUEST)));
            }),
        },
        Contender {
            name: "typed client round trip",
            call: Box::new(|| {
                let call = Echo {
                    s: "hello, world".to_owned(),
                };
                black_box(run(client.call(black_box(call))).expect("echo answers"));
            }),
        },
    ];
    // Warm up every path once, then alternate.
    for contender in &mut contenders {
        for _ in 0..calls / 10 {
            (contender.call)();
        }
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); contenders.len()];
    for _ in 0..rounds {
        for (contender, times) in contenders.iter_mut().zip(&mut times) {
            let start = Instant::now();
            for _ in 0..calls {
                (contender.call)();
            }
            times.push(start.elapsed().as_secs_f64() * 1e9 / calls as f64);
        }
    }
    let medians: Vec<f64> = times.iter_mut().map(|t| median(t)).collect();
    println!("soap echo, median of {rounds} alternating rounds of {calls} calls");
    for (contender, (median, times)) in contenders.iter().zip(medians.iter().zip(&times)) {
        let (low, high) = (times[0], times[times.len() - 1]);
        println!(
            "  {:<26} {median:>8.1} ns/call  (rounds {low:.1}..{high:.1}, {:.2}x hand-written)",
            contender.name,
            median / medians[0]
        );
    }
}

/// The median of `values`, which it sorts.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// `--rounds R` and `--calls N` (cargo's own `--bench` is ignored).
fn options() -> (usize, usize) {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str, default: usize| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .filter(|&n| n > 0)
            .unwrap_or(default)
    };
    (value("--rounds", 9), value("--calls", 100_000))
}
