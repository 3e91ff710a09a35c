//! Calls whose replies come back as calls, across a `kill -9` of the
//! caller: the requests are sent, the caller is killed before any reply
//! exists, the service answers while the caller is down, and the restarted
//! caller handles every reply exactly once. Over RabbitMQ (durable queues)
//! and over SQLite queue files.

use std::collections::BTreeMap;
use std::error::Error;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type TestResult = Result<(), Box<dyn Error>>;

const BROKER: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// `thumbs serve ARGS` in `dir`, its output read line by line.
fn serve(dir: &Path, args: &[&str]) -> Result<Child, Box<dyn Error>> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_thumbs"));
    command
        .current_dir(dir)
        .arg("serve")
        .args(["--no-metrics", "--heartbeat", "1", "--log", "warn"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("THUMBS_") {
            command.env_remove(name);
        }
    }
    Ok(command.spawn()?)
}

/// Reads `child`'s output until a line contains `wanted`.
fn wait_for_line(child: &mut Child, wanted: &str) -> TestResult {
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line?;
        if line.contains(wanted) {
            // Keep reading in the background, so the child never blocks
            // on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return Ok(());
        }
    }
    Err(format!("the output ended before `{wanted}`").into())
}

/// SIGTERM, then waits for the exit.
fn stop(mut child: Child) -> TestResult {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    assert!(status.success());
    child.wait()?;
    Ok(())
}

/// Each page's reply: how often it was handled, and the last outcome.
type ByPage = BTreeMap<u64, (usize, String)>;

/// The replies handled so far: how many lines the file has, and each
/// page's replies.
fn handled(file: &Path) -> Result<(usize, ByPage), Box<dyn Error>> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let mut pages = BTreeMap::new();
    let mut lines = 0;
    for line in text.lines() {
        lines += 1;
        let (page, outcome) = line.split_once(' ').ok_or(format!("bad line {line}"))?;
        let page: u64 = page.trim_start_matches("page=").parse()?;
        let entry = pages.entry(page).or_insert((0, outcome.to_owned()));
        entry.0 += 1;
    }
    Ok((lines, pages))
}

