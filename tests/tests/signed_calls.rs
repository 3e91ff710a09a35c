//! Signed calls on every transport: a service that requires signatures
//! runs correctly signed calls (by either secret of a rotation) and
//! refuses every other with `Client.Unauthorized`, over HTTP (a real
//! socket), RabbitMQ (the broker at `AMQP_ADDR`) and the SQLite queue (a
//! WAL file in a temporary directory), each bound and reached through
//! the catalog as a host does.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use serde_json::json;
use switchboard::catalog::{self, Address, ConnectSettings, ProtocolEntry, ServeSettings};
use switchboard::protocol::OutgoingCall;
use switchboard::signing::{Secret, Secrets, Signer, Verifier};
use switchboard::{
    Application, CarriedHeaders, ClientProtocol, ClientTransport, OutgoingRequest,
    SIGNATURE_HEADER, State, rpc,
};
use switchboard_amqp as _;
use switchboard_http as _;
use switchboard_json as _;
use switchboard_sqlite_queue::{QueueAdmin, QueueOptions};

/// The texts the methods were called with, in order.
#[derive(Debug, Default)]
struct Ran(Mutex<Vec<String>>);

/// Records `text` and returns it.
#[rpc(service = "signed")]
fn countersign(text: String, ran: State<Ran>) -> String {
    ran.0
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(text.clone());
    text
}

/// Another method, whose signature must not carry `countersign`'s call.
#[rpc(service = "signed")]
fn withdraw(text: String, ran: State<Ran>) -> String {
    countersign(text, ran)
}

fn secret(text: &str) -> Result<Secret, String> {
    Secret::new(text).map_err(|e| e.to_string())
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Gives a body its signature header, if any.
type Sign = Box<dyn Fn(&[u8]) -> Option<String> + Send + Sync>;

/// One request of the test: what is sent and how it is signed.
struct Case {
    name: &'static str,
    /// The method the body calls.
    method: &'static str,
    /// The header, given the body.
    sign: Sign,
    /// Changes the body after signing.
    tamper: bool,
}

/// Every case, and the outcome it must have (`ok`, or a fault code).
fn cases() -> Result<Vec<(Case, &'static str)>, String> {
    let (old, new, third) = (
        Signer::new(&secret("the old secret, rotated out soon")?),
        Signer::new(&secret("the new secret, rotated in now")?),
        Signer::new(&secret("a third secret nobody accepts")?),
    );
    let signed = |signer: Signer, method: &'static str, at: fn() -> u64| {
        Box::new(move |body: &[u8]| Some(signer.sign_at(method, body, at()))) as Sign
    };
    let case = |name, method, sign, tamper| Case {
        name,
        method,
        sign,
        tamper,
    };
    const DENIED: &str = "Client.Unauthorized";
    Ok(vec![
        (
            case(
                "new secret",
                "countersign",
                signed(new.clone(), "countersign", now),
                false,
            ),
            "ok",
        ),
        (
            case(
                "old secret",
                "countersign",
                signed(old.clone(), "countersign", now),
                false,
            ),
            "ok",
        ),
        (
            case(
                "third secret",
                "countersign",
                signed(third, "countersign", now),
                false,
            ),
            DENIED,
        ),
        (
            case("missing", "countersign", Box::new(|_: &[u8]| None), false),
            DENIED,
        ),
        (
            case(
                "tampered body",
                "countersign",
                signed(new.clone(), "countersign", now),
                true,
            ),
            DENIED,
        ),
        (
            case(
                "method swapped",
                "countersign",
                signed(new.clone(), "withdraw", now),
                false,
            ),
            DENIED,
        ),
        (
            case(
                "expired",
                "countersign",
                signed(new.clone(), "countersign", || now() - 120),
                false,
            ),
            DENIED,
        ),
        (
            case(
                "future",
                "countersign",
                signed(new.clone(), "countersign", || now() + 120),
                false,
            ),
            DENIED,
        ),
        (
            case(
                "garbage header",
                "countersign",
                Box::new(|_: &[u8]| Some("v1 t=x m=y sig=z".into())),
                false,
            ),
            DENIED,
        ),
    ])
}

/// The request of `case`, encoded in `codec` for `sender`.
fn request(
    case: &Case,
    id: u64,
    codec: &dyn ClientProtocol,
    sender: &dyn ClientTransport,
) -> Result<OutgoingRequest, String> {
    let one_way = !sender.carries_replies();
    let params = json!({ "text": case.name });
    let body = codec
        .encode_call(OutgoingCall {
            method: case.method,
            params: &params,
            id: (!one_way).then_some(id),
            method_in_transport: sender.names_method(),
        })
        .map_err(|e| e.to_string())?;
    let mut headers = CarriedHeaders::default();
    if let Some(header) = (case.sign)(&body) {
        headers.set(SIGNATURE_HEADER, header);
    }
    let body = match case.tamper {
        true => String::from_utf8_lossy(&body)
            .replace(case.name, "tampered!")
            .into_bytes(),
        false => body,
    };
    Ok(OutgoingRequest {
        method: case.method.to_owned(),
        body,
        content_type: codec.content_type(),
        protocol: codec.name(),
        one_way,
        deadline: Some(std::time::Instant::now() + Duration::from_secs(20)),
        headers,
    })
}

