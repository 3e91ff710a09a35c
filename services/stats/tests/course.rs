//! Interop with the course's own programs, rebuilt in Python from the
//! course text (`tests/course/sensorhub.py`, pika and requests in a venv
//! this test creates under Cargo's target tmp dir and reuses): each of the
//! course's worker, producer and client works with the rest of the system
//! being switchboard's.

mod common;

use std::path::PathBuf;
use std::process::Stdio;

use common::{System, TestResult, Vhost, WAIT, bounded};
use switchboard_stats::Settings;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/course/sensorhub.py");

async fn python() -> Result<PathBuf, String> {
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("course-venv");
    tokio::task::spawn_blocking(move || {
        switchboard_testing::python_venv(&venv, &["pika", "requests"], "import pika, requests")
    })
    .await
    .map_err(|err| err.to_string())?
}

/// The script in `mode`, configured by the course's variables.
fn course(python: &PathBuf, vhost: &Vhost, api: &str, args: &[&str]) -> Command {
    let mut command = Command::new(python);
    command
        .arg(SCRIPT)
        .args(args)
        .env("PWP_RABBIT_URI", "127.0.0.1:5672")
        .env("PWP_RABBIT_USER", "guest")
        .env("PWP_RABBIT_PASSWD", "guest")
        .env("PWP_RABBIT_VHOST", &vhost.name)
        .env("API_SERVER", api)
        .env_remove("CA_CERT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    command
}

/// The next line `child` prints.
async fn line(child: &mut Child) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let stdout = child.stdout.as_mut().ok_or("no stdout")?;
    let mut line = String::new();
    tokio::time::timeout(WAIT, BufReader::new(stdout).read_line(&mut line)).await??;
    Ok(line)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_course_programs_and_ours_swap_part_by_part() -> TestResult {
    bounded(the_course_programs_and_ours_swap_part_by_part_inner()).await
}

async fn the_course_programs_and_ours_swap_part_by_part_inner() -> TestResult {
    let python = python().await?;
    let vhost = Vhost::create("course");
    let system = System::start(|_| Settings::amqp(vhost.settings())).await?;

    // 1. The course's worker serves tasks from our API; our client waits.
    let mut worker = course(&python, &vhost, &system.base, &["worker"]).spawn()?;
    assert_eq!(line(&mut worker).await?.trim(), "Service started");
    system.client.measure("by-python", &[1.0, 2.0, 4.5]).await?;
    let stats = system.client.get("by-python", Some(WAIT)).await?;
    assert_eq!(stats.mean, 2.5);
    assert_eq!(stats.count, None, "the course computes the mean only");
    switchboard_stats::time::parse(&stats.generated)?; // no offset: accepted
    worker.kill().await?;
    worker.wait().await?;

    // 2. Our worker serves a task the course's `_send_task` enqueues.
    let ours = system.worker("ours");
    system.client.measure("by-producer", &[7.0]).await?;
    let backend = switchboard_stats::service(&system.app)?.backend().clone();
    let mut notifications = backend.subscribe().await?;
    let sent = course(
        &python,
        &vhost,
        &system.base,
        &["send_task", "by-producer", "[1, 2, 3, 6]"],
    )
    .status()
    .await?;
    assert!(sent.success());
    assert!(notifications.wait_for("by-producer", WAIT).await?);
    let stats = system
        .client
        .get_once("by-producer")
        .await?
        .ok_or("no stats")?;
    assert_eq!(
        (stats.mean, stats.count),
        (3.0, Some(4)),
        "the task's data, not the API's"
    );
    ours.abort();

    // 3. The course's client gets its stats from our API and our worker,
    //    through its own `notifications` subscription. It subscribes only
    //    after its 202 (a notification before that is lost to it), so our
    //    worker starts once it listens.
    system.client.measure("for-python", &[10.0, 20.0]).await?;
    let mut client = course(&python, &vhost, &system.base, &["client", "for-python"]).spawn()?;
    let first = line(&mut client).await?;
    assert_eq!(first.trim(), "listening", "it got a 202 and subscribed");
    let _ours = system.worker("ours-again");
    let printed: serde_json::Value = serde_json::from_str(&line(&mut client).await?)?;
    assert_eq!(printed["mean"], 15.0);
    assert_eq!(printed["count"], 2);
    assert!(tokio::time::timeout(WAIT, client.wait()).await??.success());
    Ok(())
}
