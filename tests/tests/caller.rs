//! A method reads who called it (`ctx.caller()`): the fingerprint the
//! client's transport sent, over HTTP (a header), RabbitMQ (message
//! headers) and the SQLite queue (the task row), each bound and reached
//! through the catalog as a host does.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use switchboard::catalog::{self, ConnectSettings, ServeSettings};
use switchboard::{Application, Client, Fingerprint, MethodContext, State, rpc};
use switchboard_amqp as _;
use switchboard_http as _;
use switchboard_json as _;
use switchboard_sqlite_queue as _;

/// The callers seen, in order (`None`: a call without a fingerprint).
#[derive(Debug, Default)]
struct Seen(Mutex<Vec<Option<Fingerprint>>>);

/// Remembers who called.
#[rpc(service = "callers")]
fn remember_caller(ctx: &MethodContext, seen: State<Seen>) {
    let mut seen = seen.0.lock().unwrap_or_else(PoisonError::into_inner);
    seen.push(ctx.caller().cloned());
}

/// Serves `callers` at `transport`'s conformance address, calls it once
/// as `me`, and returns the caller the method saw.
async fn caller_seen_over(
    transport: &str,
    me: &Fingerprint,
) -> Result<Option<Fingerprint>, String> {
    let entry = catalog::transport(transport).ok_or(format!("{transport} is not linked"))?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let unique = format!("caller-{}-{transport}", std::process::id());
    let address = entry
        .conformance_address(dir.path(), &unique)
        .ok_or("no conformance address")?
        .map_err(|e| e.to_string())?;
    let protocol = catalog::protocol(if entry.capabilities_of().replies {
        "jsonrpc"
    } else {
        "json"
    })
    .ok_or("protocol not linked")?;
    let seen = Arc::new(Seen::default());
    let app = Application::builder()
        .services(["callers"])
        .shared_state(Arc::clone(&seen))
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
    let sender = catalog::connect(
        reach,
        ConnectSettings::new(protocol).with_fingerprint(me.clone()),
    )
    .await
    .map_err(|e| e.to_string())?;
    let codec = protocol
        .client_protocol(&Default::default())
        .ok_or("no client")?;
    let client = Client::new(sender, codec);
    client
        .notify_named("remember_caller", &serde_json::json!({}), None)
        .await
        .map_err(|e| e.to_string())?;
    let until = Instant::now() + Duration::from_secs(20);
    let caller = loop {
        if let Some(first) = seen
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .first()
        {
            break first.clone();
        }
        if Instant::now() > until {
            return Err(format!("{transport}: the call never ran"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let _ = stop.send(());
    serving
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    Ok(caller)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_method_sees_its_callers_fingerprint_on_every_transport() -> Result<(), String> {
    let me = Fingerprint::new("caller-test", "client", "9.9.9");
    for transport in ["http", "amqp", "sqlite"] {
        let seen = caller_seen_over(transport, &me).await?;
        let seen = seen.ok_or(format!("{transport}: the method saw no caller"))?;
        assert_eq!(
            (
                &seen.name,
                &seen.kind,
                seen.pid,
                &seen.host,
                &seen.instance,
                &seen.started_at
            ),
            (
                &me.name,
                &me.kind,
                me.pid,
                &me.host,
                &me.instance,
                &me.started_at
            ),
            "{transport}"
        );
        let vhost = if transport == "amqp" { Some("/") } else { None };
        assert_eq!(seen.vhost.as_deref(), vhost, "{transport}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_that_sends_none_is_unknown() -> Result<(), String> {
    // The test transport (a Unix socket, written outside the host) carries
    // no fingerprint: the method sees none, and the call runs all the same.
    use switchboard_test_transport as _;
    let anonymous = Fingerprint::new("anonymous", "client", "0");
    assert_eq!(caller_seen_over("test", &anonymous).await?, None);
    Ok(())
}
