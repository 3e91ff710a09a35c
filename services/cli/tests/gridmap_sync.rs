//! `gridmap import` and `gridmap export` against a `switchboard serve`
//! child process, the client's requests going through a proxy on
//! 127.0.0.1 that records the JSON-RPC method of each: a second import of
//! unchanged files, a dry run and an import of what `export --all` wrote
//! must send only reads.

mod common;

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use common::{Served, TestResult, stdout_of, switchboard};
use serde_json::Value;

/// The gridmap methods that change nothing.
const READS: &[&str] = &["get_map", "list_maps", "list_observers", "list_obstacles"];

/// The example maps, as the README imports them.
const EXAMPLES: &[&str] = &["fancy-map", "watchtower"];

/// A proxy in front of a server that records the JSON-RPC method of every
/// request it forwards (or `VERB /path` for a body that is not JSON-RPC).
struct Recorder {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
    // Serves the proxy; dropped last, which stops it.
    _runtime: tokio::runtime::Runtime,
}

/// What the proxy's handler shares.
#[derive(Clone)]
struct Upstream {
    url: String,
    http: reqwest::Client,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    /// Starts a proxy to `upstream` on 127.0.0.1:0; it accepts connections
    /// as soon as this returns (the listener is bound).
    fn start(upstream: &str) -> Result<Self, Box<dyn Error>> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
        let url = format!("http://{}", listener.local_addr()?);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let state = Upstream {
            url: upstream.to_owned(),
            http: reqwest::Client::new(),
            seen: Arc::clone(&seen),
        };
        let app = axum::Router::new().fallback(forward).with_state(state);
        runtime.spawn(async move { axum::serve(listener, app).await });
        Ok(Self {
            url,
            seen,
            _runtime: runtime,
        })
    }

    /// What was recorded since the last call, in order.
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().expect("no test thread panicked"))
    }

    /// Runs `switchboard ARGS... --url PROXY` in `dir`.
    fn run(&self, dir: &Path, args: &[&str]) -> Result<Output, Box<dyn Error>> {
        Ok(switchboard(dir)
            .args(args)
            .args(["--url", &self.url])
            .output()?)
    }
}

/// Records the request's method, sends it on and answers what the server
/// answered.
async fn forward(
    State(up): State<Upstream>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, StatusCode> {
    let names = rpc_methods(&body).unwrap_or_else(|| vec![format!("{method} {}", uri.path())]);
    up.seen
        .lock()
        .expect("no test thread panicked")
        .extend(names);
    let verb = reqwest::Method::from_bytes(method.as_str().as_bytes()).map_err(|_| bad())?;
    let mut request = up.http.request(verb, format!("{}{uri}", up.url));
    for name in [header::CONTENT_TYPE, header::AUTHORIZATION, header::ACCEPT] {
        if let Some(value) = headers.get(&name).and_then(|v| v.to_str().ok()) {
            request = request.header(name.as_str(), value);
        }
    }
    let reply = request
        .body(body.to_vec())
        .send()
        .await
        .map_err(|_| bad())?;
    let status = StatusCode::from_u16(reply.status().as_u16()).map_err(|_| bad())?;
    let content_type = reply
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = reply.bytes().await.map_err(|_| bad())?;
    let mut response = (status, bytes.to_vec()).into_response();
    if let Some(value) = content_type.and_then(|v| v.parse().ok()) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    Ok(response)
}

fn bad() -> StatusCode {
    StatusCode::BAD_GATEWAY
}

/// The `method` of a JSON-RPC request or of each call of a batch.
fn rpc_methods(body: &[u8]) -> Option<Vec<String>> {
    let name = |call: &Value| call.get("method")?.as_str().map(str::to_owned);
    match serde_json::from_slice(body).ok()? {
        Value::Array(calls) => calls.iter().map(name).collect(),
        call => Some(vec![name(&call)?]),
    }
}

/// The recorded methods that write.
fn writes(seen: &[String]) -> Vec<&str> {
    let writes = seen.iter().map(String::as_str);
    writes.filter(|m| !READS.contains(m)).collect()
}

/// Copies the example maps into `dir`; their paths.
fn example_files(dir: &Path) -> Result<Vec<String>, Box<dyn Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/maps");
    let mut paths = Vec::new();
    for slug in EXAMPLES {
        let path = dir.join(format!("{slug}.txt"));
        std::fs::copy(root.join(format!("{slug}.txt")), &path)?;
        paths.push(path.to_str().ok_or("a UTF-8 temporary path")?.to_owned());
    }
    Ok(paths)
}

