//! The `curl` examples in the README, run as printed against the server
//! `switchboard serve` builds (on a free port instead of 8080), each reply
//! compared with the `# ` line the README shows under the command.

use std::process::Command;

use switchboard_http::HttpConfig;

/// One example: the shell command and the output the README promises.
struct Example {
    command: String,
    expected: Option<String>,
}

/// The `sh` blocks of the "Try it" section: commands (with `\` line
/// continuations) each followed by an optional `# expected output` line.
fn examples(readme: &str) -> Vec<Example> {
    let section = readme
        .split("## Try it")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has a Try it section");
    let mut out: Vec<Example> = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in section.lines() {
        if line.starts_with("```") {
            in_block = line.trim() == "```sh";
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(expected) = line.strip_prefix("# ") {
            if let Some(last) = out.last_mut() {
                last.expected = Some(expected.to_owned());
            }
        } else if let Some(start) = line.strip_suffix('\\') {
            pending.push_str(start);
        } else if !line.trim().is_empty() {
            pending.push_str(line);
            out.push(Example {
                command: std::mem::take(&mut pending),
                expected: None,
            });
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_curl_examples_work_as_printed() -> Result<(), Box<dyn std::error::Error>> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))?;
    let examples = examples(&readme);
    assert!(
        examples.len() >= 5,
        "expected the README to show several curl examples"
    );
    let dir = tempfile::tempdir()?;
    let app = switchboard_cli::application(&dir.path().join("switchboard.db"))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    // Documents link to the bound address, as `serve`'s do.
    let base = format!("http://{addr}");
    let server = switchboard_cli::http_server(app, HttpConfig::default(), Some(&base))?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    for example in &examples {
        assert!(
            example.command.starts_with("curl "),
            "not a curl command: {}",
            example.command
        );
        let command = example.command.replace("127.0.0.1:8080", &addr.to_string());
        let output =
            tokio::task::spawn_blocking(move || Command::new("sh").arg("-c").arg(command).output())
                .await??;
        assert!(
            output.status.success(),
            "{} failed: {}",
            example.command,
            String::from_utf8_lossy(&output.stderr)
        );
        if let Some(expected) = &example.expected {
            let got = String::from_utf8_lossy(&output.stdout);
            let got = got.trim_end();
            let expected = expected.replace("127.0.0.1:8080", &addr.to_string());
            assert_eq!(got, expected, "{}", example.command);
        }
    }
    let _ = stop.send(());
    serving.await??;
    Ok(())
}
