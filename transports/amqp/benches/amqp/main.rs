//! The AMQP transport against raw lapin doing the same AMQP work, in the
//! same run: RPC `echo` calls with 1 and 64 in flight (calls/s; latency
//! p50/p99 with 1 in flight), and one-way publishing with confirms into a
//! queue a consumer drains (messages/s, until the last one is acked).
//!
//! Both sides do the same broker work: the client publishes `mandatory`
//! on a channel with publisher confirms and waits for the confirm, replies
//! come over direct reply-to and are matched by `correlation_id`; the
//! server consumes with manual acks and a prefetch of 64, publishes the
//! reply, then acks. Ours runs the pipeline (JSON-RPC decode, typed
//! arguments, encode); raw parses the JSON-RPC with `serde_json::Value` and
//! answers by hand. Rounds alternate between the two; medians are kept,
//! because the machine (and the broker) are shared.
//!
//! Run with `cargo bench -p switchboard-amqp --bench amqp` (the broker at
//! `AMQP_ADDR`, default the local one). Options after `--`: `--calls N`
//! per case (default 3 000), `--rounds R` (default 5), `--metrics` to
//! install a Prometheus recorder first, as the host does, so that ours
//! records its call and link metrics for real (without one every record
//! is a no-op). `--postage` runs instead the Postage protocol against
//! JSON-RPC, both through our transport (RPC with 1 and 64 in flight, the
//! goal 0.9x); `--signed` runs signed JSON-RPC calls (the client signs,
//! the server checks) against unsigned ones, the same way.

mod ours;
mod raw;

use std::time::{Duration, Instant};

pub(crate) type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Calls in flight in the concurrent case (and publishers one-way).
pub(crate) const IN_FLIGHT: usize = 64;
/// The server's prefetch.
pub(crate) const PREFETCH: u16 = 64;

/// What one round of one case measured.
#[derive(Debug, Clone, Default)]
pub(crate) struct Measure {
    /// Operations per second.
    pub(crate) rate: f64,
    /// Latencies of each operation (sequential cases).
    pub(crate) latencies: Vec<Duration>,
}

impl Measure {
    pub(crate) fn new(count: usize, took: Duration, latencies: Vec<Duration>) -> Self {
        Self {
            rate: count as f64 / took.as_secs_f64(),
            latencies,
        }
    }

    fn percentile(&self, p: f64) -> Option<Duration> {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted.get(index).copied()
    }
}

/// The operation a case measures.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Work {
    /// RPC calls, `n` in flight.
    Rpc(usize),
    /// One-way publishes with confirms, drained by the consumer.
    OneWay,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Installs the Prometheus recorder the host installs, with its buckets.
fn install_recorder() -> BenchResult<()> {
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(switchboard::telemetry::DURATION_BUCKETS)?
        .build_recorder();
    metrics::set_global_recorder(recorder)?;
    Ok(())
}

