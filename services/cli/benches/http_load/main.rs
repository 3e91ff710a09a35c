//! A bounded load of `echo` calls over real sockets on 127.0.0.1, in
//! JSON-RPC and in SOAP 1.1, against `switchboard serve`'s router and
//! against bare axum handlers doing the same work by hand (serde_json for
//! JSON-RPC; quick-xml parsing and writing for SOAP), in the same run, at 1
//! and 32 concurrent connections. Each server runs in its own child process
//! (this binary, re-executed), so its resident memory can be read idle and
//! under load.
//!
//! Run with `cargo bench -p switchboard-cli --bench http_load`.
//! Options after `--`: `--seconds S` per measurement (default 5),
//! `--rounds N` alternating rounds per case, median kept (default 3),
//! `--only NAME`, `--workload jsonrpc|soap` and `--conns N` to run one case
//! (for profiling).

mod bare_soap;
mod load;
mod servers;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use load::{Report, WORKLOADS};

/// The servers under test, by the name passed to the child process:
/// `component` is `switchboard` with what `serve` adds to it (the call
/// counter, a heartbeat every second on a SQLite status bus, the drain
/// switch, metrics recorded and served at `/metrics`), to show what being a
/// component costs; `no-metrics` is `component` run with `--no-metrics`, to
/// show what the metrics cost.
const SERVERS: [&str; 4] = ["bare-axum", "switchboard", "component", "no-metrics"];
/// Concurrent connections per measurement.
const CONCURRENCY: [usize; 2] = [1, 32];

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--serve") {
        let name = args.get(pos + 1).ok_or("--serve needs a server name")?;
        return servers::serve(name);
    }
    let seconds = args
        .iter()
        .position(|a| a == "--seconds")
        .and_then(|pos| args.get(pos + 1)?.parse::<f64>().ok())
        .unwrap_or(5.0);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    // `--only NAME,NAME` and `--conns N` narrow the run (for profiling one
    // case, or comparing two servers).
    let only: Option<Vec<String>> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|pos| args.get(pos + 1))
        .map(|names| names.split(',').map(str::to_owned).collect());
    let conns: Option<usize> = args
        .iter()
        .position(|a| a == "--conns")
        .and_then(|pos| args.get(pos + 1)?.parse().ok());
    let workload: Option<String> = args
        .iter()
        .position(|a| a == "--workload")
        .and_then(|pos| args.get(pos + 1))
        .cloned();
    let rounds: usize = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|pos| args.get(pos + 1)?.parse().ok())
        .unwrap_or(3);
    let names: Vec<&str> = SERVERS
        .into_iter()
        .filter(|s| only.as_ref().is_none_or(|o| o.iter().any(|o| o == s)))
        .collect();
    let mut children = Vec::new();
    for name in &names {
        let (child, addr) = spawn(name)?;
        let child = Reaper(child);
        let idle = rss_kib(child.0.id());
        children.push((*name, child, addr, idle));
    }
    let mut results: Vec<Row> = Vec::new();
    let duration = Duration::from_secs_f64(seconds);
    let workloads = WORKLOADS
        .into_iter()
        .filter(|w| workload.as_deref().is_none_or(|name| name == w.name));
    for workload in workloads {
        for concurrency in CONCURRENCY
            .into_iter()
            .filter(|c| conns.is_none_or(|n| n == *c))
        {
            // Rounds alternate between the servers, so a noisy neighbour on
            // this shared machine hits both alike; the median round is kept.
            let mut seen: Vec<Vec<(Report, u64)>> = vec![Vec::new(); children.len()];
            for _ in 0..rounds.max(1) {
                for (i, (_, child, addr, _)) in children.iter().enumerate() {
                    let pid = child.0.id();
                    let run = load::run(*addr, workload, concurrency, duration, pid);
                    seen[i].push(runtime.block_on(run)?);
                }
            }
            for ((name, _, _, idle), mut runs) in children.iter().zip(seen) {
                runs.sort_by(|a, b| a.0.per_second.total_cmp(&b.0.per_second));
                let (report, peak) = runs[runs.len() / 2];
                results.push(Row {
                    workload: workload.name,
                    server: name,
                    conns: concurrency,
                    report,
                    idle: *idle,
                    peak,
                });
            }
        }
    }
    print_table(&results);
    Ok(())
}

/// Kills the child server when dropped, on success and on error alike.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `name` in a child process and reads the address it bound.
fn spawn(name: &str) -> Result<(Child, SocketAddr), Box<dyn std::error::Error + Send + Sync>> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(["--serve", name])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let addr = line.trim().parse()?;
    Ok((child, addr))
}

/// Resident set size of a process, in KiB (0 if unknown).
pub(crate) fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// One measurement: a workload on a server at a concurrency.
struct Row {
    workload: &'static str,
    server: &'static str,
    conns: usize,
    report: Report,
    idle: u64,
    peak: u64,
}

fn print_table(results: &[Row]) {
    println!(
        "{:<8} {:<12} {:>5} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>10}",
        "workload",
        "server",
        "conns",
        "requests",
        "req/s",
        "CPU µs/req",
        "p50 µs",
        "p99 µs",
        "errors",
        "idle KiB",
        "load KiB"
    );
    for row in results {
        let report = &row.report;
        println!(
            "{:<8} {:<12} {:>5} {:>10} {:>9.0} {:>9.1} {:>9} {:>9} {:>9} {:>10} {:>10}",
            row.workload,
            row.server,
            row.conns,
            report.requests,
            report.per_second,
            report.cpu_us,
            report.p50_us,
            report.p99_us,
            report.errors,
            row.idle,
            row.peak
        );
    }
    for workload in WORKLOADS {
        for conns in CONCURRENCY {
            let find = |server: &str| {
                results
                    .iter()
                    .find(|r| r.workload == workload.name && r.server == server && r.conns == conns)
                    .map(|r| &r.report)
            };
            if let (Some(plain), Some(component)) = (find("switchboard"), find("component")) {
                println!(
                    "{:<8} {conns:>2} connections: component/switchboard throughput {:.2}x, p99 {:.2}x",
                    workload.name,
                    component.per_second / plain.per_second,
                    component.p99_us as f64 / plain.p99_us.max(1) as f64
                );
            }
            if let (Some(off), Some(on)) = (find("no-metrics"), find("component")) {
                println!(
                    "{:<8} {conns:>2} connections: metrics on/off throughput {:.2}x, CPU per request {:.3}x",
                    workload.name,
                    on.per_second / off.per_second,
                    on.cpu_us / off.cpu_us
                );
            }
            if let (Some(bare), Some(ours)) = (find("bare-axum"), find("switchboard")) {
                println!(
                    "{:<8} {conns:>2} connections: switchboard/bare throughput {:.2}x, p99 {:.2}x",
                    workload.name,
                    ours.per_second / bare.per_second,
                    ours.p99_us as f64 / bare.p99_us.max(1) as f64
                );
            }
        }
    }
}
