//! The strictness corpus (`corpus/`) through the whole protocol: every
//! document XML 1.0 or Namespaces in XML 1.0 says is not well-formed, or
//! in an encoding the reader does not decode, is refused with its client
//! fault, which the response reports (so HTTP answers it with 500); every
//! odd but well-formed one is read and echoed back.

mod corpus;

use corpus::{Accepted, Refused};
use switchboard::{Application, RequestInfo, Response, Server, TransportFacts};
use switchboard_demo as _;
use switchboard_soap::Soap;

fn server() -> Server {
    let app = Application::builder()
        .services(["demo"])
        .build()
        .expect("the demo service is linked");
    Server::new(app, Soap::new())
}

async fn post(server: &Server, body: &[u8]) -> (Response, String) {
    let response = server
        .process(RequestInfo::new(body.to_vec(), TransportFacts::NONE))
        .await;
    let text = String::from_utf8_lossy(response.body.as_deref().unwrap_or_default()).into_owned();
    (response, text)
}

/// What is wrong with the answer to `case`, if anything.
async fn check_refused(server: &Server, case: &Refused) -> Option<String> {
    let (response, reply) = post(server, &case.bytes).await;
    let code = response.fault.as_ref().map(|fault| fault.code());
    if code != Some(case.code) {
        return Some(format!(
            "{}: got {code:?}, not {}: {reply}",
            case.name, case.code
        ));
    }
    let faultcode = format!("<faultcode>soap:{}</faultcode>", case.code);
    let message = response.fault.as_ref().map_or("", |fault| fault.message());
    if !reply.contains(&faultcode) || !message.contains(case.mentions) {
        return Some(format!("{}: {reply}", case.name));
    }
    None
}

#[tokio::test]
async fn every_document_that_is_not_well_formed_gets_a_client_fault() {
    let server = server();
    let mut failures = Vec::new();
    let corpus = corpus::not_well_formed();
    for case in &corpus {
        failures.extend(check_refused(&server, case).await);
    }
    assert!(
        failures.is_empty(),
        "{} of {} accepted or misanswered:\n{}",
        failures.len(),
        corpus.len(),
        failures.join("\n")
    );
    // And the server still serves.
    let (response, reply) = post(&server, corpus::echo("still here").as_bytes()).await;
    assert!(response.fault.is_none(), "{reply}");
}

/// `text` as the reply writes it.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\r', "&#13;")
}

async fn check_accepted(server: &Server, case: &Accepted) -> Option<String> {
    let (response, reply) = post(server, &case.bytes).await;
    let result = format!("<tns:echoResult>{}</tns:echoResult>", escaped(case.echoed));
    (response.fault.is_some() || !reply.contains(&result))
        .then(|| format!("{}: {reply}", case.name))
}

#[tokio::test]
async fn odd_but_well_formed_documents_are_read() {
    let server = server();
    let mut failures = Vec::new();
    for case in &corpus::well_formed() {
        failures.extend(check_accepted(&server, case).await);
    }
    assert!(
        failures.is_empty(),
        "refused or misread:\n{}",
        failures.join("\n")
    );
}