/// What came back for a call: `ok`, or the fault's code.
fn outcome(codec: &dyn ClientProtocol, body: &[u8]) -> Result<String, String> {
    match codec.decode_reply(body, &mut |_| Ok(())) {
        Ok(Ok(())) => Ok("ok".to_owned()),
        Ok(Err(fault)) => Ok(fault.code.to_string()),
        Err(err) => Err(err.to_string()),
    }
}

/// A service requiring signatures, served at `transport`'s conformance
/// address; every case sent to it; each case's outcome by name, and the
/// texts the methods ran with.
async fn outcomes_over(transport: &str) -> Result<(BTreeMap<String, String>, Vec<String>), String> {
    let entry = catalog::transport(transport).ok_or(format!("{transport} is not linked"))?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let unique = format!("signed-{}-{transport}", std::process::id());
    let address = entry
        .conformance_address(dir.path(), &unique)
        .ok_or("no conformance address")?
        .map_err(|e| e.to_string())?;
    let replies = entry.capabilities_of().replies;
    let protocol =
        catalog::protocol(if replies { "jsonrpc" } else { "json" }).ok_or("no protocol")?;
    let ran = Arc::new(Ran::default());
    let accepted = Secrets::new(secret("the new secret, rotated in now")?)
        .with(secret("the old secret, rotated out soon")?);
    let app = Application::builder()
        .services(["signed"])
        .shared_state(Arc::clone(&ran))
        .signatures(Verifier::new(&accepted))
        .build()
        .map_err(|e| e.to_string())?;
    let settings = ServeSettings::new(app, vec![protocol]).with_default_protocol(protocol);
    let bound = entry
        .bind_at(address, settings)
        .await
        .map_err(|e| e.to_string())?;
    let reach = bound.reach().cloned().ok_or("no reach")?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(bound.serve(Box::pin(async move {
        let _ = stopped.await;
    })));
    let result = send_all(protocol, reach.clone(), replies, &ran).await;
    let _ = stop.send(());
    serving
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let seen = ran.0.lock().unwrap_or_else(PoisonError::into_inner).clone();
    Ok((result?, seen))
}

/// Sends every case to `reach`: over a transport with replies, each
/// outcome is the reply; over a queue, the failure recorded for its task
/// or `ok` once the method ran.
async fn send_all(
    protocol: &'static ProtocolEntry,
    reach: Address,
    replies: bool,
    ran: &Ran,
) -> Result<BTreeMap<String, String>, String> {
    let sender = catalog::connect(reach.clone(), ConnectSettings::new(protocol))
        .await
        .map_err(|e| e.to_string())?;
    let codec = protocol
        .client_protocol(&Default::default())
        .ok_or("no client")?;
    let mut outcomes = BTreeMap::new();
    let mut tasks = BTreeMap::new();
    for (id, (case, _)) in (1..).zip(cases()?) {
        let request = request(&case, id, codec.as_ref(), sender.as_ref())?;
        if replies {
            let reply = sender.exchange(request).await.map_err(|e| e.to_string())?;
            let reply = reply.ok_or(format!("{}: no reply", case.name))?;
            outcomes.insert(case.name.to_owned(), outcome(codec.as_ref(), &reply.body)?);
        } else {
            let receipt = sender
                .send_one_way(request)
                .await
                .map_err(|e| e.to_string())?;
            let task = receipt.id().ok_or("no task id")?.to_owned();
            tasks.insert(task, case.name);
        }
    }
    if !replies {
        outcomes = queue_outcomes(reach.path(), &tasks, ran).await?;
    }
    Ok(outcomes)
}

/// Waits until every task of `tasks` ran or failed in the queue file at
/// `path`; each case's outcome.
async fn queue_outcomes(
    path: &str,
    tasks: &BTreeMap<String, &'static str>,
    ran: &Ran,
) -> Result<BTreeMap<String, String>, String> {
    let admin = QueueAdmin::open(path, QueueOptions::default()).map_err(|e| e.to_string())?;
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let failures = admin.failures().await.map_err(|e| e.to_string())?;
        let done = ran.0.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if failures.len() + done.len() >= tasks.len() {
            let mut outcomes: BTreeMap<String, String> = done
                .into_iter()
                .map(|name| (name, "ok".to_owned()))
                .collect();
            for failure in failures {
                let name = tasks
                    .get(&failure.task_id.to_string())
                    .ok_or("a failure of an unknown task")?;
                outcomes.insert((*name).to_owned(), failure.faultcode);
            }
            return Ok(outcomes);
        }
        if Instant::now() > until {
            return Err("the queue's tasks never all ran".to_owned());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_calls_are_accepted_and_every_other_refused_on_every_transport() -> Result<(), String>
{
    let expected: BTreeMap<String, String> = cases()?
        .into_iter()
        .map(|(case, outcome)| (case.name.to_owned(), outcome.to_owned()))
        .collect();
    for transport in ["http", "amqp", "sqlite"] {
        let (outcomes, ran) = outcomes_over(transport).await?;
        assert_eq!(outcomes, expected, "{transport}");
        // Only the two well-signed calls ran, each once.
        let mut ran = ran;
        ran.sort();
        assert_eq!(ran, ["new secret", "old secret"], "{transport}");
    }
    Ok(())
}
