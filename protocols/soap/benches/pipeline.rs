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

use std::hint::black_box;
use std::sync::Arc;

use common::{REQUEST, by_hand};
use switchboard::Client;
use switchboard::local::LocalClient;
use switchboard::testing::bench::{Contender, alternate, options, run_ready, through_pipeline};
use switchboard_demo::Echo;
use switchboard_soap::Soap;

fn main() {
    let (rounds, calls) = options(100_000);
    let server = common::server();
    let expected = by_hand::handle(REQUEST).expect("the request is an echo");
    assert_eq!(
        through_pipeline(&server, REQUEST),
        expected,
        "both answer the same bytes"
    );
    let client = Client::new(
        Arc::new(LocalClient::direct(server.clone())),
        Arc::new(Soap::new()),
    );
    let mut contenders = [
        Contender::new("hand-written quick-xml", || {
            black_box(by_hand::handle(black_box(REQUEST)));
        }),
        Contender::new("switchboard pipeline", || {
            black_box(through_pipeline(&server, black_box(REQUEST)));
        }),
        Contender::new("typed client round trip", || {
            let call = Echo {
                s: "hello, world".to_owned(),
            };
            black_box(run_ready(client.call(black_box(call))).expect("echo answers"));
        }),
    ];
    alternate("soap echo", &mut contenders, rounds, calls);
}
