//! The pipeline's two paths for a call answer alike: the plain path (no
//! listener, no call wrapper: the arguments are decoded, checked and passed
//! to the function in one step) and the observed path (decoded into `Args`,
//! events fired, the wrapper run). Every request below goes through a server
//! of each kind, in both JSON protocols, and the replies must be identical
//! to the byte.

use switchboard::{
    Application, CallWrapper, Event, EventListener, Fault, MethodContext, Next, Reply, RequestInfo,
    Response, Server, TransportFacts, async_trait, rpc,
};
use switchboard_demo as _;
use switchboard_json::{JsonDocument, JsonRpc};

/// Panics for any `n` but 0: a panic is a `Server` fault on either path.
#[rpc(service = "paths")]
fn explode(n: u32) -> u32 {
    if n > 0 {
        panic!("deliberate panic in a method");
    }
    n
}

/// Observes every call and does nothing.
struct Quiet;

#[async_trait]
impl EventListener for Quiet {
    async fn on_event(&self, _: Event, _: &MethodContext) {}
}

/// Wraps every call and only runs it.
struct PassThrough;

#[async_trait]
impl CallWrapper for PassThrough {
    async fn call(&self, next: Next<'_>) -> Result<Reply, Fault> {
        next.run().await
    }
}

/// A plain application, one with a listener and one with a call wrapper.
fn apps() -> Result<[(&'static str, Application); 3], Box<dyn std::error::Error>> {
    let builder = || Application::builder().services(["demo", "paths"]);
    Ok([
        ("plain", builder().build()?),
        ("listened", builder().listener(Quiet).build()?),
        ("wrapped", builder().call_wrapper(PassThrough).build()?),
    ])
}

/// What a transport sees of a response: the body and the fault codes.
fn seen(response: &Response) -> (Option<String>, Option<String>, Option<String>) {
    let code = |fault: &Option<Fault>| fault.as_ref().map(|f| f.code().to_owned());
    (
        response
            .body
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned()),
        code(&response.fault),
        code(&response.any_fault),
    )
}

/// Sends `request` through a server of each kind; returns the plain
/// server's response after checking the others answered the same.
async fn same_on_every_path(
    servers: &[(&'static str, Server)],
    request: impl Fn() -> RequestInfo,
) -> (Option<String>, Option<String>, Option<String>) {
    let mut answers = Vec::new();
    for (name, server) in servers {
        answers.push((name, seen(&server.process(request()).await)));
    }
    let (_, plain) = &answers[0];
    for (name, answer) in &answers[1..] {
        assert_eq!(answer, plain, "{name} differs from plain");
    }
    answers.swap_remove(0).1
}

#[tokio::test]
async fn json_rpc_answers_alike_on_both_paths() -> Result<(), Box<dyn std::error::Error>> {
    let servers = apps()?.map(|(name, app)| (name, Server::new(app, JsonRpc)));
    let cases = [
        (
            r#"{"jsonrpc":"2.0","method":"echo","params":{"s":"hi"},"id":1}"#,
            None,
        ),
        (
            r#"{"jsonrpc":"2.0","method":"echo","params":["hi"],"id":2}"#,
            None,
        ),
        (
            r#"{"jsonrpc":"2.0","method":"echo","params":{"s":1},"id":3}"#,
            Some("Client.InvalidParams"),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"echo","params":{"s":"a","t":1},"id":4}"#,
            Some("Client.InvalidParams"),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"sleep","params":{"seconds":-1},"id":5}"#,
            Some("Client.Validation"),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"sleep","params":{"seconds":0},"id":6}"#,
            None,
        ),
        (
            r#"{"jsonrpc":"2.0","method":"fail","params":{"message":"no"},"id":7}"#,
            Some("Client"),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"nope","id":8}"#,
            Some("Client.UnknownMethod"),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"explode","params":{"n":1},"id":9}"#,
            Some("Server"),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"explode","params":{"n":0},"id":10}"#,
            None,
        ),
        (
            r#"{"jsonrpc":"2.0","method":"sum","id":11}"#,
            Some("Client.InvalidParams"),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"echo","params":{"s":"hi"}"#,
            Some("Client.Malformed"),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"fail","params":{"message":"quiet"}}"#,
            None,
        ),
        (
            r#"[{"jsonrpc":"2.0","method":"sum","params":{"a":1,"b":2},"id":"x"},
                {"jsonrpc":"2.0","method":"echo","params":{"s":2},"id":"y"},
                {"jsonrpc":"2.0","method":"fail","params":{"message":"n"}}]"#,
            Some("Client.InvalidParams"),
        ),
    ];
    for (body, fault) in cases {
        let (reply, first_fault, _) =
            same_on_every_path(&servers, || RequestInfo::new(body, TransportFacts::NONE)).await;
        assert_eq!(first_fault.as_deref(), fault, "{body}");
        assert!(
            reply.is_some() || body.contains("quiet"),
            "{body}: no reply"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_json_document_answers_alike_on_both_paths() -> Result<(), Box<dyn std::error::Error>> {
    let servers = apps()?.map(|(name, app)| (name, Server::new(app, JsonDocument)));
    let cases = [
        (r#"{"echo":{"s":"hi"}}"#, None),
        (r#"{"echo":{"s":1}}"#, Some("Client.InvalidParams")),
        (r#"{"sleep":{"seconds":7200}}"#, Some("Client.Validation")),
        (r#"{"fail":{"message":"no"}}"#, Some("Client")),
        (r#"{"nope":{}}"#, Some("Client.UnknownMethod")),
        (r#"{"explode":{"n":2}}"#, Some("Server")),
    ];
    for (body, fault) in cases {
        let (_, first_fault, _) =
            same_on_every_path(&servers, || RequestInfo::new(body, TransportFacts::NONE)).await;
        assert_eq!(first_fault.as_deref(), fault, "{body}");
    }
    // The method named by the transport, the body only its parameters.
    let bare =
        || RequestInfo::new(&br#"{"s":"bare"}"#[..], TransportFacts::NONE).with_method("echo");
    let (reply, fault, _) = same_on_every_path(&servers, bare).await;
    assert_eq!((reply.as_deref(), fault), (Some(r#""bare""#), None));
    Ok(())
}
