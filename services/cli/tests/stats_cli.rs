//! The stats system through the `switchboard` binary, on the embedded
//! SQLite backend: `serve` (the API and its embedded worker, or the API
//! alone with workers from `consume`), `stats measure`, `stats get --wait`,
//! and their exit statuses.

use std::error::Error;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

type TestResult = Result<(), Box<dyn Error>>;

/// The binary in `dir`, with no `SWITCHBOARD_*` or course variable inherited.
fn switchboard(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command.current_dir(dir);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("SWITCHBOARD_")
            || name.starts_with("PWP_")
            || name == "API_SERVER"
            || name == "CA_CERT"
        {
            command.env_remove(name);
        }
    }
    command
}

/// A child process killed on drop, with its standard output kept open
/// (a server printing to a closed pipe would fail).
struct Running {
    child: Child,
    _stdout: Option<BufReader<ChildStdout>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `serve --services stats` in `dir` on 127.0.0.1:0 with `extra`; its URL.
fn serve(dir: &Path, extra: &[&str]) -> Result<(Running, String), Box<dyn Error>> {
    let mut child = switchboard(dir)
        .args([
            "--log",
            "warn",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--services",
            "stats",
        ])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let mut first = String::new();
    let read = stdout.read_line(&mut first);
    let running = Running {
        child,
        _stdout: Some(stdout),
    };
    read?;
    let url = first
        .trim()
        .strip_prefix("switchboard listening on ")
        .ok_or_else(|| format!("unexpected first line {first:?}"))?
        .to_owned();
    Ok((running, url))
}

/// `stats ARGS --api-server URL` in `dir`: (status code, stdout).
fn stats(dir: &Path, url: &str, args: &[&str]) -> Result<(i32, String), Box<dyn Error>> {
    let out = switchboard(dir)
        .args(["--log", "error", "stats"])
        .args(args)
        .args(["--api-server", url])
        .output()?;
    eprintln!("stats {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout)?,
    ))
}

/// Values with exact binary sums, and their mean.
fn values(n: usize) -> (Vec<String>, f64) {
    let values: Vec<f64> = (0..n)
        .map(|i| ((i * 7919) % 4001) as f64 / 4.0 - 100.0)
        .collect();
    let mean = values.iter().sum::<f64>() / n as f64;
    (values.iter().map(f64::to_string).collect(), mean)
}

#[test]
fn serve_measure_get_wait_delete_get_wait() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_serve, url) = serve(dir.path(), &[])?;
    let (values, mean) = values(1000);
    let mut args = vec!["measure", "s1"];
    args.extend(values.iter().map(String::as_str));
    assert_eq!(stats(dir.path(), &url, &args)?, (0, "1000\n".to_owned()));

    let (code, out) = stats(dir.path(), &url, &["get", "s1", "--wait"])?;
    assert_eq!(code, 0, "{out}");
    let first: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(first["mean"].as_f64(), Some(mean));
    assert_eq!(first["count"].as_u64(), Some(1000));
    // Stored now: without --wait, at once.
    let (code, again) = stats(dir.path(), &url, &["get", "s1"])?;
    assert_eq!((code, again), (0, out));

    assert_eq!(stats(dir.path(), &url, &["delete", "s1"])?.0, 0);
    assert_eq!(
        stats(dir.path(), &url, &["delete", "s1"])?.0,
        1,
        "none left"
    );
    let (code, out) = stats(dir.path(), &url, &["get", "s1", "--wait"])?;
    assert_eq!(code, 0, "{out}");
    let second: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(second["mean"].as_f64(), Some(mean));
    assert_ne!(second["generated"], first["generated"], "computed again");
    Ok(())
}

