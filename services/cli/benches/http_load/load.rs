//! The load generator: `concurrency` keep-alive HTTP/1 connections, each
//! sending JSON-RPC `echo` calls back to back for a fixed time.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// The request every connection sends.
pub(crate) const BODY: &str =
    r#"{"jsonrpc":"2.0","method":"echo","params":{"s":"hello, world"},"id":1}"#;
/// The reply both servers must give.
pub(crate) const REPLY: &str = r#"{"jsonrpc":"2.0","result":"hello, world","id":1}"#;

/// What one measurement saw.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Report {
    pub(crate) requests: usize,
    pub(crate) errors: usize,
    pub(crate) per_second: f64,
    pub(crate) p50_us: u64,
    pub(crate) p99_us: u64,
}

/// Runs the load against `addr`; returns the report and the peak RSS of
/// process `pid` sampled during it.
pub(crate) async fn run(
    addr: SocketAddr,
    concurrency: usize,
    duration: Duration,
    pid: u32,
) -> Result<(Report, u64), Box<dyn std::error::Error + Send + Sync>> {
    // Warm up: one connection, a short burst.
    connection(addr, Instant::now() + Duration::from_millis(300)).await?;
    let started = Instant::now();
    let until = started + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| tokio::spawn(connection(addr, until)))
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
    };
    Ok((report, peak))
}

type Outcome = Result<(Vec<u64>, usize), Box<dyn std::error::Error + Send + Sync>>;

/// One connection's loop: latencies in µs, and how many replies were wrong.
async fn connection(addr: SocketAddr, until: Instant) -> Outcome {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut latencies = Vec::with_capacity(64 * 1024);
    let mut errors = 0;
    while Instant::now() < until {
        let request = Request::post("/jsonrpc")
            .header("host", "bench")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from_static(BODY.as_bytes())))?;
        sender.ready().await?;
        let sent = Instant::now();
        let response = sender.send_request(request).await?;
        let ok = response.status() == 200;
        let body = response.into_body().collect().await?.to_bytes();
        latencies.push(sent.elapsed().as_micros() as u64);
        if !ok || body != REPLY.as_bytes() {
            errors += 1;
        }
    }
    Ok((latencies, errors))
}
