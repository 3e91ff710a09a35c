//! Replies that come back as calls, with signed calls: the directive is
//! covered by the call's signature (a changed one is refused before the
//! call runs), and the reply is delivered signed, so a caller whose
//! service requires signatures runs it. The caller's service is a SQLite
//! queue consumer bound through the catalog, as a host binds it.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::json;
use switchboard::catalog::{self, Address, ConnectSettings, ServeSettings};
use switchboard::signing::{Secret, Secrets, Signer, Verifier};
use switchboard::{
    Application, CarriedHeaders, Fault, RequestInfo, Response, SIGNATURE_HEADER, Server, State,
    THEN_HEADER, Then, ThenReplies, TransportFacts, rpc,
};
use switchboard_json::JsonRpc;
use switchboard_sqlite_queue::{QueueAdmin, QueueOptions};

/// Doubles `n`; zero is refused.
#[rpc(service = "then_callee")]
fn double(n: u64) -> Result<u64, Fault> {
    match n {
        0 => Err(Fault::client("nothing to double")),
        n => Ok(n * 2),
    }
}

/// The replies received: the data and the outcome, as text.
#[derive(Debug, Default)]
struct Got(Mutex<Vec<(String, String)>>);

/// Receives `double`'s replies.
#[rpc(service = "then_caller")]
fn on_double(got: State<Got>, reply: Result<u64, Fault>, data: String) {
    let outcome = match reply {
        Ok(n) => format!("ok {n}"),
        Err(fault) => format!("fault {}", fault.code),
    };
    got.0
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push((data, outcome));
}

fn secrets() -> Result<Secrets, String> {
    let secret = Secret::new("the secret both services share").map_err(|e| e.to_string())?;
    Ok(Secrets::new(secret))
}

/// A `double(n)` call whose reply goes to `to` with `data`, signed by
/// `signer` over `signed_then` (the directive it was signed with), and
/// carrying `sent_then`.
fn call(n: u64, signer: &Signer, signed_then: &Then, sent_then: &Then) -> RequestInfo {
    let body = format!(r#"{{"jsonrpc":"2.0","method":"double","params":{{"n":{n}}},"id":{n}}}"#);
    let mut headers = CarriedHeaders::default();
    let signed = signed_then.to_header();
    headers.set(
        SIGNATURE_HEADER,
        signer.sign_call("double", Some(&signed), body.as_bytes()),
    );
    headers.set(THEN_HEADER, sent_then.to_header());
    RequestInfo::new(body.into_bytes(), TransportFacts::NONE).with_headers(headers)
}

fn refused_code(response: &Response) -> Option<&str> {
    response.fault.as_ref().map(|fault| fault.code.as_ref())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_directive_is_honoured_and_its_reply_delivered_signed() -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let replies_file = dir.path().join("replies.db");
    let place = format!("sqlite:{}", replies_file.display());
    let jsonrpc = catalog::protocol("jsonrpc").ok_or("no jsonrpc")?;
    let secrets = secrets()?;
    let signer = Signer::new(secrets.signing());

    // The caller's service: requires signed calls, served on its queue file.
    let got = Arc::new(Got::default());
    let caller = Application::builder()
        .services(["then_caller"])
        .shared_state(Arc::clone(&got))
        .signatures(Verifier::new(&secrets))
        .build()
        .map_err(|e| e.to_string())?;
    let address = Address::parse(&format!("{place}?worker=caller&protocol=jsonrpc"))
        .map_err(|e| e.to_string())?;
    let settings = ServeSettings::new(caller, vec![jsonrpc]).with_default_protocol(jsonrpc);
    let bound = catalog::bind(address, settings)
        .await
        .map_err(|e| e.to_string())?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(bound.serve(Box::pin(async move {
        let _ = stopped.await;
    })));

    // The called service: requires signed calls, delivers signed replies.
    let replies = ThenReplies::new(ConnectSettings::new(jsonrpc))
        .allow(Address::parse(&place).map_err(|e| e.to_string())?)
        .with_signer(signer.clone());
    let callee = Application::builder()
        .services(["then_callee"])
        .signatures(Verifier::new(&secrets))
        .then_replies(replies)
        .build()
        .map_err(|e| e.to_string())?;
    let server = Server::new(callee, JsonRpc);

    let seven = Then::method_of::<OnDouble>()
        .at(&place)
        .with_data(json!("seven"));
    let zero = Then::method_of::<OnDouble>()
        .at(&place)
        .with_data(json!("zero"));
    let elsewhere = Then::method_of::<OnDouble>()
        .at(format!("sqlite:{}", dir.path().join("other.db").display()))
        .with_data(json!("seven"));
    let delivered = server.process(call(7, &signer, &seven, &seven)).await;
    assert_eq!((delivered.body, delivered.fault), (None, None));
    let failed = server.process(call(0, &signer, &zero, &zero)).await;
    assert_eq!(failed.fault, None, "the call's fault goes to the handler");
    // The same signature with another directive (other data, another
    // place) holds for neither: refused before `double` runs.
    let forged = server.process(call(7, &signer, &seven, &zero)).await;
    assert_eq!(refused_code(&forged), Some("Client.Unauthorized"));
    let moved = server.process(call(7, &signer, &seven, &elsewhere)).await;
    assert_eq!(refused_code(&moved), Some("Client.Unauthorized"));

    let until = Instant::now() + Duration::from_secs(30);
    let received = loop {
        let received = got.0.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if received.len() >= 2 || Instant::now() > until {
            break received;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let failures = QueueAdmin::open(&replies_file, QueueOptions::default())
        .map_err(|e| e.to_string())?
        .failures()
        .await
        .map_err(|e| e.to_string())?;
    let _ = stop.send(());
    serving
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    assert!(failures.is_empty(), "the signed replies ran: {failures:?}");
    let mut received = received;
    received.sort();
    assert_eq!(
        received,
        [
            ("seven".to_owned(), "ok 14".to_owned()),
            ("zero".to_owned(), "fault Client".to_owned())
        ]
    );
    assert!(!dir.path().join("other.db").exists());
    Ok(())
}
