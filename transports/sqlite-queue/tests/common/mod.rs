//! Shared test helpers: the demo server with a recording listener, and a
//! consumer run that stops when the queue reaches a state.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use switchboard::{Application, Event, EventListener, MethodContext, Server, async_trait};
use switchboard_demo as _;
use switchboard_json::JsonDocument;
use switchboard_sqlite_queue::QueueFacts;
use switchboard_sqlite_queue::{
    QueueAdmin, QueueConsumer, QueueError, QueueOptions, QueueProducer, QueueStatus,
};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// One method call seen by a server: (worker id, task id, attempt, method).
pub type Seen = (String, i64, u32, String);

/// Records every method call with its queue facts; calls by `hang_worker`
/// never return (a member that dies while holding its lease).
#[derive(Clone, Default)]
pub struct Recorder {
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub hang_worker: Option<String>,
}

#[async_trait]
impl EventListener for Recorder {
    async fn on_event(&self, event: Event, ctx: &MethodContext) {
        if event != Event::MethodCall {
            return;
        }
        let Some(facts) = ctx.facts::<QueueFacts>() else {
            return;
        };
        let method = ctx.method().map_or("", |m| m.name).to_owned();
        self.seen.lock().unwrap().push((
            facts.worker_id.to_string(),
            facts.task_id,
            facts.attempt,
            method,
        ));
        if self.hang_worker.as_deref() == Some(&*facts.worker_id) {
            std::future::pending::<()>().await;
        }
    }
}

impl Recorder {
    /// Task ids `worker` ran, in order.
    pub fn tasks_of(&self, worker: &str) -> Vec<i64> {
        let seen = self.seen.lock().unwrap();
        seen.iter().filter(|s| s.0 == worker).map(|s| s.1).collect()
    }

    /// Every call seen.
    pub fn all(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// The demo service in the JSON document protocol, observed by `recorder`.
pub fn server(recorder: &Recorder) -> Server {
    let app = Application::builder()
        .services(["demo"])
        .listener(recorder.clone())
        .build()
        .expect("the demo service builds");
    Server::new(app, JsonDocument)
}

/// Runs `consumer` until `done` holds for the queue's status (10 s at most).
pub async fn run_until(
    path: &Path,
    consumer: QueueConsumer,
    server: Server,
    done: impl Fn(&QueueStatus) -> bool + Send + 'static,
) -> Result<(), QueueError> {
    let admin = QueueAdmin::open(path, QueueOptions::default())?;
    let shutdown = async move {
        while !admin.status().await.is_ok_and(|status| done(&status)) {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), consumer.run(server, shutdown))
        .await
        .expect("the consumer reached the expected state in time")
}

/// A new queue file in a temporary directory (kept while the returned
/// `TempDir` lives), with a producer on it.
pub fn fresh_queue()
-> Result<(tempfile::TempDir, PathBuf, QueueProducer), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("q.db");
    let producer = QueueProducer::open(&path, QueueOptions::default())?;
    Ok((dir, path, producer))
}

/// Whether fan-out consumer `worker` has no backlog.
pub fn drained(worker: &'static str) -> impl Fn(&QueueStatus) -> bool + Send + 'static {
    move |status| {
        status
            .consumers
            .iter()
            .any(|c| c.worker_id == worker && c.lag == 0)
    }
}

/// A JSON object for `echo`.
pub fn echo(s: &str) -> Vec<u8> {
    format!(r#"{{"s":"{s}"}}"#).into_bytes()
}
