//! Requests as raw bytes through a [`Server`]: the wire shape of replies
//! and faults, hostile and broken XML, SOAP's own faults and header blocks.

mod corpus;

use switchboard::{Application, MethodContext, RequestInfo, Server, TransportFacts, rpc};
use switchboard_demo as _;
use switchboard_soap::{Soap, SoapSettings, header_blocks};

const ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// The caller's `Token` header block, or `"none"`.
#[rpc(service = "headers")]
fn whoami(ctx: &MethodContext) -> Result<String, switchboard::Fault> {
    let blocks = header_blocks(ctx)?;
    match blocks.iter().find(|b| b.name() == "Token") {
        Some(block) => {
            let token: String = block.value()?;
            Ok(format!(
                "{}:{token}:{}",
                block.namespace().unwrap_or("-"),
                block.must_understand()
            ))
        }
        None => Ok("none".to_owned()),
    }
}

/// A string XML 1.0 cannot carry: U+0001 is no XML character.
#[rpc(service = "unwritable")]
fn control_character() -> String {
    "bell \u{1}".to_owned()
}

fn server(settings: SoapSettings) -> Server {
    let app = Application::builder()
        .services(["demo", "headers", "unwritable"])
        .build()
        .expect("the demo and headers services are linked");
    Server::new(app, Soap::with_settings(settings))
}

async fn post(server: &Server, body: impl Into<Vec<u8>>) -> (String, Option<String>) {
    let response = server
        .process(RequestInfo::new(body.into(), TransportFacts::NONE))
        .await;
    let body = String::from_utf8(response.body.expect("SOAP always answers")).expect("UTF-8");
    (body, response.fault.map(|f| f.code().to_owned()))
}

fn envelope(body: &str) -> String {
    format!(
        "<soapenv:Envelope xmlns:soapenv=\"{ENV}\" xmlns:tns=\"urn:switchboard\"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )
}

#[tokio::test]
async fn replies_are_wrapped_responses_in_the_target_namespace() {
    let server = server(SoapSettings::default());
    let (reply, fault) = post(
        &server,
        envelope("<tns:echo><tns:s>a &lt;b&gt; &amp; é</tns:s></tns:echo>"),
    )
    .await;
    assert_eq!(fault, None);
    assert_eq!(
        reply,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope xmlns:soap=\"{ENV}\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:tns=\"urn:switchboard\">\
             <soap:Body><tns:echoResponse><tns:echoResult>a &lt;b&gt; &amp; é</tns:echoResult>\
             </tns:echoResponse></soap:Body></soap:Envelope>"
        )
    );
    // Unqualified children, an unprefixed call element in no namespace.
    let (reply, _) = post(
        &server,
        envelope("<sum xmlns=\"urn:switchboard\"><a>1</a><b>2.5</b></sum>"),
    )
    .await;
    assert!(
        reply.contains("<tns:sumResult>3.5</tns:sumResult>"),
        "{reply}"
    );
    let (reply, _) = post(&server, envelope("<sum><a>1</a><b>2</b></sum>")).await;
    assert!(
        reply.contains("<tns:sumResult>3.0</tns:sumResult>"),
        "{reply}"
    );
}

#[tokio::test]
async fn a_one_way_method_done_is_acknowledged_with_no_envelope() {
    let server = server(SoapSettings::default());
    let request = envelope("<tns:sleep><tns:seconds>0</tns:seconds></tns:sleep>");
    let response = server
        .process(RequestInfo::new(request, TransportFacts::NONE))
        .await;
    assert_eq!(
        response.body, None,
        "an input-only operation has no output message"
    );
    assert!(response.fault.is_none());
    assert!(server.out_protocol().empty_reply_is_acceptance());
    // Its faults are still answered (below, `sleep` refusing -1).
}

