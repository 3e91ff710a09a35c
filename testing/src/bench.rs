//! Alternating-rounds benchmarks: contenders take turns, round by round,
//! and the medians are compared with the first contender (the baseline),
//! because on a shared, noisy machine the ratio is what holds.
//!
//! A small harness rather than criterion, which would bring clap and a
//! plotting stack into every protocol crate's build.
//!
//! ```no_run
//! use switchboard_testing::bench::{Contender, alternate, options};
//!
//! let (rounds, calls) = options(100_000);
//! let mut contenders = [
//!     Contender::new("baseline", || { std::hint::black_box(2 + 2); }),
//!     Contender::new("ours", || { std::hint::black_box(2 * 2); }),
//! ];
//! alternate("four", &mut contenders, rounds, calls);
//! ```

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use std::hint::black_box;
use std::sync::Arc;

use switchboard::local::LocalClient;
use switchboard::{Client, ClientProtocol, Method, RequestInfo, Server, TransportFacts};

/// One contender: a name and one call of the work measured.
pub struct Contender<'a> {
    name: &'static str,
    call: Box<dyn FnMut() + 'a>,
}

impl<'a> Contender<'a> {
    /// A contender running `call` once per call measured.
    pub fn new(name: &'static str, call: impl FnMut() + 'a) -> Self {
        Self {
            name,
            call: Box::new(call),
        }
    }
}

impl std::fmt::Debug for Contender<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contender")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The median time per call of each contender, in nanoseconds, in order.
///
/// Every contender is warmed up with a tenth of `calls`, then each runs
/// `calls` calls in turn, `rounds` times; the table printed under `title`
/// gives each median, its rounds' range and its ratio to the first
/// contender's.
pub fn alternate(
    title: &str,
    contenders: &mut [Contender<'_>],
    rounds: usize,
    calls: usize,
) -> Vec<f64> {
    for contender in contenders.iter_mut() {
        for _ in 0..calls / 10 {
            (contender.call)();
        }
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); contenders.len()];
    for _ in 0..rounds {
        for (contender, times) in contenders.iter_mut().zip(&mut times) {
            let start = Instant::now();
            for _ in 0..calls {
                (contender.call)();
            }
            times.push(start.elapsed().as_secs_f64() * 1e9 / calls as f64);
        }
    }
    let medians: Vec<f64> = times.iter_mut().map(|t| median(t)).collect();
    println!("{title}, median of {rounds} alternating rounds of {calls} calls");
    let baseline = medians.first().copied().unwrap_or(f64::NAN);
    for (contender, (median, times)) in contenders.iter().zip(medians.iter().zip(&times)) {
        let (low, high) = (times[0], times[times.len() - 1]);
        println!(
            "  {:<26} {median:>8.1} ns/call  (rounds {low:.1}..{high:.1}, {:.2}x {})",
            contender.name,
            median / baseline,
            contenders[0].name,
        );
    }
    medians
}

/// The median of `values`, which it sorts.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// `--rounds R` (default 9) and `--calls N` (default `default_calls`) from
/// the command line; cargo's own `--bench` is ignored.
pub fn options(default_calls: usize) -> (usize, usize) {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str, default: usize| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .filter(|&n| n > 0)
            .unwrap_or(default)
    };
    (value("--rounds", 9), value("--calls", default_calls))
}

/// Installs a Prometheus recorder as a serving host does (the duration
/// buckets, histogram samples folded in every second), so that a metered
/// contender pays what it pays in production, not a no-op's price.
/// Only the first call in a process installs one.
pub fn install_recorder() {
    let recorder = match metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(switchboard::telemetry::DURATION_BUCKETS)
    {
        Ok(builder) => builder.build_recorder(),
        Err(_) => return,
    };
    let handle = recorder.handle();
    if metrics::set_global_recorder(recorder).is_ok() {
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
                handle.run_upkeep();
            }
        });
    }
}

