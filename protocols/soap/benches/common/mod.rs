//! What the SOAP pipeline benchmark and the profiling example share: the
//! request, the server, and the hand-written baseline.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use switchboard::{Application, RequestInfo, Server, TransportFacts};
use switchboard_soap::Soap;

pub(crate) mod by_hand;

/// A SOAP 1.1 `echo` call, as zeep sends it.
pub(crate) const REQUEST: &[u8] = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="urn:switchboard">"#,
    r#"<soap:Body><tns:echo><tns:s>hello, world</tns:s></tns:echo></soap:Body></soap:Envelope>"#
)
.as_bytes();

/// Polls a future that never waits (nothing in these paths does I/O).
pub(crate) fn run<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// The demo service in SOAP 1.1.
pub(crate) fn server() -> Server {
    let app = Application::builder()
        .services([switchboard_demo::SERVICE])
        .build()
        .expect("the demo service is linked");
    Server::new(app, Soap::new())
}

/// One request through the whole pipeline, bytes to bytes.
pub(crate) fn through_pipeline(server: &Server, body: &'static [u8]) -> Vec<u8> {
    let request = RequestInfo::new(body, TransportFacts::NONE);
    run(server.process(request)).body.unwrap_or_default()
}
