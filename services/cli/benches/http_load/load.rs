//! The load generator: `concurrency` keep-alive HTTP/1 connections, each
//! sending one workload's `echo` call (JSON-RPC or SOAP) back to back for
//! a fixed time.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// One kind of call: where it goes, what it sends, what must come back.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Workload {
    /// Its name in the table (`jsonrpc`, `soap`).
    pub(crate) name: &'static str,
    /// The endpoint's path.
    pub(crate) path: &'static str,
    /// The request's media type.
    pub(crate) content_type: &'static str,
    /// The request every connection sends.
    pub(crate) body: &'static str,
    /// The reply both servers must give, byte for byte.
    pub(crate) reply: &'static str,
}

/// JSON-RPC `echo` at `/jsonrpc`.
pub(crate) const JSON_RPC: Workload = Workload {
    name: "jsonrpc",
    path: "/jsonrpc",
    content_type: "application/json",
    body: r#"{"jsonrpc":"2.0","method":"echo","params":{"s":"hello, world"},"id":1}"#,
    reply: r#"{"jsonrpc":"2.0","result":"hello, world","id":1}"#,
};

/// SOAP 1.1 `echo` at `/soap`.
pub(crate) const SOAP: Workload = Workload {
    name: "soap",
    path: "/soap",
    content_type: "text/xml; charset=utf-8",
    body: concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="urn:switchboard">"#,
        r#"<soap:Body><tns:echo><tns:s>hello, world</tns:s></tns:echo></soap:Body></soap:Envelope>"#
    ),
    reply: concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:tns="urn:switchboard">"#,
        r#"<soap:Body><tns:echoResponse><tns:echoResult>hello, world</tns:echoResult></tns:echoResponse></soap:Body></soap:Envelope>"#
    ),
};

/// Every workload, in the order they run.
pub(crate) const WORKLOADS: [Workload; 2] = [JSON_RPC, SOAP];

/// What one measurement saw.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Report {
    pub(crate) requests: usize,
    pub(crate) errors: usize,
    pub(crate) per_second: f64,
    pub(crate) p50_us: u64,
    pub(crate) p99_us: u64,
    /// The server's CPU time (user and system) per request, in µs: what a
    /// request costs, steadier than the rate on a shared machine.
    pub(crate) cpu_us: f64,
}

/// The CPU time process `pid` has used so far, in µs (from
/// `/proc/PID/stat`, in clock ticks of 10 ms); 0 if it cannot be read.
fn cpu_time_us(pid: u32) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    // The fields after the command name, which is in parentheses.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line: 12 and 13 here.
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    ticks * 10_000
}

/// Runs the load against `addr`; returns the report and the peak RSS of
/// process `pid` sampled during it.
pub(crate) async fn run(
    addr: SocketAddr,
    workload: Workload,
    concurrency: usize,
    duration: Duration,
    pid: u32,
) -> Result<(Report, u64), Box<dyn std::error::Error + Send + Sync>> {
    // Warm up: one connection, a short burst.
    connection(addr, workload, Instant::now() + Duration::from_millis(300)).await?;
    let cpu_before = cpu_time_us(pid);
    let started = Instant::now();
    let until = started + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| tokio::spawn(connection(addr, workload, until)))
        .collect();
    let mut peak = 0;
    while Instant::now() < until {
        peak = peak.max(super::rss_kib(pid));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (mut seen, failed) = task.await??;
        latencies.append(&mut seen);
        errors += failed;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_time_us(pid).saturating_sub(cpu_before) as f64;
    latencies.sort_unstable();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0)
    };
    let report = Report {
        requests: latencies.len(),
        errors,
        per_second: latencies.len() as f64 / elapsed,
        p50_us: pick(0.50),
        p99_us: pick(0.99),
        cpu_us: cpu / latencies.len().max(1) as f64,
    };
    Ok((report, peak))
}

type Outcome = Result<(Vec<u64>, usize), Box<dyn std::error::Error + Send + Sync>>;

/// One connection's loop: latencies in µs, and how many replies were wrong.
async fn connection(addr: SocketAddr, workload: Workload, until: Instant) -> Outcome {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut latencies = Vec::with_capacity(64 * 1024);
    let mut errors = 0;
    while Instant::now() < until {
        let request = Request::post(workload.path)
            .header("host", "bench")
            .header("content-type", workload.content_type)
            .body(Full::new(Bytes::from_static(workload.body.as_bytes())))?;
        sender.ready().await?;
        let sent = Instant::now();
        let response = sender.send_request(request).await?;
        let ok = response.status() == 200;
        let body = response.into_body().collect().await?.to_bytes();
        latencies.push(sent.elapsed().as_micros() as u64);
        if !ok || body != workload.reply.as_bytes() {
            errors += 1;
        }
    }
    Ok((latencies, errors))
}
