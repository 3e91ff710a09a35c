//! What the SOAP pipeline benchmark and the profiling example share: the
//! request, the server, and the hand-written baseline.

use switchboard::{Application, Server};
use switchboard_soap::Soap;

pub(crate) mod by_hand;

/// A SOAP 1.1 `echo` call, as zeep sends it.
pub(crate) const REQUEST: &[u8] = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="urn:switchboard">"#,
    r#"<soap:Body><tns:echo><tns:s>hello, world</tns:s></tns:echo></soap:Body></soap:Envelope>"#
)
.as_bytes();

/// The demo service in SOAP 1.1.
pub(crate) fn server() -> Server {
    let app = Application::builder()
        .services([switchboard_demo::SERVICE])
        .build()
        .expect("the demo service is linked");
    Server::new(app, Soap::new())
}
