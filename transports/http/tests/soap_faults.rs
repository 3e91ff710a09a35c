//! SOAP 1.1 over a real socket: every SOAP fault comes with `500`, whatever
//! made it (a version mismatch, a result XML cannot carry, a document that
//! is not well-formed); a SOAP 1.2 request (`application/soap+xml`) is read
//! far enough to answer it with SOAP 1.1's `VersionMismatch` and the
//! upgrade header; other media types keep their `415`.

mod common;

use common::start;
use switchboard::{Application, rpc};
use switchboard_demo as _; // links the `demo` service
use switchboard_http::{HttpConfig, HttpServer};
use switchboard_soap::Soap;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A string XML 1.0 cannot carry: U+0001 is no XML character.
#[rpc(service = "unwritable")]
fn control_character() -> String {
    "bell \u{1}".to_owned()
}

/// The demo service and `control_character`, in SOAP at `/soap`.
fn server() -> HttpServer {
    let app = Application::builder()
        .services(["demo", "unwritable"])
        .build()
        .expect("the services are linked");
    HttpServer::builder(app)
        .config(HttpConfig::default())
        .endpoint("/soap", Soap::new())
        .build()
        .expect("routes are valid")
}

/// An envelope in `namespace` around `body`.
fn envelope(namespace: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><e:Envelope xmlns:e=\"{namespace}\" xmlns:tns=\"urn:switchboard\">\
         <e:Body>{body}</e:Body></e:Envelope>"
    )
}

const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

/// SOAP 1.2's upgrade header block, naming SOAP 1.1's envelope.
const UPGRADE: &str = concat!(
    "<soap:Header><upg:Upgrade xmlns:upg=\"http://www.w3.org/2003/05/soap-envelope\">",
    "<upg:SupportedEnvelope qname=\"ns1:Envelope\" xmlns:ns1=\"http://schemas.xmlsoap.org/soap/envelope/\"/>",
    "</upg:Upgrade></soap:Header>"
);

async fn post(
    url: &str,
    content_type: &str,
    body: String,
) -> Result<(u16, String), reqwest::Error> {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await?;
    Ok((response.status().as_u16(), response.text().await?))
}

#[tokio::test]
async fn an_envelope_in_another_namespace_is_a_version_mismatch_with_500() -> TestResult {
    let running = start(server()).await;
    let body = envelope("urn:not-soap", "<tns:echo><tns:s>hi</tns:s></tns:echo>");
    let (status, reply) = post(&running.url("/soap"), "text/xml; charset=utf-8", body).await?;
    assert_eq!(status, 500, "{reply}");
    assert!(
        reply.contains("<faultcode>soap:VersionMismatch</faultcode>"),
        "{reply}"
    );
    assert!(reply.contains(UPGRADE), "{reply}");
    running.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_soap_12_request_is_told_which_envelope_to_send() -> TestResult {
    let running = start(server()).await;
    let body = envelope(SOAP12, "<tns:echo><tns:s>hi</tns:s></tns:echo>");
    let content_type = "application/soap+xml; charset=utf-8; action=\"urn:echo\"";
    let (status, reply) = post(&running.url("/soap"), content_type, body).await?;
    assert_eq!(status, 500, "{reply}");
    assert!(
        reply.contains("<faultcode>soap:VersionMismatch</faultcode>"),
        "{reply}"
    );
    assert!(reply.contains(UPGRADE), "{reply}");
    // Neither SOAP's media type: refused before the protocol reads it.
    let body = envelope(SOAP11, "<tns:echo><tns:s>hi</tns:s></tns:echo>");
    let (status, reply) = post(&running.url("/soap"), "application/json", body).await?;
    assert_eq!(status, 415, "{reply}");
    assert!(reply.contains("Client.UnsupportedMediaType"), "{reply}");
    running.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn every_soap_fault_comes_with_500() -> TestResult {
    let running = start(server()).await;
    let url = running.url("/soap");
    let unwritable = envelope(SOAP11, "<tns:control_character/>");
    let (status, reply) = post(&url, "text/xml", unwritable).await?;
    assert_eq!(status, 500, "{reply}");
    assert!(
        reply.contains("<faultcode>soap:Server</faultcode>"),
        "{reply}"
    );
    let not_well_formed = envelope(SOAP11, "<tns:echo><tns:s>\u{1}</tns:s></tns:echo>");
    let (status, reply) = post(&url, "text/xml", not_well_formed).await?;
    assert_eq!(status, 500, "{reply}");
    assert!(
        reply.contains("<faultcode>soap:Client.Malformed</faultcode>"),
        "{reply}"
    );
    // A call that goes well is still a 200.
    let echo = envelope(SOAP11, "<tns:echo><tns:s>hi</tns:s></tns:echo>");
    let (status, reply) = post(&url, "text/xml", echo).await?;
    assert_eq!(status, 200, "{reply}");
    running.shutdown().await;
    Ok(())
}
