//! [`AtomicHistogram`]: a duration histogram with fixed buckets, recorded
//! with two relaxed atomic additions, read whole when rendered.
//!
//! The exporter's own histograms keep every sample until a scrape or an
//! upkeep folds them in (70 ns a sample here); a call is timed millions of
//! times between scrapes, so the calls' histograms count into their
//! buckets at once instead (8 ns).

use std::sync::atomic::{AtomicU64, Ordering};

use super::DURATION_BUCKETS;

/// [`DURATION_BUCKETS`] in nanoseconds, computed once.
fn bounds() -> &'static [u64] {
    static BOUNDS: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    BOUNDS.get_or_init(|| {
        DURATION_BUCKETS
            .iter()
            .map(|seconds| (seconds * 1e9).round() as u64)
            .collect()
    })
}

/// Counts per bucket (the last one past every bound, `+Inf`) and the sum
/// of the durations, in nanoseconds.
#[derive(Debug)]
pub(crate) struct AtomicHistogram {
    buckets: Box<[AtomicU64]>,
    sum_nanos: AtomicU64,
}

/// A histogram read at one moment: cumulative counts per bound, as the
/// exposition wants them.
#[derive(Debug)]
pub(crate) struct Snapshot {
    /// `(upper bound in seconds, observations at or below it)`.
    pub(crate) cumulative: Vec<(f64, u64)>,
    /// Every observation (the `+Inf` bucket).
    pub(crate) count: u64,
    /// Their sum, in seconds.
    pub(crate) sum_seconds: f64,
}

impl AtomicHistogram {
    pub(crate) fn new() -> Self {
        Self {
            buckets: (0..=bounds().len()).map(|_| AtomicU64::new(0)).collect(),
            sum_nanos: AtomicU64::new(0),
        }
    }

    /// Records one duration. Calls are short, so the linear search ends in
    /// the first few bounds.
    pub(crate) fn record(&self, nanos: u64) {
        let bounds = bounds();
        let index = bounds.iter().position(|&bound| nanos <= bound);
        let index = index.unwrap_or(bounds.len());
        if let Some(bucket) = self.buckets.get(index) {
            bucket.fetch_add(1, Ordering::Relaxed);
        }
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// The counts now. Read while calls record, the counts may be a
    /// moment apart from the sum, never less than an earlier reading.
    pub(crate) fn snapshot(&self) -> Snapshot {
        let mut running = 0;
        let mut cumulative = Vec::with_capacity(self.buckets.len());
        for (bucket, seconds) in self.buckets.iter().zip(DURATION_BUCKETS) {
            running += bucket.load(Ordering::Relaxed);
            cumulative.push((*seconds, running));
        }
        let past = self.buckets.last().map_or(0, |b| b.load(Ordering::Relaxed));
        Snapshot {
            cumulative,
            count: running + past,
            sum_seconds: self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_land_in_the_first_bucket_that_holds_them() {
        let histogram = AtomicHistogram::new();
        histogram.record(5_000); // 5 µs: the first bucket, 10 µs
        histogram.record(10_000); // on the bound: still the first
        histogram.record(30_000); // 30 µs: the 50 µs bucket
        histogram.record(20_000_000_000); // 20 s: past every bound
        let snapshot = histogram.snapshot();
        assert_eq!(snapshot.cumulative[0], (0.000_01, 2));
        assert_eq!(snapshot.cumulative[1], (0.000_025, 2));
        assert_eq!(snapshot.cumulative[2], (0.000_05, 3));
        assert_eq!(snapshot.cumulative.last(), Some(&(10.0, 3)));
        assert_eq!(snapshot.count, 4);
        assert!((snapshot.sum_seconds - 20.000_045).abs() < 1e-9);
    }
}