#[test]
fn workers_from_consume_serve_an_api_without_its_own() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_serve, url) = serve(dir.path(), &["--stats-worker", "false"])?;
    assert_eq!(
        stats(dir.path(), &url, &["measure", "s1", "1", "-2", "4"])?.0,
        0
    );
    // No worker yet: 202, and a --wait that runs out exits 3.
    let (code, out) = stats(dir.path(), &url, &["get", "s1"])?;
    assert_eq!((code, out.as_str()), (1, ""));
    let (code, _) = stats(
        dir.path(),
        &url,
        &["get", "s1", "--wait", "--timeout", "300ms"],
    )?;
    assert_eq!(code, 3);
    // A worker process of the `stats` group, with the API's address.
    let _worker = Running {
        child: switchboard(dir.path())
            .args([
                "--log",
                "warn",
                "consume",
                "--services",
                "stats",
                "--worker",
                "w2",
                "--group",
                "stats",
                "--poll-max",
                "10",
            ])
            .env("SWITCHBOARD_API_SERVER", &url)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
        _stdout: None,
    };
    let (code, out) = stats(
        dir.path(),
        &url,
        &["get", "s1", "--wait", "--timeout", "20"],
    )?;
    assert_eq!(code, 0, "{out}");
    let got: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(got["mean"].as_f64(), Some(1.0));
    // An unknown sensor is an error (1); an API that is not there, 3.
    assert_eq!(stats(dir.path(), &url, &["get", "nope", "--wait"])?.0, 1);
    assert_eq!(
        stats(dir.path(), "http://127.0.0.1:9", &["get", "s1"])?.0,
        3
    );
    Ok(())
}

/// A private vhost on the local broker, deleted on drop: the course's
/// names (`stats`, `notifications`, `logs`) are fixed.
struct Vhost(String);

impl Vhost {
    fn create() -> Result<Self, Box<dyn Error>> {
        let name = format!("stats-cli-test-{}", std::process::id());
        for args in [
            vec!["add_vhost", name.as_str()],
            vec![
                "set_permissions",
                "-p",
                name.as_str(),
                "guest",
                ".*",
                ".*",
                ".*",
            ],
        ] {
            let out = Command::new("rabbitmqctl").args(&args).output()?;
            if !out.status.success() {
                return Err(format!(
                    "rabbitmqctl {args:?}: {}; is RabbitMQ up (`rabbitmq-server -detached`)?",
                    String::from_utf8_lossy(&out.stderr)
                )
                .into());
            }
        }
        Ok(Self(name))
    }
}

impl Drop for Vhost {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl")
            .args(["delete_vhost", &self.0])
            .output();
    }
}

#[test]
fn rabbitmq_from_the_course_env_file() -> TestResult {
    let vhost = Vhost::create()?;
    let dir = tempfile::tempdir()?;
    // An existing deployment's .env, unchanged (no TLS: no CA_CERT).
    std::fs::write(
        dir.path().join(".env"),
        format!(
            "PWP_RABBIT_URI=127.0.0.1:5672\nPWP_RABBIT_USER=guest\nPWP_RABBIT_PASSWD=guest\nPWP_RABBIT_VHOST={}\n",
            vhost.0
        ),
    )?;
    let (_serve, url) = serve(dir.path(), &["--stats-worker", "false"])?;
    let mut worker = switchboard(dir.path())
        .args(["stats", "worker", "--id", "w1", "--api-server", &url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut stdout = BufReader::new(worker.stdout.take().ok_or("no stdout")?);
    let _worker = Running {
        child: worker,
        _stdout: None,
    };
    let mut banner = String::new();
    stdout.read_line(&mut banner)?;
    assert!(
        banner.contains("queue stats") && banner.contains(&vhost.0),
        "{banner}"
    );
    assert_eq!(stats(dir.path(), &url, &["measure", "s1", "2", "4"])?.0, 0);
    let (code, out) = stats(
        dir.path(),
        &url,
        &["get", "s1", "--wait", "--timeout", "20"],
    )?;
    assert_eq!(code, 0, "{out}");
    let got: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(got["mean"].as_f64(), Some(3.0));
    drop(stdout);
    Ok(())
}
