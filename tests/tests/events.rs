//! Event listeners see a call's life in order, with its context; a call
//! wrapper can run code around a call or short-circuit it.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use switchboard::{
    Application, CallWrapper, Event, EventListener, Events, Fault, MethodContext, Next, Reply,
    async_trait,
};
use switchboard_tests::{exchange, jsonrpc_server};

/// One observed event: what happened, to which method, with which fault code.
type Seen = (Event, Option<String>, Option<String>);

/// Records every event.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Seen>>>);

#[async_trait]
impl EventListener for Recorder {
    async fn on_event(&self, event: Event, ctx: &MethodContext) {
        let method = ctx.method().map(|m| m.name.to_owned());
        let fault = ctx
            .in_error()
            .or(ctx.out_error())
            .map(|f| f.code().to_owned());
        if event == Event::MethodReturn {
            assert!(
                ctx.out_object().is_some(),
                "the result is visible on return"
            );
        }
        if event == Event::MethodCall {
            assert!(
                ctx.in_object().is_some(),
                "the arguments are visible on call"
            );
        }
        self.0
            .lock()
            .expect("not poisoned")
            .push((event, method, fault));
    }
}

impl Recorder {
    fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.0.lock().expect("not poisoned"))
    }
}

fn some(text: &str) -> Option<String> {
    Some(text.to_owned())
}