fn main() -> BenchResult<()> {
    let calls = arg("--calls", 3_000);
    let rounds = arg("--rounds", 5).max(1);
    let metrics = std::env::args().any(|a| a == "--metrics");
    if metrics {
        install_recorder()?;
    }
    let url = std::env::var("AMQP_ADDR").unwrap_or_else(|_| "amqp://127.0.0.1:5672/%2f".to_owned());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    println!(
        "AMQP transport vs raw lapin, {calls} operations per round, {rounds} rounds (medians), metrics {}",
        if metrics {
            "recorded (Prometheus)"
        } else {
            "not recorded (no recorder)"
        }
    );
    if std::env::args().any(|a| a == "--postage") {
        return versus_json_rpc(&runtime, &url, calls, rounds, ours::Wire::Postage);
    }
    if std::env::args().any(|a| a == "--signed") {
        return versus_json_rpc(&runtime, &url, calls, rounds, ours::Wire::SignedJsonRpc);
    }
    let cases = [
        ("rpc, 1 in flight", Work::Rpc(1), 0.9),
        ("rpc, 64 in flight", Work::Rpc(IN_FLIGHT), 0.8),
        ("one-way publish+consume", Work::OneWay, 0.8),
    ];
    for (name, work, goal) in cases {
        let (mut ours_rates, mut raw_rates) = (Vec::new(), Vec::new());
        let (mut ours_lat, mut raw_lat) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            // Alternate who goes first, so drift hurts both alike.
            let order = if round % 2 == 0 {
                [true, false]
            } else {
                [false, true]
            };
            for ours in order {
                let started = Instant::now();
                let measure = if ours {
                    runtime.block_on(ours::run(&url, work, calls))?
                } else {
                    runtime.block_on(raw::run(&url, work, calls))?
                };
                let _ = started;
                let (rates, lats) = if ours {
                    (&mut ours_rates, &mut ours_lat)
                } else {
                    (&mut raw_rates, &mut raw_lat)
                };
                if let (Some(p50), Some(p99)) = (measure.percentile(0.5), measure.percentile(0.99))
                {
                    lats.push((p50.as_secs_f64() * 1e6, p99.as_secs_f64() * 1e6));
                }
                rates.push(measure.rate);
            }
        }
        let (ours, raw) = (median(ours_rates), median(raw_rates));
        let ratio = ours / raw;
        let verdict = if ratio >= goal { "meets" } else { "MISSES" };
        println!(
            "{name:<26} ours {ours:>9.0}/s  raw {raw:>9.0}/s  ratio {ratio:.2} ({verdict} the {goal}x goal)"
        );
        if matches!(work, Work::Rpc(1)) {
            let p = |l: &[(f64, f64)], f: fn(&(f64, f64)) -> f64| median(l.iter().map(f).collect());
            let (o50, o99) = (p(&ours_lat, |x| x.0), p(&ours_lat, |x| x.1));
            let (r50, r99) = (p(&raw_lat, |x| x.0), p(&raw_lat, |x| x.1));
            let verdict = if o50 <= 1.2 * r50 { "meets" } else { "MISSES" };
            println!(
                "{:<26} ours p50 {o50:.0} µs p99 {o99:.0} µs  raw p50 {r50:.0} µs p99 {r99:.0} µs  p50 ratio {:.2} ({verdict} the 1.2x goal)",
                "  latency",
                o50 / r50
            );
        }
    }
    Ok(())
}

/// `contender` (Postage, or signed JSON-RPC) against plain JSON-RPC, same
/// transport, same broker, alternating rounds.
fn versus_json_rpc(
    runtime: &tokio::runtime::Runtime,
    url: &str,
    calls: usize,
    rounds: usize,
    contender: ours::Wire,
) -> BenchResult<()> {
    use ours::Wire;
    let label = match contender {
        Wire::Postage => "postage",
        _ => "signed",
    };
    println!("{label} vs JSON-RPC over AMQP, {calls} calls per round, {rounds} rounds (medians)");
    for (name, work) in [
        ("rpc, 1 in flight", Work::Rpc(1)),
        ("rpc, 64 in flight", Work::Rpc(IN_FLIGHT)),
    ] {
        let (mut theirs, mut jsonrpc) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            let order = if round % 2 == 0 {
                [contender, Wire::JsonRpc]
            } else {
                [Wire::JsonRpc, contender]
            };
            for wire in order {
                let measure = runtime.block_on(ours::run_in(url, work, calls, wire))?;
                match wire {
                    Wire::JsonRpc => jsonrpc.push(measure.rate),
                    _ => theirs.push(measure.rate),
                }
            }
        }
        let (theirs, jsonrpc) = (median(theirs), median(jsonrpc));
        let ratio = theirs / jsonrpc;
        let verdict = if ratio >= 0.9 { "meets" } else { "MISSES" };
        println!(
            "{name:<26} {label} {theirs:>9.0}/s  jsonrpc {jsonrpc:>9.0}/s  ratio {ratio:.2} ({verdict} the 0.9x goal)"
        );
    }
    Ok(())
}
