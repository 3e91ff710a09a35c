//! Signed calls against unsigned ones, in one run: a JSON-RPC `echo`
//! through the whole pipeline, and a typed call's round trip through the
//! in-process transport, each unsigned (an application without
//! [`signatures`](switchboard::ApplicationBuilder::signatures)) and signed
//! (the server checks the HMAC, the age and the method; in the round trip
//! the client also signs each call). In process, nothing hides the cost:
//! no socket, no broker. Contenders alternate round by round; the ratios
//! are of medians.
//!
//! Run with `cargo bench -p switchboard-json --bench signed`. Options
//! after `--`: `--rounds R` (default 9), `--calls N` per round (default
//! 200 000).

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use switchboard::local::LocalClient;
use switchboard::signing::{Secret, Secrets, Signer, Verifier};
use switchboard::{
    Application, CarriedHeaders, Client, RequestInfo, SIGNATURE_HEADER, Server, TransportFacts,
};
use switchboard_demo::Echo;
use switchboard_json::JsonRpc;
use switchboard_testing::bench::{Contender, alternate, options, run_ready};

/// A JSON-RPC `echo` call.
const REQUEST: &[u8] = br#"{"jsonrpc":"2.0","method":"echo","params":{"s":"hello, world"},"id":1}"#;

fn server(secrets: Option<&Secrets>) -> Server {
    let mut app = Application::builder().services([switchboard_demo::SERVICE]);
    if let Some(secrets) = secrets {
        // An hour: the header signed once below stays good for the run.
        app = app.signatures(Verifier::new(secrets).with_window(Duration::from_secs(3600)));
    }
    Server::new(app.build().expect("the demo service is linked"), JsonRpc)
}

fn client(server: &Server, signer: Option<Signer>) -> Client {
    let client = Client::new(
        Arc::new(LocalClient::direct(server.clone())),
        Arc::new(JsonRpc),
    );
    match signer {
        Some(signer) => client.with_signer(signer),
        None => client,
    }
}

fn main() {
    let (rounds, calls) = options(200_000);
    let secret = Secret::new("a benchmark secret, 32 bytes long").expect("long enough");
    let secrets = Secrets::new(secret.clone());
    let (unsigned, signed) = (server(None), server(Some(&secrets)));
    let mut headers = CarriedHeaders::default();
    headers.set(SIGNATURE_HEADER, Signer::new(&secret).sign("echo", REQUEST));
    let request = |headers: &CarriedHeaders| {
        RequestInfo::new(black_box(REQUEST), TransportFacts::NONE).with_headers(headers.clone())
    };
    let no_headers = CarriedHeaders::default();
    let accepted = run_ready(signed.process(request(&headers)));
    assert!(accepted.fault.is_none(), "the signed request is accepted");
    let (plain_client, signing_client) = (
        client(&unsigned, None),
        client(&signed, Some(Signer::new(&secret))),
    );
    let echo = || Echo {
        s: "hello, world".to_owned(),
    };
    let mut contenders = [
        Contender::new("pipeline, unsigned", || {
            black_box(run_ready(unsigned.process(request(&no_headers))));
        }),
        Contender::new("pipeline, signed (verify)", || {
            black_box(run_ready(signed.process(request(&headers))));
        }),
        Contender::new("round trip, unsigned", || {
            black_box(run_ready(plain_client.call(echo())).expect("answered"));
        }),
        Contender::new("round trip, signed (sign+verify)", || {
            black_box(run_ready(signing_client.call(echo())).expect("answered"));
        }),
    ];
    alternate(
        "signed against unsigned, jsonrpc echo",
        &mut contenders,
        rounds,
        calls,
    );
}
