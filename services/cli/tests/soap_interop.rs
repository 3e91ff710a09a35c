//! SOAP against a real `switchboard serve`: third-party clients (Python's
//! zeep and suds, installed by the test into a venv it keeps under Cargo's
//! target tmp dir) load the WSDL and call every demo and gridmap method;
//! xmlschema validates the WSDL's schema and real replies against it; and
//! hostile or broken XML gets client faults while the server keeps serving
//! (an envelope in the wrong namespace, SOAP's own `VersionMismatch`).

mod common;

use std::error::Error;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use common::{Served, TestResult};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/soap_interop/clients.py");

/// The venv's python, with zeep, suds and xmlschema (installed once).
fn python() -> Result<PathBuf, String> {
    static VENV: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    static INSTALLING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|p| p.into_inner());
    VENV.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("soap-venv");
        switchboard_testing::python_venv(
            &dir,
            &["zeep", "suds-community", "xmlschema"],
            "import zeep, suds, xmlschema",
        )
    })
    .clone()
}

/// Runs the script in `mode` against `served` and parses its JSON line.
fn clients(mode: &str, served: &Served) -> Result<Value, Box<dyn Error>> {
    let out = Command::new(python()?)
        .args([SCRIPT, mode, &served.url])
        .output()?;
    if !out.status.success() {
        return Err(format!("{mode} failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// What every gridmap call gives on map `{tag}-map`, as zeep shows it.
fn gridmap_results(tag: &str) -> Value {
    let slug = format!("{tag}-map");
    let name = format!("{}{} Map", tag[..1].to_uppercase(), &tag[1..]);
    let observer = json!({"map": slug, "name": "Ann", "range": 3, "slug": "ann", "x": 1, "y": 1});
    let renamed = json!({"map": slug, "name": "Ann B", "range": 3, "slug": "ann", "x": 1, "y": 1});
    let obstacle = json!({"map": slug, "x": 2, "y": 1});
    json!({
        "create_map": {"height": 5, "name": name, "slug": slug, "width": 10},
        "create_map_again": {"code": "soap:Client.Conflict", "message": format!("a map with slug `{slug}` already exists")},
        "create_map_invalid": {"code": "soap:Client.Validation", "message": "invalid parameters: `width` must be between 1 and 1024"},
        "update_map": null,
        "create_observer": observer,
        "get_observer": observer,
        "update_observer": null,
        "create_obstacle": obstacle,
        "get_map": {"height": 5, "name": name, "observers": [renamed], "obstacles": [obstacle], "slug": slug, "width": 12},
        "delete_obstacle": null,
        "delete_observer": null,
        "delete_map": null,
        "get_missing": {"code": "soap:Client.NotFound", "message": format!("no map `{slug}`")},
    })
}

/// Checks what both clients share: the demo methods and gridmap calls.
fn check_common(got: &Value, tag: &str) {
    assert_eq!(got["sum"], 3.75);
    assert_eq!(got["subtract"], 19);
    // `fail` is a SOAP fault whose code is `Client`, with the message.
    assert_eq!(
        got["fail"],
        json!({"code": "soap:Client", "message": "no <way>"})
    );
    assert_eq!(got["sleep"], Value::Null);
    for (call, expected) in gridmap_results(tag).as_object().into_iter().flatten() {
        assert_eq!(&got[call], expected, "{call}: {got}");
    }
    let cells = got["visible_cells"]["cells"].as_array().map_or(0, Vec::len);
    assert_eq!(cells, 14, "{got}");
    let maps = &got["list_maps"]["maps"];
    assert!(
        maps.as_array()
            .into_iter()
            .flatten()
            .any(|m| m["slug"] == format!("{tag}-map")),
        "{got}"
    );
}

#[test]
fn zeep_loads_the_wsdl_and_calls_every_method() -> TestResult {
    let served = Served::start()?;
    let got = clients("zeep", &served)?;
    // `<&>`, markup-looking text, `]]>`, non-ASCII, whitespace, CR LF, the
    // empty string and 64 KiB all come back exactly.
    assert_eq!(got["echo"], json!(vec![true; 9]), "{got}");
    check_common(&got, "zeep");
    // A page: the entries and, absent on the last page, `next`.
    let observer =
        json!({"map": "zeep-map", "name": "Ann B", "range": 3, "slug": "ann", "x": 1, "y": 1});
    assert_eq!(
        got["list_observers"],
        json!({"observers": [observer], "next": null})
    );
    assert_eq!(
        got["list_obstacles"],
        json!({"obstacles": [{"map": "zeep-map", "x": 2, "y": 1}], "next": null})
    );
    Ok(())
}

#[test]
fn suds_loads_the_wsdl_and_calls_every_method() -> TestResult {
    let served = Served::start()?;
    let got = clients("suds", &served)?;
    // All but two: suds sends a carriage return raw, which every XML reader
    // must turn into a line feed, and reads an empty element as `None`.
    assert_eq!(
        got["echo"],
        json!([true, true, true, true, true, true, false, false, true]),
        "{got}"
    );
    check_common(&got, "suds");
    assert_eq!(got["list_observers"]["observers"][0]["name"], "Ann B");
    assert_eq!(got["list_obstacles"]["obstacles"][0]["x"], 2);
    Ok(())
}

#[test]
fn the_wsdl_schema_is_valid_xsd_and_real_messages_fit_it() -> TestResult {
    let served = Served::start()?;
    let got = clients("xmlschema", &served)?;
    assert_eq!(got["schema_valid"], true, "{got}");
    assert_eq!(
        got["checked"],
        json!(["echo", "create_map", "get_map", "list_maps"]),
        "{got}"
    );
    Ok(())
}

/// A reply's status and body.
async fn post(
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<(u16, String), Box<dyn Error>> {
    let client = reqwest::Client::new();
    let mut request = client
        .post(format!("{url}/soap"))
        .header("content-type", "text/xml; charset=utf-8")
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let reply = request.send().await?;
    Ok((reply.status().as_u16(), reply.text().await?))
}

fn envelope(body: &str) -> String {
    format!(
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:t=\"urn:switchboard\"><s:Body>{body}</s:Body></s:Envelope>"
    )
}

fn runtime() -> Result<tokio::runtime::Runtime, std::io::Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

#[test]
fn the_wsdl_is_served_on_either_case_and_links_to_the_public_url() -> TestResult {
    let served = Served::start_with(&["--public-url", "https://soap.example/base"])?;
    runtime()?.block_on(async {
        let lower = reqwest::get(format!("{}/soap?wsdl", served.url)).await?;
        assert_eq!(lower.status(), 200);
        assert_eq!(lower.headers()["content-type"], "text/xml; charset=utf-8");
        let lower = lower.text().await?;
        let upper = reqwest::get(format!("{}/soap?WSDL", served.url))
            .await?
            .text()
            .await?;
        assert_eq!(lower, upper);
        assert!(
            lower.contains("<soap:address location=\"https://soap.example/base/soap\"/>"),
            "{lower}"
        );
        let call = envelope("<t:echo><t:s>hi</t:s></t:echo>").into_bytes();
        // SOAPAction quoted, unquoted, empty or absent: the body decides.
        for action in [Some("\"echo\""), Some("echo"), Some("\"\""), Some(""), None] {
            let headers: Vec<(&str, &str)> =
                action.map(|a| ("soapaction", a)).into_iter().collect();
            let (status, reply) = post(&served.url, &headers, call.clone()).await?;
            assert_eq!(status, 200, "{action:?}: {reply}");
            assert!(
                reply.contains("<tns:echoResult>hi</tns:echoResult>"),
                "{reply}"
            );
        }
        // A one-way operation done: 202 Accepted and no envelope (WS-I
        // Basic Profile), what zeep and suds take as its acknowledgement.
        let sleep = envelope("<t:sleep><t:seconds>0</t:seconds></t:sleep>").into_bytes();
        let (status, reply) = post(&served.url, &[], sleep).await?;
        assert_eq!((status, reply.as_str()), (202, ""));
        // Every fault is HTTP 500, as SOAP 1.1 over HTTP requires.
        let missing = envelope("<t:get_map><t:slug>nope</t:slug></t:get_map>").into_bytes();
        let (status, reply) = post(&served.url, &[], missing).await?;
        assert_eq!(status, 500, "{reply}");
        assert!(
            reply.contains("<faultcode>soap:Client.NotFound</faultcode>"),
            "{reply}"
        );
        // JSON-RPC's system methods are neither described nor served.
        assert!(
            !lower.contains("rpc.discover"),
            "the WSDL lists rpc.discover"
        );
        let discover = envelope("<t:rpc.discover/>").into_bytes();
        let (status, reply) = post(&served.url, &[], discover).await?;
        assert_eq!(status, 500, "{reply}");
        assert!(reply.contains("JSON-RPC system method"), "{reply}");
        Ok::<_, Box<dyn Error>>(())
    })
}

/// A billion laughs: ten levels of ten references each.
fn billion_laughs() -> String {
    let mut dtd = String::from("<!DOCTYPE lolz [<!ENTITY lol0 \"lol\">");
    for level in 1..10 {
        let refs = format!("&lol{};", level - 1).repeat(10);
        dtd.push_str(&format!("<!ENTITY lol{level} \"{refs}\">"));
    }
    dtd.push_str("]>");
    format!("{dtd}{}", envelope("<t:echo><t:s>&lol9;</t:s></t:echo>"))
}

/// Declares a 50 MB body and sends it, reading the answer meanwhile.
async fn fifty_megabytes(url: &str) -> Result<String, Box<dyn Error>> {
    let addr = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await?;
    let size = 50 * 1024 * 1024;
    let head = format!(
        "POST /soap HTTP/1.1\r\nhost: {addr}\r\ncontent-type: text/xml\r\ncontent-length: {size}\r\nconnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await?;
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let chunk = vec![b'<'; 64 * 1024];
        for _ in 0..size / chunk.len() {
            if write.write_all(&chunk).await.is_err() {
                break;
            }
        }
    });
    let mut reply = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), read.read_to_end(&mut reply)).await??;
    writer.abort();
    Ok(String::from_utf8_lossy(&reply).into_owned())
}

#[test]
fn hostile_and_broken_xml_gets_client_faults_and_the_server_keeps_serving() -> TestResult {
    let served = Served::start()?;
    runtime()?.block_on(async {
        let xxe = format!(
            "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{}",
            envelope("<t:echo><t:s>&x;</t:s></t:echo>")
        );
        let mut not_utf8 = envelope("<t:echo><t:s>x</t:s></t:echo>").into_bytes();
        let at = not_utf8.len() - 40;
        not_utf8[at] = 0xC3;
        not_utf8[at + 1] = 0x28;
        let cases: Vec<(&str, Vec<u8>)> = vec![
            (
                "no envelope",
                b"<t:echo xmlns:t=\"urn:switchboard\"><t:s>x</t:s></t:echo>".to_vec(),
            ),
            ("external entity", xxe.into_bytes()),
            ("billion laughs", billion_laughs().into_bytes()),
            (
                "100 000 deep",
                envelope(&format!("<t:echo>{}", "<t:s>".repeat(100_000))).into_bytes(),
            ),
            (
                "unclosed tags",
                envelope("<t:echo><t:s>x</t:echo>").into_bytes(),
            ),
            ("invalid UTF-8", not_utf8),
        ];
        for (name, body) in cases {
            let (status, reply) = post(&served.url, &[], body).await?;
            assert_eq!(status, 500, "{name}: {reply}");
            assert!(reply.contains("<faultcode>soap:Client"), "{name}: {reply}");
            assert!(!reply.contains("root:"), "{name} leaked a file: {reply}");
            assert!(
                !reply.contains("lollol"),
                "{name} expanded entities: {reply}"
            );
        }
        // SOAP 1.1 §4.4.1: an envelope in another namespace is a version
        // mismatch, which names the envelope to send.
        let wrong = b"<s:Envelope xmlns:s=\"urn:wrong\"><s:Body/></s:Envelope>".to_vec();
        let (status, reply) = post(&served.url, &[], wrong).await?;
        assert_eq!(status, 500, "{reply}");
        assert!(
            reply.contains("<faultcode>soap:VersionMismatch</faultcode>"),
            "{reply}"
        );
        assert!(reply.contains("<upg:SupportedEnvelope"), "{reply}");
        let big = fifty_megabytes(&served.url).await?;
        assert!(
            big.starts_with("HTTP/1.1 413"),
            "{}",
            &big[..big.len().min(300)]
        );
        assert!(big.contains("soap:Client.LimitExceeded"), "{big}");
        let call = envelope("<t:echo><t:s>still serving</t:s></t:echo>").into_bytes();
        let (status, reply) = post(&served.url, &[], call).await?;
        assert_eq!(status, 200, "{reply}");
        assert!(reply.contains("still serving"), "{reply}");
        Ok::<_, Box<dyn Error>>(())
    })
}
