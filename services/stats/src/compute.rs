//! The statistics a worker computes from a sensor's values: the course's
//! mean, plus count, min, max, median, standard deviation and the 95th
//! percentile.
//!
//! Numerically stable and linear in time: the mean is a compensated
//! (Neumaier) sum, so it is the correctly rounded arithmetic mean for any
//! data short of catastrophic cancellation; the deviation is a second,
//! scaled pass around that mean (no `E[x²] − E[x]²` cancellation, no
//! overflow for values near `f64::MAX`); median and percentile come from
//! selection (`select_nth_unstable`), not a sort.

use serde::{Deserialize, Serialize};

/// The statistics of a non-empty list of values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// How many values.
    pub count: u64,
    /// The arithmetic mean.
    pub mean: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
    /// The median (the mean of the two middle values for an even count).
    pub median: f64,
    /// The sample standard deviation (divisor `count − 1`; 0 for one value).
    pub stdev: f64,
    /// The 95th percentile, interpolated linearly between closest ranks
    /// (NumPy's default, Python's `statistics.quantiles(method="inclusive")`).
    pub p95: f64,
}

/// The statistics of `values` (reordered in place), or `None` when there
/// are none or one is not finite.
pub fn summarize(values: &mut [f64]) -> Option<Summary> {
    if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let n = values.len();
    let count = n as f64;
    let mean = mean(values);
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let stdev = stdev(values, mean, count);
    let median = if n % 2 == 1 {
        nth(values, n / 2)
    } else {
        let upper = nth(values, n / 2);
        // After selecting n/2, the lower half holds the values below it.
        let lower = values[..n / 2]
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        lower + (upper - lower) / 2.0
    };
    let p95 = percentile(values, 0.95);
    Some(Summary {
        count: n as u64,
        mean,
        min,
        max,
        median,
        stdev,
        p95,
    })
}

/// Neumaier's compensated sum over `count`, falling back to a sum of
/// `v / count` when the plain sum would overflow.
fn mean(values: &[f64]) -> f64 {
    let count = values.len() as f64;
    let sum = compensated(values.iter().copied());
    if sum.is_finite() {
        sum / count
    } else {
        compensated(values.iter().map(|v| v / count))
    }
}

fn compensated(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut carry) = (0.0_f64, 0.0_f64);
    for v in values {
        let t = sum + v;
        carry += if sum.abs() >= v.abs() {
            (sum - t) + v
        } else {
            (v - t) + sum
        };
        sum = t;
    }
    sum + carry
}

fn stdev(values: &[f64], mean: f64, count: f64) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let scale = values.iter().map(|v| (v - mean).abs()).fold(0.0, f64::max);
    if scale == 0.0 || !scale.is_finite() {
        return if scale == 0.0 { 0.0 } else { f64::MAX };
    }
    let squares = compensated(values.iter().map(|v| {
        let d = (v - mean) / scale;
        d * d
    }));
    scale * (squares / (count - 1.0)).sqrt()
}

/// The value of rank `k` (0-based) in sorted order; partitions `values`
/// around it.
fn nth(values: &mut [f64], k: usize) -> f64 {
    *values.select_nth_unstable_by(k, f64::total_cmp).1
}

fn percentile(values: &mut [f64], q: f64) -> f64 {
    let rank = q * (values.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let frac = rank - lo as f64;
    let low = nth(values, lo);
    if frac == 0.0 || lo + 1 >= values.len() {
        return low;
    }
    // After selecting `lo`, the next rank is the smallest value above it.
    let high = values[lo + 1..]
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    low + frac * (high - low)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted_reference(values: &[f64]) -> (f64, f64) {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        let rank = 0.95 * (n - 1) as f64;
        let lo = rank.floor() as usize;
        let hi = (lo + 1).min(n - 1);
        let p95 = sorted[lo] + (rank - lo as f64) * (sorted[hi] - sorted[lo]);
        (median, p95)
    }

    #[test]
    fn matches_a_sorting_reference() {
        for n in [1_usize, 2, 3, 10, 101, 1000] {
            let values: Vec<f64> = (0..n)
                .map(|i| ((i * 7919) % 1009) as f64 / 4.0 - 50.0)
                .collect();
            let mut work = values.clone();
            let summary = summarize(&mut work).unwrap_or_else(|| panic!("{n} values"));
            let (median, p95) = sorted_reference(&values);
            let exact: f64 = values.iter().sum::<f64>() / n as f64; // quarters: exact sums
            assert_eq!(summary.mean, exact, "{n}");
            assert_eq!(summary.median, median, "{n}");
            assert!((summary.p95 - p95).abs() < 1e-9, "{n}");
            assert_eq!(summary.count, n as u64);
        }
    }

    #[test]
    fn is_stable_where_naive_formulas_are_not() {
        // A large offset: E[x²] − E[x]² would lose every digit here.
        let mut values: Vec<f64> = (0..1000).map(|i| 1e9 + f64::from(i % 2)).collect();
        let summary = summarize(&mut values).unwrap_or_else(|| unreachable!());
        assert_eq!(summary.mean, 1e9 + 0.5);
        let exact = (0.25_f64 * 1000.0 / 999.0).sqrt();
        assert!((summary.stdev - exact).abs() < 1e-12, "{}", summary.stdev);
        // Huge values: the plain sum overflows, the mean does not.
        let mut huge = vec![f64::MAX, f64::MAX, f64::MAX / 2.0];
        let summary = summarize(&mut huge).unwrap_or_else(|| unreachable!());
        assert!(summary.mean.is_finite() && summary.stdev.is_finite());
        // Cancellation: a compensated sum keeps the small values.
        let mut values = vec![1e100, 1.0, -1e100, 1.0];
        assert_eq!(summarize(&mut values).map(|s| s.mean), Some(0.5));
    }

    #[test]
    fn refuses_nothing_to_summarize() {
        assert_eq!(summarize(&mut []), None);
        assert_eq!(summarize(&mut [1.0, f64::NAN]), None);
        let one = summarize(&mut [4.0]).unwrap_or_else(|| unreachable!());
        assert_eq!(
            (one.stdev, one.median, one.p95, one.min, one.max),
            (0.0, 4.0, 4.0, 4.0, 4.0)
        );
    }
}