/// Waits until `file` has `count` lines (a bounded wait: a lost reply
/// fails here), then checks every page came exactly once with its answer.
fn check_every_reply_once(file: &Path, count: u64) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(180);
    let count_lines = usize::try_from(count)?;
    while handled(file)?.0 < count_lines {
        if Instant::now() > deadline {
            let (lines, _) = handled(file)?;
            return Err(format!("{lines} of {count} replies handled after 180 s").into());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    // A duplicate would come right after the last: give it the time to.
    std::thread::sleep(Duration::from_secs(1));
    let (lines, pages) = handled(file)?;
    let twice: Vec<_> = pages.iter().filter(|(_, (n, _))| *n > 1).collect();
    assert!(twice.is_empty(), "handled more than once: {twice:?}");
    assert_eq!(lines, count_lines, "every reply once");
    assert_eq!(
        pages.keys().copied().collect::<Vec<_>>(),
        (1..=count).collect::<Vec<_>>()
    );
    for (page, (_, outcome)) in &pages {
        let expected = if page.is_multiple_of(100) {
            "fault=Client.NotFound".to_owned()
        } else {
            format!("ok={}", (page % 1000) * 64)
        };
        assert_eq!(outcome, &expected, "page {page}");
    }
    Ok(())
}

fn delete_queue(name: &str) {
    let _ = Command::new("rabbitmqctl")
        .args(["-q", "delete_queue", name])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Runs the scenario: the service bound once (so its queue exists) and
/// stopped; the caller sends `count` requests and is killed with
/// `kill -9`; the service answers them all while the caller is down; the
/// restarted caller handles every reply.
fn killed_caller_gets_every_reply(
    dir: &Path,
    service: &[&str],
    caller: &[&str],
    sending: &[&str],
    count: u64,
) -> TestResult {
    let mut thumbs = serve(dir, service)?;
    wait_for_line(&mut thumbs, "Stop with Ctrl-C")?;
    stop(thumbs)?;

    let count_text = count.to_string();
    let mut first = caller.to_vec();
    first.extend(["--send", &count_text]);
    first.extend(sending);
    let mut web = serve(dir, &first)?;
    wait_for_line(&mut web, &format!("sent {count}"))?;
    web.kill()?; // SIGKILL: nothing of the caller's memory survives
    web.wait()?;
    let replies = dir.join("web.replies");
    assert_eq!(handled(&replies)?.0, 0, "no reply existed before the kill");

    let thumbs = serve(dir, service)?;
    let mut web = serve(dir, caller)?;
    wait_for_line(&mut web, "Stop with Ctrl-C")?;
    let checked = check_every_reply_once(&replies, count);
    stop(web)?;
    stop(thumbs)?;
    checked
}

#[test]
fn over_rabbitmq_a_killed_caller_handles_every_reply_once_after_its_restart() -> TestResult {
    let dir = tempfile::tempdir()?;
    let unique = format!("{}-{}", std::process::id(), fastrand_suffix());
    let (thumbs_queue, web_queue) = (format!("thumbs-{unique}"), format!("web-{unique}"));
    let service_at = format!("{BROKER}?queue={thumbs_queue}");
    let web_at = format!("{BROKER}?queue={web_queue}");
    let reply_to = format!("amqp://127.0.0.1:5672/%2f?queue={web_queue}");
    let outcome = killed_caller_gets_every_reply(
        dir.path(),
        &[
            "--services",
            "thumbs",
            "--db",
            "thumbs.db",
            "--on",
            &service_at,
            "--replies-to",
            BROKER,
        ],
        &["--services", "web", "--db", "web.db", "--on", &web_at],
        &["--send-to", &service_at, "--reply-to", &reply_to],
        1000,
    );
    delete_queue(&thumbs_queue);
    delete_queue(&web_queue);
    outcome
}

#[test]
fn over_sqlite_queues_a_killed_caller_handles_every_reply_once_after_its_restart() -> TestResult {
    let dir = tempfile::tempdir()?;
    let thumbs_file = dir.path().join("thumbs-queue.db");
    let web_file = dir.path().join("web-queue.db");
    // Calls and replies are JSON-RPC (the `Then` default); a queue file's
    // consumer reads the JSON document unless told otherwise.
    let service_at = format!(
        "sqlite:{}?worker=thumbs&protocol=jsonrpc",
        thumbs_file.display()
    );
    let web_at = format!("sqlite:{}?worker=web&protocol=jsonrpc", web_file.display());
    let send_to = format!("sqlite:{}", thumbs_file.display());
    let reply_to = format!("sqlite:{}", web_file.display());
    killed_caller_gets_every_reply(
        dir.path(),
        &[
            "--services",
            "thumbs",
            "--db",
            "thumbs.db",
            "--on",
            &service_at,
            "--replies-to",
            &reply_to,
        ],
        &["--services", "web", "--db", "web.db", "--on", &web_at],
        &["--send-to", &send_to, "--reply-to", &reply_to],
        300,
    )
}

#[test]
fn a_reply_address_the_service_does_not_allow_is_refused_and_recorded() -> TestResult {
    let dir = tempfile::tempdir()?;
    let thumbs_file = dir.path().join("thumbs-queue.db");
    let elsewhere = dir.path().join("elsewhere.db");
    // Failed tasks are retried here, but a refusal would be refused again:
    // it is recorded after one attempt.
    let service_at = format!(
        "sqlite:{}?worker=thumbs&protocol=jsonrpc&on_failure=retry&attempts=4&backoff_ms=2000",
        thumbs_file.display()
    );
    let mut thumbs = serve(
        dir.path(),
        &[
            "--services",
            "thumbs",
            "--db",
            "thumbs.db",
            "--on",
            &service_at,
        ],
    )?;
    wait_for_line(&mut thumbs, "Stop with Ctrl-C")?;
    let web_file = dir.path().join("web-queue.db");
    let mut web = serve(
        dir.path(),
        &[
            "--services",
            "web",
            "--db",
            "web.db",
            "--on",
            &format!("sqlite:{}?worker=web&protocol=jsonrpc", web_file.display()),
            "--send",
            "3",
            "--send-to",
            &format!("sqlite:{}", thumbs_file.display()),
            "--reply-to",
            &format!("sqlite:{}", elsewhere.display()),
        ],
    )?;
    wait_for_line(&mut web, "sent 3")?;
    // The refusals are the service's failures: recorded, never dropped.
    let deadline = Instant::now() + Duration::from_secs(60);
    let failures = loop {
        let output = Command::new(env!("CARGO_BIN_EXE_thumbs"))
            .current_dir(dir.path())
            .args(["queue", "failures", "--json", "--queue"])
            .arg(&thumbs_file)
            .output()?;
        let text = String::from_utf8(output.stdout)?;
        if text.matches("Client.Unauthorized").count() >= 3 || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    stop(web)?;
    stop(thumbs)?;
    assert_eq!(
        failures.matches("Client.Unauthorized").count(),
        3,
        "{failures}"
    );
    assert!(failures.contains("does not deliver replies"), "{failures}");
    let failures: serde_json::Value = serde_json::from_str(&failures)?;
    let attempts: Vec<_> = failures
        .as_array()
        .ok_or("not an array")?
        .iter()
        .map(|failure| failure["attempts"].as_u64())
        .collect();
    assert_eq!(attempts, [Some(1); 3], "{failures}");
    assert!(
        !elsewhere.exists(),
        "nothing was written where it was not allowed"
    );
    Ok(())
}

/// A few random digits, so two runs on one broker never share a queue.
fn fastrand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    hasher.finish() % 1_000_000
}

#[test]
fn over_http_the_call_returns_once_its_reply_was_delivered_to_the_callers_queue() -> TestResult {
    let dir = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let web_file = dir.path().join("web-queue.db");
    let reply_to = format!("sqlite:{}", web_file.display());
    let mut thumbs = serve(
        dir.path(),
        &[
            "--services",
            "thumbs",
            "--db",
            "thumbs.db",
            "--on",
            &format!("http://127.0.0.1:{port}"),
            "--replies-to",
            &reply_to,
        ],
    )?;
    wait_for_line(&mut thumbs, "Stop with Ctrl-C")?;
    let mut web = serve(
        dir.path(),
        &[
            "--services",
            "web",
            "--db",
            "web.db",
            "--on",
            &format!("sqlite:{}?worker=web&protocol=jsonrpc", web_file.display()),
            "--send",
            "120",
            "--send-to",
            &format!("http://127.0.0.1:{port}"),
            "--reply-to",
            &reply_to,
        ],
    )?;
    wait_for_line(&mut web, "sent 120")?;
    let checked = check_every_reply_once(&dir.path().join("web.replies"), 120);
    stop(web)?;
    stop(thumbs)?;
    checked
}