#[tokio::test]
async fn listeners_see_each_call_in_order() {
    let recorder = Recorder::default();
    let app = Application::builder()
        .services(["demo"])
        .listener(recorder.clone())
        .build()
        .expect("demo");
    let server = jsonrpc_server(app);

    exchange(
        &server,
        r#"{"jsonrpc":"2.0","method":"echo","params":["a"],"id":1}"#,
    )
    .await;
    assert_eq!(
        recorder.take(),
        vec![
            (Event::ContextCreated, None, None),
            (Event::MethodCall, some("echo"), None),
            (Event::MethodReturn, some("echo"), None),
            (Event::ContextClosed, some("echo"), None),
        ]
    );

    exchange(
        &server,
        r#"{"jsonrpc":"2.0","method":"fail","params":["no"],"id":1}"#,
    )
    .await;
    assert_eq!(
        recorder.take(),
        vec![
            (Event::ContextCreated, None, None),
            (Event::MethodCall, some("fail"), None),
            (Event::MethodException, some("fail"), some("Client")),
            (Event::ContextClosed, some("fail"), some("Client")),
        ]
    );

    exchange(&server, r#"{"jsonrpc":"2.0","method":"nope","id":1}"#).await;
    assert_eq!(
        recorder.take(),
        vec![
            (Event::ContextCreated, None, None),
            (Event::MethodException, None, some("Client.UnknownMethod")),
            (Event::ContextClosed, None, some("Client.UnknownMethod")),
        ]
    );

    exchange(&server, "{oops").await;
    assert_eq!(
        recorder.take(),
        vec![
            (Event::ContextCreated, None, None),
            (Event::MethodException, None, some("Client.Malformed")),
            (Event::ContextClosed, None, some("Client.Malformed")),
        ]
    );
}

/// Records failures only, as [`Recorder`] does.
#[derive(Clone, Default)]
struct FailureRecorder(Recorder);

#[async_trait]
impl EventListener for FailureRecorder {
    fn events(&self) -> Events {
        Events::only(Event::MethodException)
    }

    async fn on_event(&self, event: Event, ctx: &MethodContext) {
        self.0.on_event(event, ctx).await;
    }
}

#[tokio::test]
async fn a_listener_of_failures_sees_every_failure_and_nothing_else() {
    let failures = FailureRecorder::default();
    let everything = Recorder::default();
    // Alone (the pipeline's plain path), then beside a listener of
    // everything (the observed path): the same failures either way.
    let alone = Application::builder()
        .services(["demo"])
        .listener(failures.clone())
        .build()
        .expect("demo");
    let beside = Application::builder()
        .services(["demo"])
        .listener(failures.clone())
        .listener(everything.clone())
        .build()
        .expect("demo");
    for app in [alone, beside] {
        let server = jsonrpc_server(app);
        let cases = [
            (
                r#"{"jsonrpc":"2.0","method":"echo","params":["a"],"id":1}"#,
                None,
            ),
            (
                r#"{"jsonrpc":"2.0","method":"fail","params":["no"],"id":1}"#,
                Some((some("fail"), some("Client"))),
            ),
            (
                r#"{"jsonrpc":"2.0","method":"echo","params":[1],"id":1}"#,
                Some((some("echo"), some("Client.InvalidParams"))),
            ),
            (
                r#"{"jsonrpc":"2.0","method":"nope","id":1}"#,
                Some((None, some("Client.UnknownMethod"))),
            ),
            ("{oops", Some((None, some("Client.Malformed")))),
        ];
        for (request, failure) in cases {
            exchange(&server, request).await;
            let expected: Vec<Seen> = failure
                .map(|(method, code)| (Event::MethodException, method, code))
                .into_iter()
                .collect();
            assert_eq!(failures.0.take(), expected, "{request}");
        }
    }
    let seen = everything.take();
    let count = |event| seen.iter().filter(|(e, _, _)| *e == event).count();
    // The other listener still sees every event of the five calls.
    assert_eq!(count(Event::ContextCreated), 5);
    assert_eq!(count(Event::MethodCall), 2);
    assert_eq!(count(Event::MethodReturn), 1);
    assert_eq!(count(Event::MethodException), 4);
    assert_eq!(count(Event::ContextClosed), 5);
}

/// Refuses `fail`, doubles every other result's text.
struct Gatekeeper;

#[async_trait]
impl CallWrapper for Gatekeeper {
    async fn call(&self, next: Next<'_>) -> Result<Reply, Fault> {
        if next.method().name == "fail" {
            return Err(Fault::unauthorized("fail is not allowed here"));
        }
        if next.method().name == "echo" {
            // Short-circuit with a value the function never produced.
            return Ok(Reply::new("intercepted"));
        }
        next.run().await
    }
}

#[tokio::test]
async fn a_call_wrapper_can_short_circuit() {
    let recorder = Recorder::default();
    let app = Application::builder()
        .services(["demo"])
        .listener(recorder.clone())
        .call_wrapper(Gatekeeper)
        .build()
        .expect("demo");
    let server = jsonrpc_server(app);
    let call = |method: &str, params: Value| {
        json!({"jsonrpc": "2.0", "method": method, "params": params, "id": 1}).to_string()
    };
    let reply = exchange(&server, call("echo", json!(["a"])))
        .await
        .expect("reply");
    assert_eq!(
        serde_json::from_str::<Value>(&reply).expect("JSON")["result"],
        "intercepted"
    );
    let reply = exchange(&server, call("fail", json!(["a"])))
        .await
        .expect("reply");
    let reply: Value = serde_json::from_str(&reply).expect("JSON");
    assert_eq!(reply["error"]["data"]["faultcode"], "Client.Unauthorized");
    let reply = exchange(&server, call("sum", json!([1, 2])))
        .await
        .expect("reply");
    assert_eq!(
        serde_json::from_str::<Value>(&reply).expect("JSON")["result"],
        3.0
    );
    let events: Vec<_> = recorder
        .take()
        .into_iter()
        .map(|(event, _, _)| event)
        .collect();
    assert_eq!(
        events
            .iter()
            .filter(|e| **e == Event::MethodException)
            .count(),
        1
    );
    assert_eq!(
        events.iter().filter(|e| **e == Event::MethodReturn).count(),
        2
    );
}

/// Stores the caller's "tenant" for the function to read.
struct Tenancy;

#[async_trait]
impl EventListener for Tenancy {
    async fn on_event(&self, event: Event, ctx: &MethodContext) {
        if event == Event::ContextCreated {
            ctx.user_data.insert(String::from("acme"));
        }
        if event == Event::MethodReturn {
            assert_eq!(ctx.user_data.get::<String>().as_deref(), Some("acme"));
        }
    }
}

#[tokio::test]
async fn listeners_and_functions_share_user_data() {
    let app = Application::builder()
        .services(["checks", "demo"])
        .state(switchboard_tests::checks::Counter::default())
        .listener(Tenancy)
        .build()
        .expect("services");
    let server = jsonrpc_server(app);
    let reply = exchange(&server, r#"{"jsonrpc":"2.0","method":"tenant","id":1}"#)
        .await
        .expect("reply");
    assert_eq!(
        serde_json::from_str::<Value>(&reply).expect("JSON")["result"],
        "acme"
    );
}
