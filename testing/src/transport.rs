//! The transport suite: the demo service end to end over a real client and
//! server transport pair, with deadlines, concurrency and graceful shutdown.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::fixture::{Ran, Record, SLOW, contains};
use crate::protocol::{TRICKY_TEXT, call, fault_is, round_trip};
use crate::{Checks, SLOW_FOR, SuiteFailure, ensure};
use switchboard::{
    CallError, Client, ClientProtocol, ClientTransport, Protocols, Server, TransportError, code,
};

/// How long the suite waits for anything to happen before calling it lost.
const PATIENCE: Duration = Duration::from_secs(20);
/// Calls in flight at once in the concurrency check.
const CONCURRENT: usize = 64;

/// Whether a transport answers calls or only carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// Calls get replies (HTTP, AMQP RPC, loopback): results, faults and
    /// deadlines reach the caller.
    RequestReply,
    /// Calls are accepted and run later, with no reply (queues): the suite
    /// checks that each call ran, by watching the application.
    OneWay,
}

/// A server transport serving, and a client transport connected to it.
pub struct Started {
    /// Sends requests to the server.
    pub client: Arc<dyn ClientTransport>,
    /// The server transport's `serve`, spawned: it must return `Ok(())`
    /// once the shutdown future completes and calls in flight finished.
    pub serving: JoinHandle<Result<(), TransportError>>,
}

impl std::fmt::Debug for Started {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Started").finish_non_exhaustive()
    }
}

/// The shutdown future handed to a harness: pass it to `serve`.
pub type Shutdown = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Starts a transport pair for the [`transport_suite`]: a transport's tests
/// implement it in a few lines.
#[async_trait]
pub trait TransportHarness: Send {
    /// Whether the transport carries replies.
    fn kind(&self) -> TransportKind;

    /// Spawns the server transport serving `server` until `shutdown`
    /// completes, and returns a client transport connected to it.
    ///
    /// # Errors
    /// Why the pair could not be started.
    async fn start(&mut self, server: Server, shutdown: Shutdown) -> Result<Started, String>;
}

