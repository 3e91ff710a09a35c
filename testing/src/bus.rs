//! The bus suite: a transport's [`Bus`] keeps the contract the trait
//! states, checked through the catalog as a service reaches it
//! ([`open_bus`](switchboard::catalog::open_bus)), with the `demo` service as
//! the worker's application and its tasks in the JSON document.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::fixture::{self, Record, contains};
use crate::{Checks, SuiteFailure, ensure};
use switchboard::catalog::bus::{Bus, BusSettings, Subscription, WorkQueue};
use switchboard::catalog::{self, Address, ServeSettings};

/// How long the suite waits for anything to happen before calling it lost.
const PATIENCE: Duration = Duration::from_secs(20);
/// How long the suite watches for what must not happen.
const QUIET: Duration = Duration::from_millis(300);
/// The tasks enqueued before a worker starts, each an `echo` of its marker.
const TASKS: [&str; 3] = ["bus:first", "bus:second", "bus:third"];
/// The task enqueued after one that cannot run.
const AFTER_BAD: &str = "bus:after-bad";

/// Runs the bus suite on the bus at `address`. Its queue is named
/// `unique`, its topics `unique.a` and `unique.b`, its dead letters
/// `unique.failed`, so runs do not meet; a transport's test removes what
/// its broker keeps. The worker decodes the tasks with the JSON document
/// protocol, so the test links `switchboard_json` too.
///
/// # Errors
/// Every failed check, by name.
pub async fn bus_suite(address: Address, unique: &str) -> Result<(), SuiteFailure> {
    let mut checks = Checks::default();
    let Opened { bus, app, record } = match open(address) {
        Ok(opened) => opened,
        Err(why) => {
            checks.record("setup", Err(why));
            return checks.finish();
        }
    };
    let (a, b) = (format!("{unique}.a"), format!("{unique}.b"));
    checks.record("topics", topics(bus.as_ref(), &a, &b).await);
    checks.record("tasks", tasks(bus.as_ref(), &app, &record, unique).await);
    checks.finish()
}

/// The bus, and the demo application with its recorder.
struct Opened {
    bus: Arc<dyn Bus>,
    app: switchboard::Application,
    record: Arc<Record>,
}

fn open(address: Address) -> Result<Opened, String> {
    let (app, record) = fixture::application()?;
    let protocol = catalog::protocol("json").ok_or(
        "the suite encodes tasks in the JSON document; link it with `use switchboard_json as _;`",
    )?;
    let settings = BusSettings::new(protocol).with_client_name("bus suite");
    let bus = catalog::open_bus(address, settings).map_err(|err| format!("open_bus: {err}"))?;
    Ok(Opened { bus, app, record })
}

/// A message reaches the subscriptions of its topic open when it is
/// published, and no other.
async fn topics(bus: &dyn Bus, a: &str, b: &str) -> Result<(), String> {
    let fail = |what: &'static str| move |err| format!("{what}: {err}");
    bus.publish(a, b"early".to_vec())
        .await
        .map_err(fail("publish"))?;
    let mut on_a = bus.subscribe(a).await.map_err(fail("subscribe"))?;
    let mut on_b = bus.subscribe(b).await.map_err(fail("subscribe"))?;
    bus.publish(b, b"to b".to_vec())
        .await
        .map_err(fail("publish"))?;
    bus.publish(a, b"to a".to_vec())
        .await
        .map_err(fail("publish"))?;
    expect(
        on_a.as_mut(),
        b"to a",
        "the first message on a after subscribing",
    )
    .await?;
    expect(on_b.as_mut(), b"to b", "the message on b").await?;
    let more = tokio::time::timeout(QUIET, on_a.next()).await;
    ensure(more.is_err(), || {
        format!("a subscription of a saw more: {more:?}")
    })
}

async fn expect(
    subscription: &mut dyn Subscription,
    want: &[u8],
    what: &str,
) -> Result<(), String> {
    match tokio::time::timeout(PATIENCE, subscription.next()).await {
        Ok(Ok(got)) => ensure(got == want, || {
            format!("{what}: expected {:?}, got {:?}", text(want), text(&got))
        }),
        Ok(Err(err)) => Err(format!("{what}: the subscription failed: {err}")),
        Err(_) => Err(format!("{what}: nothing in {PATIENCE:?}")),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Tasks enqueued before the worker starts wait for it and each runs once;
/// one that cannot run is passed; the worker stops on shutdown.
async fn tasks(
    bus: &dyn Bus,
    app: &switchboard::Application,
    record: &Record,
    queue: &str,
) -> Result<(), String> {
    let task = |marker: &str| format!(r#"{{"s": "{marker}"}}"#).into_bytes();
    for marker in TASKS {
        enqueue(bus, queue, task(marker)).await?;
    }
    enqueue(bus, queue, b"not json".to_vec()).await?;
    enqueue(bus, queue, task(AFTER_BAD)).await?;
    let work = WorkQueue::new(queue, "echo", "suite")
        .with_concurrency(2)
        .with_dead_letter(format!("{queue}.failed"))
        .with_poll_max(Duration::from_millis(10));
    let bound = bus
        .work(work, ServeSettings::new(app.clone(), Vec::new()))
        .await
        .map_err(|err| format!("work: {err}"))?;
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(bound.serve(async move {
        let _ = stopped.await;
    }));
    let markers: Vec<&str> = TASKS.iter().copied().chain([AFTER_BAD]).collect();
    let runs = |ran: &[fixture::Ran], marker: &str| {
        ran.iter()
            .filter(|r| r.finished && contains(&r.request, marker.as_bytes()))
            .count()
    };
    let all_ran = record
        .wait_for(PATIENCE, |ran| markers.iter().all(|m| runs(ran, m) >= 1))
        .await;
    tokio::time::sleep(QUIET).await;
    let ran = record.snapshot();
    let counts: Vec<(&str, usize)> = markers.iter().map(|m| (*m, runs(&ran, m))).collect();
    let _ = stop.send(());
    let stopped = tokio::time::timeout(PATIENCE, serving).await;
    ensure(all_ran, || {
        format!("not every task ran in {PATIENCE:?}: {counts:?}")
    })?;
    ensure(counts.iter().all(|(_, n)| *n == 1), || {
        format!("a task ran more than once: {counts:?}")
    })?;
    match stopped {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(err))) => Err(format!("the worker stopped with an error: {err}")),
        Ok(Err(join)) => Err(format!("the worker panicked: {join}")),
        Err(_) => Err(format!("the worker did not stop in {PATIENCE:?}")),
    }
}

async fn enqueue(bus: &dyn Bus, queue: &str, body: Vec<u8>) -> Result<(), String> {
    bus.enqueue(queue, "echo", body)
        .await
        .map_err(|err| format!("enqueue: {err}"))
}
