//! The typed client over the loopback transport, in both JSON protocols:
//! results, faults, one-way calls, deadlines, injected state.

use std::sync::Arc;
use std::time::{Duration, Instant};

use switchboard::local::{self, LocalClient};
use switchboard::{Client, ClientProtocol, ServerTransport, TransportError};
use switchboard_demo::{Echo, Fail, Sleep, Subtract, Sum};
use switchboard_json::{JsonDocument, JsonRpc};
use switchboard_tests::checks::{Count, Find};
use switchboard_tests::{checks_app, document_server, jsonrpc_server};

fn clients() -> Vec<(&'static str, Client)> {
    let rpc = LocalClient::direct(jsonrpc_server(checks_app()));
    let doc = LocalClient::direct(document_server(checks_app()));
    vec![
        (
            "jsonrpc",
            Client::new(Arc::new(rpc), Arc::new(JsonRpc) as Arc<dyn ClientProtocol>),
        ),
        ("json", Client::new(Arc::new(doc), Arc::new(JsonDocument))),
    ]
}

#[tokio::test]
async fn typed_calls_return_typed_results() -> Result<(), Box<dyn std::error::Error>> {
    for (protocol, client) in clients() {
        assert_eq!(
            client
                .call(Echo {
                    s: "héllo \"quoted\"".into()
                })
                .await?,
            "héllo \"quoted\"",
            "{protocol}"
        );
        assert_eq!(
            client.call(Sum { a: 0.5, b: 0.25 }).await?,
            0.75,
            "{protocol}"
        );
        assert_eq!(
            client
                .call(Subtract {
                    minuend: 1,
                    subtrahend: 3
                })
                .await?,
            -2,
            "{protocol}"
        );
        client.call(Sleep { seconds: 0.0 }).await?;
    }
    Ok(())
}

#[tokio::test]
async fn faults_come_back_with_code_message_and_detail() {
    for (protocol, client) in clients() {
        let err = client
            .call(Fail {
                message: "nope".into(),
            })
            .await
            .unwrap_err();
        let fault = err.fault().unwrap_or_else(|| panic!("{protocol}: {err}"));
        assert_eq!(
            (fault.code(), fault.message()),
            ("Client", "nope"),
            "{protocol}"
        );
        let err = client.call(Find { key: "k".into() }).await.unwrap_err();
        let fault = err.fault().expect("a fault");
        assert_eq!(fault.code(), "Client.NotFound", "{protocol}");
        assert_eq!(
            fault.detail(),
            Some(&serde_json::json!({"key": "k"})),
            "{protocol}"
        );
    }
}

#[tokio::test]
async fn state_and_context_are_injected() -> Result<(), Box<dyn std::error::Error>> {
    let client = &clients()[0].1;
    let (first, id1) = client.call(Count {}).await?;
    let (second, id2) = client.call(Count {}).await?;
    assert_eq!(second, first + 1);
    assert_ne!(id1, id2, "each request has its own id");
    Ok(())
}

#[tokio::test]
async fn a_deadline_cuts_a_slow_call_off() {
    // `sleep` is one-way; call it by name as a two-way call to wait on it.
    let client = &clients()[0].1;
    let started = Instant::now();
    let deadline = Some(Instant::now() + Duration::from_millis(50));
    let err = client
        .call_named::<()>("sleep", &serde_json::json!({"seconds": 30}), deadline)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            switchboard::CallError::Transport(TransportError::Timeout)
        ) || err.fault().is_some_and(|f| f.code() == "Server.Timeout"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the call was not cut off"
    );
}

#[tokio::test]
async fn the_channel_listener_serves_until_shutdown() -> Result<(), Box<dyn std::error::Error>> {
    let (transport, listener) = local::pair(4);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(listener.serve(jsonrpc_server(checks_app()), async {
        let _ = stopped.await;
    }));
    let client = Client::new(Arc::new(transport), Arc::new(JsonRpc));
    let calls = (0..20).map(|i| {
        let client = client.clone();
        async move {
            client
                .call(Subtract {
                    minuend: i,
                    subtrahend: 1,
                })
                .await
        }
    });
    let results: Vec<_> = futures_join(calls).await;
    for (i, result) in results.into_iter().enumerate() {
        assert_eq!(result?, i as i64 - 1);
    }
    let _ = stop.send(());
    serving.await??;
    let err = client.call(Echo { s: "late".into() }).await.unwrap_err();
    assert!(
        matches!(
            err,
            switchboard::CallError::Transport(TransportError::Closed)
        ),
        "{err}"
    );
    Ok(())
}

/// Runs futures concurrently on the current runtime and collects them in order.
async fn futures_join<F, T>(futures: impl Iterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.expect("task finished"));
    }
    out
}