#[tokio::test]
async fn faults_keep_their_dotted_code() {
    let server = server(SoapSettings::default());
    let (reply, fault) = post(
        &server,
        envelope("<tns:fail><tns:message>no &amp; never</tns:message></tns:fail>"),
    )
    .await;
    assert_eq!(fault.as_deref(), Some("Client"));
    assert!(
        reply.contains("<soap:Fault><faultcode>soap:Client</faultcode><faultstring>no &amp; never</faultstring></soap:Fault>"),
        "{reply}"
    );
    let (reply, _) = post(&server, envelope("<tns:nope/>")).await;
    assert!(
        reply.contains("<faultcode>soap:Client.UnknownMethod</faultcode>"),
        "{reply}"
    );
    let (reply, _) = post(
        &server,
        envelope("<tns:sleep><tns:seconds>-1</tns:seconds></tns:sleep>"),
    )
    .await;
    assert!(
        reply.contains("<faultcode>soap:Client.Validation</faultcode>"),
        "{reply}"
    );
    // The fault's detail, as elements in the target namespace.
    let detail = "<detail><tns:violations><tns:field>seconds</tns:field>\
                  <tns:message>must be between 0 and 3600</tns:message></tns:violations></detail>";
    assert!(reply.contains(detail), "{reply}");
    let (reply, _) = post(
        &server,
        envelope("<x:echo xmlns:x=\"urn:other\"><s>1</s></x:echo>"),
    )
    .await;
    assert!(
        reply.contains("<faultcode>soap:Client.InvalidRequest</faultcode>"),
        "{reply}"
    );
}

#[tokio::test]
async fn hostile_and_broken_xml_gets_client_faults() {
    let server = server(SoapSettings::default());
    let xxe = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{}",
        envelope("<tns:echo><tns:s>&x;</tns:s></tns:echo>")
    );
    let mut laughs = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        laughs.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    laughs.push_str("]>");
    laughs.push_str(&envelope("<tns:echo><tns:s>&lol9;</tns:s></tns:echo>"));
    let deep = envelope(&format!("<tns:echo>{}", "<s>".repeat(100_000)));
    let mut not_utf8 = envelope("<tns:echo><tns:s>x</tns:s></tns:echo>").into_bytes();
    not_utf8[120] = 0xFF;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("external entity", xxe.into_bytes(), "Client.InvalidRequest"),
        ("billion laughs", laughs.into_bytes(), "Client.InvalidRequest"),
        ("undefined entity", envelope("<tns:echo><tns:s>&x;</tns:s></tns:echo>").into_bytes(), "Client.InvalidRequest"),
        ("100 000 deep", deep.into_bytes(), "Client.LimitExceeded"),
        ("unclosed", envelope("<tns:echo><tns:s>x</tns:echo>").into_bytes(), "Client.Malformed"),
        ("truncated", b"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><tns:echo>".to_vec(), "Client.Malformed"),
        ("invalid UTF-8", not_utf8, "Client.Malformed"),
        ("no envelope", b"<tns:echo xmlns:tns=\"urn:switchboard\"><s>x</s></tns:echo>".to_vec(), "Client.InvalidRequest"),
        ("empty body", envelope("").into_bytes(), "Client.InvalidRequest"),
        ("two calls", envelope("<tns:echo><s>1</s></tns:echo><tns:echo><s>2</s></tns:echo>").into_bytes(), "Client.InvalidRequest"),
        ("not XML", b"{\"echo\": {\"s\": 1}}".to_vec(), "Client"),
        ("empty", Vec::new(), "Client.InvalidRequest"),
    ];
    for (name, body, code) in cases {
        let (reply, fault) = post(&server, body).await;
        let fault = fault.unwrap_or_else(|| panic!("{name}: no fault in {reply}"));
        assert!(
            fault == code || (code == "Client" && fault.starts_with("Client")),
            "{name}: {fault}"
        );
        assert!(
            reply.contains(&format!("<faultcode>soap:{fault}</faultcode>")),
            "{name}: {reply}"
        );
        assert!(!reply.contains("root:"), "{name} leaked a file: {reply}");
        assert!(
            !reply.contains("lollol"),
            "{name} expanded entities: {reply}"
        );
    }
    // And the server still serves.
    let (reply, fault) = post(
        &server,
        envelope("<tns:echo><tns:s>still here</tns:s></tns:echo>"),
    )
    .await;
    assert_eq!(fault, None, "{reply}");
}

/// SOAP 1.2's upgrade header block (SOAP 1.2 Part 1 §5.4.7), naming the
/// one envelope this endpoint reads.
const UPGRADE: &str = concat!(
    "<soap:Header><upg:Upgrade xmlns:upg=\"http://www.w3.org/2003/05/soap-envelope\">",
    "<upg:SupportedEnvelope qname=\"ns1:Envelope\" xmlns:ns1=\"http://schemas.xmlsoap.org/soap/envelope/\"/>",
    "</upg:Upgrade></soap:Header><soap:Body>"
);