/// `gridmap import ARGS...` with the example files.
fn import_args<'a>(extra: &[&'a str], files: &'a [String]) -> Vec<&'a str> {
    let mut args = vec!["gridmap", "import"];
    args.extend(extra);
    args.extend(files.iter().map(String::as_str));
    args
}

/// Every file of `dir` by name, with its text.
fn files_of(dir: &Path) -> Result<BTreeMap<String, String>, Box<dyn Error>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().ok_or("a file name")?.to_string_lossy();
        files.insert(name.into_owned(), std::fs::read_to_string(&path)?);
    }
    Ok(files)
}

#[test]
fn importing_unchanged_files_again_sends_only_reads() -> TestResult {
    let served = Served::start()?;
    let proxy = Recorder::start(&served.url)?;
    let files = example_files(served.dir.path())?;
    let first = stdout_of(&proxy.run(served.dir.path(), &import_args(&[], &files))?)?;
    let created = proxy.take();
    assert!(created.iter().any(|m| m == "create_map"), "{created:?}");

    let again = stdout_of(&proxy.run(served.dir.path(), &import_args(&[], &files))?)?;
    assert_eq!(again, first);
    let seen = proxy.take();
    assert_eq!(seen, ["get_map", "get_map"], "one read per file");
    Ok(())
}

/// The example Watchtower.
const WATCHTOWER: &str = include_str!("../../../examples/maps/watchtower.txt");

/// Watchtower with its guard gone, two new observers (one where no slug
/// matches) and an obstacle moved.
const WATCHTOWER_EDITED: &str = "\
Watchtower
..........
.#..#..#..
..a.......
.#..#....#
.....b....
a,Guard,4
b,Lookout,2
";

#[test]
fn a_dry_run_prints_the_plan_and_writes_nothing() -> TestResult {
    let served = Served::start()?;
    let files = example_files(served.dir.path())?;
    stdout_of(&served.run(&import_args(&[], &files))?)?;
    let dir = served.dir.path();
    std::fs::write(dir.join("watchtower.txt"), WATCHTOWER_EDITED)?;
    std::fs::write(dir.join("tiny-map.txt"), "Tiny Map\n.#a\na,Eye,1\n")?;
    let proxy = Recorder::start(&served.url)?;
    let args = [
        "gridmap",
        "import",
        "--dry-run",
        "fancy-map.txt",
        "watchtower.txt",
        "tiny-map.txt",
    ];
    let printed = stdout_of(&proxy.run(dir, &args)?)?;
    let expected = "\
fancy-map.txt -> fancy-map: no change
watchtower.txt -> watchtower: 5 changes
  delete observer tower-guard
  delete obstacle (7, 3)
  create obstacle (9, 3)
  create observer \"Guard\" at (2, 2), range 4
  create observer \"Lookout\" at (5, 4), range 2
tiny-map.txt -> tiny-map: new map, 3 changes
  create map \"Tiny Map\", 3 x 1
  create obstacle (1, 0)
  create observer \"Eye\" at (2, 0), range 1
";
    assert_eq!(printed, expected);
    let seen = proxy.take();
    assert!(writes(&seen).is_empty(), "a dry run wrote: {seen:?}");
    assert_eq!(seen.len(), 3, "one read per file: {seen:?}");

    // The server still has the imported maps, and nothing else.
    let exported = stdout_of(&served.run(&["gridmap", "export", "watchtower"])?)?;
    assert_eq!(exported, WATCHTOWER);
    let missing = served.run(&["gridmap", "export", "tiny-map"])?;
    assert_eq!(missing.status.code(), Some(1));
    Ok(())
}

/// `call METHOD name=value...` on `served`, which must succeed.
fn call(served: &Served, args: &[&str]) -> TestResult {
    stdout_of(&served.run(&[&["call"], args].concat())?)?;
    Ok(())
}

