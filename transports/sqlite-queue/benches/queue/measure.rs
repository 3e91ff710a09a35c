//! What one run measured ([`Measure`]), the median over rounds
//! ([`Stats`]), and the producer's pacing ([`Pace`]).

use std::time::{Duration, Instant};

/// One run of one contender.
#[derive(Debug, Clone, Default)]
pub(crate) struct Measure {
    ops: usize,
    elapsed: Duration,
    /// Enqueue→processed latencies in µs, sorted (fan-out cases only).
    latencies_us: Vec<u64>,
    /// CPU time the whole process used during the run (user + system).
    cpu: Duration,
}

impl Measure {
    /// `ops` operations in `elapsed`.
    pub(crate) fn new(ops: usize, elapsed: Duration) -> Self {
        Self {
            ops,
            elapsed,
            latencies_us: Vec::new(),
            cpu: Duration::ZERO,
        }
    }

    /// Sets the CPU time the process used during the run.
    pub(crate) fn with_cpu(mut self, cpu: Duration) -> Self {
        self.cpu = cpu;
        self
    }

    /// Adds the latencies of the deliveries.
    pub(crate) fn with_latencies(mut self, mut latencies_us: Vec<u64>) -> Self {
        latencies_us.sort_unstable();
        self.latencies_us = latencies_us;
        self
    }

    fn per_second(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `q` quantile of the latencies, in ms (`None` without any).
    fn quantile_ms(&self, q: f64) -> Option<f64> {
        let last = self.latencies_us.len().checked_sub(1)?;
        let index = ((last as f64) * q).round() as usize;
        Some(self.latencies_us[index.min(last)] as f64 / 1000.0)
    }
}

/// The median of each figure over the rounds of one contender, taken
/// figure by figure.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stats {
    /// Operations (enqueues, deliveries) per second.
    pub(crate) per_second: f64,
    /// Median latency, ms.
    pub(crate) p50_ms: Option<f64>,
    /// 99th percentile latency, ms.
    pub(crate) p99_ms: Option<f64>,
    /// Worst latency, ms.
    pub(crate) max_ms: Option<f64>,
    /// CPU time per operation, µs (all threads, the run's setup included).
    pub(crate) cpu_us_per_op: f64,
}

impl Stats {
    /// The medians over `runs`.
    pub(crate) fn of(runs: &[Measure]) -> Self {
        let median_of = |figure: &dyn Fn(&Measure) -> Option<f64>| {
            let mut values: Vec<f64> = runs.iter().filter_map(figure).collect();
            values.sort_by(f64::total_cmp);
            values.get(values.len() / 2).copied()
        };
        Self {
            per_second: median_of(&|m| Some(m.per_second())).unwrap_or(0.0),
            p50_ms: median_of(&|m| m.quantile_ms(0.50)),
            p99_ms: median_of(&|m| m.quantile_ms(0.99)),
            max_ms: median_of(&|m| m.quantile_ms(1.0)),
            cpu_us_per_op: median_of(&|m| Some(m.cpu.as_secs_f64() * 1e6 / m.ops.max(1) as f64))
                .unwrap_or(0.0),
        }
    }
}

/// User + system CPU time of this process and of the children it waited
/// for, so far (Linux; zero elsewhere).
pub(crate) fn process_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses: utime, stime,
    // cutime and cstime are the 12th to 15th, in clock ticks of 10 ms.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after
        .split_whitespace()
        .skip(11)
        .take(4)
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

/// How fast the fan-out producer enqueues.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pace {
    /// As fast as it can.
    FlatOut,
    /// This many tasks per second, evenly spaced.
    PerSecond(f64),
}

impl Pace {
    /// When task `i` is due, for a producer that started at `start`.
    pub(crate) fn due(self, start: Instant, i: usize) -> Option<Instant> {
        match self {
            Pace::FlatOut => None,
            Pace::PerSecond(rate) => Some(start + Duration::from_secs_f64(i as f64 / rate)),
        }
    }
}