#[tokio::test]
async fn an_envelope_outside_soap_11_is_a_version_mismatch_with_an_upgrade_header() {
    let server = server(SoapSettings::default());
    for case in corpus::other_versions() {
        let (reply, fault) = post(&server, case.bytes).await;
        assert_eq!(
            fault.as_deref(),
            Some("VersionMismatch"),
            "{}: {reply}",
            case.name
        );
        assert!(
            reply.contains("<faultcode>soap:VersionMismatch</faultcode>"),
            "{}: {reply}",
            case.name
        );
        assert!(reply.contains(UPGRADE), "{}: {reply}", case.name);
    }
    // Other faults have no header.
    let (reply, _) = post(&server, envelope("<tns:nope/>")).await;
    assert!(!reply.contains("<soap:Header>"), "{reply}");
}

#[tokio::test]
async fn a_result_xml_cannot_carry_is_a_server_fault_the_response_reports() {
    let server = server(SoapSettings::default());
    let (reply, fault) = post(&server, envelope("<tns:control_character/>")).await;
    assert_eq!(fault.as_deref(), Some("Server"), "{reply}");
    assert!(
        reply.contains("<faultcode>soap:Server</faultcode>"),
        "{reply}"
    );
    assert!(!reply.contains("control_characterResponse"), "{reply}");
}

fn with_header(header: &str) -> String {
    format!(
        "<s:Envelope xmlns:s=\"{ENV}\" xmlns:a=\"urn:auth\"><s:Header>{header}</s:Header>\
         <s:Body><whoami xmlns=\"urn:switchboard\"/></s:Body></s:Envelope>"
    )
}

#[tokio::test]
async fn header_blocks_reach_the_method_and_must_be_understood() {
    let plain = server(SoapSettings::default());
    let (reply, _) = post(&plain, with_header("<a:Token>t1</a:Token>")).await;
    assert!(
        reply.contains("<tns:whoamiResult>urn:auth:t1:false</tns:whoamiResult>"),
        "{reply}"
    );
    let (reply, _) = post(&plain, envelope("<tns:whoami/>")).await;
    assert!(
        reply.contains("<tns:whoamiResult>none</tns:whoamiResult>"),
        "{reply}"
    );

    let must = with_header("<a:Token s:mustUnderstand=\"1\">t2</a:Token>");
    let (reply, fault) = post(&plain, must.clone()).await;
    assert_eq!(fault.as_deref(), Some("MustUnderstand"), "{reply}");
    assert!(
        reply.contains("<faultcode>soap:MustUnderstand</faultcode>"),
        "{reply}"
    );

    let understanding =
        server(SoapSettings::default().with_understood_header(Some("urn:auth"), "Token"));
    let (reply, fault) = post(&understanding, must).await;
    assert_eq!(fault, None, "{reply}");
    assert!(
        reply.contains("<tns:whoamiResult>urn:auth:t2:true</tns:whoamiResult>"),
        "{reply}"
    );
    // A block for another actor is not this receiver's to understand.
    let elsewhere =
        with_header("<a:Token s:mustUnderstand=\"1\" s:actor=\"urn:proxy\">t3</a:Token>");
    let (_, fault) = post(&plain, elsewhere).await;
    assert_eq!(fault, None);
}

#[tokio::test]
async fn a_configured_namespace_is_used_both_ways() {
    let server = server(SoapSettings::default().with_namespace("urn:example"));
    let (reply, fault) = post(
        &server,
        format!("<e:Envelope xmlns:e=\"{ENV}\"><e:Body><m:echo xmlns:m=\"urn:example\"><m:s>x</m:s></m:echo></e:Body></e:Envelope>"),
    )
    .await;
    assert_eq!(fault, None, "{reply}");
    assert!(reply.contains("xmlns:tns=\"urn:example\""), "{reply}");
    let (_, fault) = post(&server, envelope("<tns:echo><tns:s>x</tns:s></tns:echo>")).await;
    assert_eq!(fault.as_deref(), Some("Client.InvalidRequest"));
}