/// Runs the transport suite: a [`Server`] speaking `protocols`, served and
/// called through the pair `harness` starts, the client encoding with
/// `client_protocol`.
///
/// Checks, for every transport: each demo method gets through (and, with
/// replies, answers correctly: results, a `Client` fault, a one-way call);
/// `CONCURRENT` calls at once each get their own answer (or each
/// run exactly once, one-way); shutdown while a call runs lets it finish
/// (and deliver its reply), then `serve` returns `Ok`. With replies, a
/// call past its deadline fails with [`TransportError::Timeout`].
///
/// # Errors
/// [`SuiteFailure`] naming every check that failed.
pub async fn transport_suite(
    harness: &mut dyn TransportHarness,
    protocols: impl Into<Protocols>,
    client_protocol: Arc<dyn ClientProtocol>,
) -> Result<(), SuiteFailure> {
    let mut checks = Checks::default();
    let Some((server, record)) = checks.server(protocols) else {
        return checks.finish();
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown: Shutdown = Box::pin(async move {
        let _ = stopped.await;
    });
    let started = match harness.start(server, shutdown).await {
        Ok(started) => started,
        Err(why) => {
            checks.record("setup", Err(format!("the harness could not start: {why}")));
            return checks.finish();
        }
    };
    let client = Client::new(started.client, client_protocol);
    let kind = harness.kind();
    match kind {
        TransportKind::RequestReply => {
            checks.record("round trips", round_trips(&client, &record).await);
            checks.record("deadline", deadline(&client).await);
            checks.record("concurrent calls", concurrent_replies(&client).await);
        }
        TransportKind::OneWay => {
            checks.record("round trips", one_way_trips(&client, &record).await);
            checks.record(
                "concurrent calls",
                concurrent_one_way(&client, &record).await,
            );
        }
    }
    checks.record(
        "shutdown",
        shutdown_drains(&client, &record, kind, stop, started.serving).await,
    );
    checks.finish()
}

async fn round_trips(client: &Client, record: &Record) -> Result<(), String> {
    round_trip(
        client,
        "echo",
        json!({"s": TRICKY_TEXT}),
        json!(TRICKY_TEXT),
    )
    .await?;
    round_trip(client, "sum", json!({"a": 1.5, "b": 2.25}), json!(3.75)).await?;
    round_trip(
        client,
        "subtract",
        json!({"minuend": 42, "subtrahend": 23}),
        json!(19),
    )
    .await?;
    fault_is(
        call(client, "fail", json!({"message": "no"})).await,
        code::CLIENT,
        Some("no"),
    )?;
    client
        .notify_named("sleep", &json!({"seconds": 0}), None)
        .await
        .map_err(|err| format!("the one-way call failed: {err}"))?;
    ran_soon(record, "the one-way `sleep`", |r| {
        r.method == "sleep" && r.finished
    })
    .await
}

async fn one_way_trips(client: &Client, record: &Record) -> Result<(), String> {
    let calls = [
        ("echo", json!({"s": TRICKY_TEXT})),
        ("sum", json!({"a": 1.5, "b": 2.25})),
        ("subtract", json!({"minuend": 42, "subtrahend": 23})),
        ("fail", json!({"message": "no"})),
        ("sleep", json!({"seconds": 0})),
    ];
    for (method, params) in &calls {
        client
            .notify_named(method, params, None)
            .await
            .map_err(|err| format!("sending `{method}` failed: {err}"))?;
    }
    for (method, _) in calls {
        ran_soon(record, &format!("`{method}`"), |r| {
            r.method == method && r.finished
        })
        .await?;
    }
    Ok(())
}

async fn deadline(client: &Client) -> Result<(), String> {
    let deadline = Instant::now() + SLOW_FOR / 4;
    let params = json!({"s": format!("{SLOW} deadline")});
    let result = client
        .call_named::<Value>("echo", &params, Some(deadline))
        .await;
    match result {
        Err(CallError::Transport(TransportError::Timeout)) => Ok(()),
        other => Err(format!(
            "expected a `Timeout` error past the deadline, got {other:?}"
        )),
    }
}

async fn concurrent_replies(client: &Client) -> Result<(), String> {
    let mut calls = tokio::task::JoinSet::new();
    for n in 0..CONCURRENT {
        let client = client.clone();
        calls.spawn(async move {
            let s = format!("concurrent {n}");
            let answer = call(&client, "echo", json!({"s": s})).await;
            (s, answer)
        });
    }
    while let Some(joined) = calls.join_next().await {
        let (sent, answer) = joined.map_err(|err| format!("a call task failed: {err}"))?;
        match answer {
            Ok(Value::String(got)) if got == sent => {}
            other => return Err(format!("sent {sent:?}, got {other:?}")),
        }
    }
    Ok(())
}

async fn concurrent_one_way(client: &Client, record: &Record) -> Result<(), String> {
    let tokens: Vec<String> = (0..CONCURRENT)
        .map(|n| format!("one-way token {n}."))
        .collect();
    let mut sends = tokio::task::JoinSet::new();
    for token in &tokens {
        let (client, token) = (client.clone(), token.clone());
        sends.spawn(async move {
            client
                .notify_named("echo", &json!({"s": token}), None)
                .await
        });
    }
    while let Some(joined) = sends.join_next().await {
        joined
            .map_err(|err| format!("a send task failed: {err}"))?
            .map_err(|err| format!("a one-way call failed: {err}"))?;
    }
    let count = |ran: &[Ran], token: &str| {
        ran.iter()
            .filter(|r| r.finished && contains(&r.request, token.as_bytes()))
            .count()
    };
    let all_ran = record
        .wait_for(PATIENCE, |ran| tokens.iter().all(|t| count(ran, t) >= 1))
        .await;
    let ran = record.snapshot();
    let wrong: Vec<_> = tokens
        .iter()
        .map(|t| (t, count(&ran, t)))
        .filter(|(_, n)| *n != 1)
        .collect();
    ensure(all_ran && wrong.is_empty(), || {
        format!("each call should run exactly once; these did not: {wrong:?}")
    })
}

async fn shutdown_drains(
    client: &Client,
    record: &Record,
    kind: TransportKind,
    stop: oneshot::Sender<()>,
    serving: JoinHandle<Result<(), TransportError>>,
) -> Result<(), String> {
    let s = format!("{SLOW} in flight at shutdown");
    let in_flight = {
        let (client, s) = (client.clone(), s.clone());
        tokio::spawn(async move {
            match kind {
                TransportKind::RequestReply => {
                    call(&client, "echo", json!({"s": s})).await.map(Some)
                }
                TransportKind::OneWay => client
                    .notify_named("echo", &json!({"s": s}), None)
                    .await
                    .map(|_receipt| None),
            }
        })
    };
    let token = s.clone();
    ran_soon(record, "the slow call", |r| {
        r.method == "echo" && contains(&r.request, token.as_bytes())
    })
    .await?;
    let _ = stop.send(());
    let served = tokio::time::timeout(PATIENCE, serving)
        .await
        .map_err(|_| "`serve` did not return after shutdown".to_owned())?;
    match served {
        Ok(Ok(())) => {}
        Ok(Err(err)) => return Err(format!("`serve` failed at shutdown: {err}")),
        Err(err) => return Err(format!("`serve` panicked or was cancelled: {err}")),
    }
    let finished = record
        .snapshot()
        .iter()
        .any(|r| r.finished && contains(&r.request, s.as_bytes()));
    ensure(finished, || {
        "the call in flight at shutdown did not finish".to_owned()
    })?;
    let answer = tokio::time::timeout(PATIENCE, in_flight)
        .await
        .map_err(|_| "the call in flight at shutdown never returned".to_owned())?
        .map_err(|err| format!("the calling task failed: {err}"))?;
    match (kind, answer) {
        (TransportKind::RequestReply, Ok(Some(Value::String(got)))) if got == s => Ok(()),
        (TransportKind::OneWay, Ok(None)) => Ok(()),
        (_, other) => Err(format!("the call in flight at shutdown got {other:?}")),
    }
}

/// Waits until a call matching `matches` is recorded.
async fn ran_soon(
    record: &Record,
    what: &str,
    matches: impl Fn(&Ran) -> bool,
) -> Result<(), String> {
    let ran = record
        .wait_for(PATIENCE, |ran| ran.iter().any(&matches))
        .await;
    ensure(ran, || format!("{what} did not run within {PATIENCE:?}"))
}