#[test]
fn export_all_then_import_is_a_no_op_and_rebuilds_the_maps_elsewhere() -> TestResult {
    let served = Served::start()?;
    let files = example_files(served.dir.path())?;
    stdout_of(&served.run(&import_args(&[], &files))?)?;
    // Renamed maps and observers keep their slugs: the files hold the new
    // names only.
    call(
        &served,
        &["update_map", "slug=watchtower", "name=Lookout Post"],
    )?;
    let guard = ["map=watchtower", "observer=tower-guard", "name=Night Watch"];
    call(&served, &[&["update_observer"][..], &guard].concat())?;
    call(
        &served,
        &["create_map", "name=Empty", "width=2", "height=1"],
    )?;

    let out = tempfile::tempdir()?;
    let dir = out.path().join("maps");
    let dir_arg = dir.to_str().ok_or("a UTF-8 temporary path")?;
    let printed = stdout_of(&served.run(&["gridmap", "export", "--all", dir_arg])?)?;
    let expected: String = ["empty", "fancy-map", "watchtower"]
        .iter()
        .map(|slug| format!("{slug} -> {}\n", dir.join(format!("{slug}.txt")).display()))
        .collect();
    assert_eq!(printed, expected);
    let exported = files_of(&dir)?;
    assert_eq!(exported["empty.txt"], "Empty\n..\n");
    assert!(exported["watchtower.txt"].starts_with("Lookout Post\n"));
    assert!(exported["watchtower.txt"].ends_with("a,Night Watch,4\n"));

    let proxy = Recorder::start(&served.url)?;
    let again = stdout_of(&proxy.run(out.path(), &["gridmap", "import", dir_arg])?)?;
    let seen = proxy.take();
    assert!(
        writes(&seen).is_empty(),
        "importing an export wrote: {seen:?}"
    );
    assert!(again.ends_with("watchtower.txt -> watchtower\n"), "{again}");

    // A fresh server given the files has the same maps (slugs come from
    // the names there: the renamed map is `lookout-post`).
    let fresh = Served::start()?;
    stdout_of(&fresh.run(&["gridmap", "import", dir_arg])?)?;
    let copy = out.path().join("copy");
    let copy_arg = copy.to_str().ok_or("a UTF-8 temporary path")?;
    stdout_of(&fresh.run(&["gridmap", "export", "--all", copy_arg])?)?;
    let mut rebuilt = files_of(&copy)?;
    let renamed = rebuilt.remove("lookout-post.txt").ok_or("lookout-post")?;
    rebuilt.insert("watchtower.txt".to_owned(), renamed);
    assert_eq!(rebuilt, exported);
    Ok(())
}

#[test]
fn export_all_says_which_directory_it_cannot_write() -> TestResult {
    let served = Served::start()?;
    let taken = served.dir.path().join("taken");
    std::fs::write(&taken, "a file, not a directory")?;
    let args = ["gridmap", "export", "--all", "taken"];
    let output = served.run(&args)?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "a local failure: {stderr}");
    assert!(
        stderr.starts_with("error: cannot write map files into taken: "),
        "{stderr}"
    );
    Ok(())
}

#[test]
fn export_takes_a_slug_or_all_but_not_both() -> TestResult {
    let dir = tempfile::tempdir()?;
    for args in [
        &["gridmap", "export"][..],
        &["gridmap", "export", "m", "--all", "out"],
        &["gridmap", "export", "--all", "out", "--output", "m.txt"],
    ] {
        let output = switchboard(dir.path()).args(args).output()?;
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
    Ok(())
}

#[test]
fn help_explains_the_new_flags() -> TestResult {
    let dir = tempfile::tempdir()?;
    let help = |args: &[&str]| -> Result<String, Box<dyn Error>> {
        stdout_of(&switchboard(dir.path()).args(args).output()?)
    };
    let import = help(&["gridmap", "import", "--help"])?;
    assert!(import.contains("--dry-run"), "{import}");
    assert!(import.contains("without writing anything"), "{import}");
    assert!(import.contains("or directories"), "{import}");
    let export = help(&["gridmap", "export", "--help"])?;
    assert!(export.contains("--all <DIR>"), "{export}");
    assert!(export.contains("one file per map"), "{export}");
    Ok(())
}
