//! What the SOAP pipeline benchmark and the profiling example share: the
//! request, the server, the hand-written baseline and the typed call.

use std::sync::Arc;

use switchboard::{Application, Server};
use switchboard_demo::Echo;
use switchboard_soap::Soap;
use switchboard_testing::bench::PipelineBench;

pub(crate) mod by_hand;

/// A SOAP 1.1 `echo` call, as zeep sends it.
pub(crate) const REQUEST: &[u8] = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="urn:switchboard">"#,
    r#"<soap:Body><tns:echo><tns:s>hello, world</tns:s></tns:echo></soap:Body></soap:Envelope>"#
)
.as_bytes();

/// The bench: the pipeline against [`by_hand`] and a typed `echo`.
pub(crate) fn bench() -> PipelineBench<'static, Echo> {
    PipelineBench {
        title: "soap echo",
        server: server(),
        client_protocol: Arc::new(Soap::new()),
        request: REQUEST,
        by_hand_name: "hand-written quick-xml",
        by_hand: &answer_by_hand,
        typed_call: &echo,
    }
}

/// The hand-written reply to [`REQUEST`], which is an `echo`.
fn answer_by_hand(request: &[u8]) -> Vec<u8> {
    by_hand::handle(request).expect("the request is an echo")
}

/// The typed call [`REQUEST`] makes.
fn echo() -> Echo {
    Echo {
        s: "hello, world".to_owned(),
    }
}

/// The demo service in SOAP 1.1.
fn server() -> Server {
    let app = Application::builder()
        .services([switchboard_demo::SERVICE])
        .build()
        .expect("the demo service is linked");
    Server::new(app, Soap::new())
}