/// Polls a future that never waits (no I/O, no timer) until it is done,
/// without a runtime: what an in-process pipeline needs.
pub fn run_ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// One request through `server`'s whole pipeline, bytes to bytes (empty
/// when there is no reply).
pub fn through_pipeline(server: &Server, body: &'static [u8]) -> Vec<u8> {
    let request = RequestInfo::new(body, TransportFacts::NONE);
    run_ready(server.process(request)).body.unwrap_or_default()
}

/// A protocol's in-process benchmark: one request through the whole
/// pipeline against the same request answered by hand-written code, and a
/// typed call's round trip through the protocol's client side.
pub struct PipelineBench<'a, M> {
    /// The table's title (`soap echo`).
    pub title: &'static str,
    /// The server, in the protocol measured.
    pub server: Server,
    /// The protocol's client side, for the round trip.
    pub client_protocol: Arc<dyn ClientProtocol>,
    /// The request, as a client sends it.
    pub request: &'static [u8],
    /// The hand-written contender's name.
    pub by_hand_name: &'static str,
    /// The hand-written contender: the reply to a request, byte for byte
    /// the pipeline's.
    pub by_hand: &'a dyn Fn(&[u8]) -> Vec<u8>,
    /// The same call as a typed call struct.
    pub typed_call: &'a dyn Fn() -> M,
}

impl<M: Method> PipelineBench<'_, M> {
    /// Checks that both answer the same bytes, then [`alternate`]s the
    /// four contenders with the command line's [`options`]: by hand, the
    /// pipeline with its metrics recorded (a Prometheus recorder is
    /// [installed](install_recorder)), the pipeline without, and the typed
    /// round trip.
    pub fn run(self, default_calls: usize) {
        let (rounds, calls) = options(default_calls);
        let Self {
            title,
            server,
            client_protocol,
            request,
            by_hand_name,
            by_hand,
            typed_call,
        } = self;
        install_recorder();
        let unmetered = server.clone().with_metrics(false);
        assert_eq!(
            through_pipeline(&server, request),
            by_hand(request),
            "both answer the same bytes"
        );
        let client = Client::new(
            Arc::new(LocalClient::direct(server.clone())),
            client_protocol,
        );
        let mut contenders = [
            Contender::new(by_hand_name, || {
                black_box(by_hand(black_box(request)));
            }),
            Contender::new("switchboard pipeline", || {
                black_box(through_pipeline(&server, black_box(request)));
            }),
            Contender::new("pipeline, --no-metrics", || {
                black_box(through_pipeline(&unmetered, black_box(request)));
            }),
            Contender::new("typed client round trip", || {
                let reply = run_ready(client.call(black_box(typed_call())));
                black_box(reply.expect("the typed call answers"));
            }),
        ];
        alternate(title, &mut contenders, rounds, calls);
    }

    /// For instruction counting (`valgrind --tool=callgrind`): runs
    /// `pipeline` (the default, metrics recorded), `unmetered` or
    /// `by_hand` as many times as the command line's second argument says
    /// (default 100 000).
    pub fn profile(self) {
        install_recorder();
        let unmetered = self.server.clone().with_metrics(false);
        let mut args = std::env::args().skip(1);
        let which = args.next().unwrap_or_else(|| "pipeline".to_owned());
        let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
        let mut total = 0usize;
        for _ in 0..count {
            let reply = match which.as_str() {
                "by_hand" => (self.by_hand)(black_box(self.request)),
                "unmetered" => through_pipeline(&unmetered, black_box(self.request)),
                _ => through_pipeline(&self.server, black_box(self.request)),
            };
            total += reply.len();
        }
        println!("{which}: {count} calls, {total} reply bytes");
    }
}

impl<M> std::fmt::Debug for PipelineBench<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PipelineBench")
            .field("title", &self.title)
            .finish_non_exhaustive()
    }
}
