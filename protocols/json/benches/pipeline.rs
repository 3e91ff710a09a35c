//! A JSON-RPC `echo` call through the whole switchboard pipeline, against
//! the same request parsed and answered by hand-written `serde_json` code,
//! in one run (the ratio is what matters on a shared machine).
//!
//! Run with `cargo bench -p switchboard-json --bench pipeline`.

mod common;

use std::hint::black_box;
use std::sync::Arc;

use common::{REQUEST, by_hand, run};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use switchboard::local::LocalClient;
use switchboard::{Client, RequestInfo, TransportFacts};
use switchboard_demo::Echo;
use switchboard_json::JsonRpc;

fn pipeline(c: &mut Criterion) {
    let server = common::server();
    let expected = by_hand::handle(REQUEST);
    let reply = run(server.process(RequestInfo::new(REQUEST, TransportFacts::NONE)));
    assert_eq!(
        reply.body.as_deref(),
        Some(expected.as_slice()),
        "both answer the same bytes"
    );

    let mut group = c.benchmark_group("jsonrpc_echo");
    group.throughput(Throughput::Elements(1));
    group.bench_function("hand_written_serde_json", |b| {
        b.iter(|| by_hand::handle(black_box(REQUEST)));
    });
    group.bench_function("switchboard_pipeline", |b| {
        b.iter(|| common::through_pipeline(&server, black_box(REQUEST)));
    });
    let client = Client::new(
        Arc::new(LocalClient::direct(server.clone())),
        Arc::new(JsonRpc),
    );
    group.bench_function("typed_client_round_trip", |b| {
        b.iter(|| {
            let call = Echo {
                s: "hello, world".to_owned(),
            };
            run(client.call(black_box(call))).expect("echo answers")
        });
    });
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
