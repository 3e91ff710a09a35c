//! [`render`]: the series switchboard keeps itself (call durations, calls
//! in flight), written in the Prometheus text format (0.0.4) after the
//! exporter's page.
//!
//! These two are kept outside the `metrics` facade because they are
//! touched by every call: the facade's histograms cost 70 ns a sample
//! here, this registry's 8 ns. Everything else goes through the facade.

use std::fmt::Write;

use super::calls::{CallLabels, registry};
use super::{CALL_DURATION, ERROR_TYPE, IN_FLIGHT, METHOD, STATUS_CODE, SYSTEM, TRANSPORT};

/// Appends the call duration histograms ([`CALL_DURATION`]) and the calls
/// in flight ([`IN_FLIGHT`]) to `page`, in the Prometheus text format.
/// Nothing is written for a family without series.
///
/// ```
/// let mut page = String::new();
/// switchboard::telemetry::render(&mut page);
/// assert!(page.is_empty() || page.contains("# TYPE rpc_server_call_duration_seconds histogram"));
/// ```
pub fn render(page: &mut String) {
    let registry = registry();
    if !registry.calls.is_empty() {
        header(page, CALL_DURATION, "histogram", CALL_HELP);
        for (labels, histogram) in &registry.calls {
            let snapshot = histogram.snapshot();
            let common = call_labels(labels);
            for (bound, count) in &snapshot.cumulative {
                let _ = writeln!(
                    page,
                    "{CALL_DURATION}_bucket{{{common},le=\"{bound}\"}} {count}"
                );
            }
            let count = snapshot.count;
            let _ = writeln!(
                page,
                "{CALL_DURATION}_bucket{{{common},le=\"+Inf\"}} {count}"
            );
            let sum = snapshot.sum_seconds;
            let _ = writeln!(page, "{CALL_DURATION}_sum{{{common}}} {sum}");
            let _ = writeln!(page, "{CALL_DURATION}_count{{{common}}} {count}");
        }
    }
    if !registry.in_flight.is_empty() {
        header(page, IN_FLIGHT, "gauge", IN_FLIGHT_HELP);
        for ((system, transport), count) in &registry.in_flight {
            let count = count.load(std::sync::atomic::Ordering::Relaxed).max(0);
            let labels = format!("{SYSTEM}=\"{system}\",{TRANSPORT}=\"{transport}\"");
            let _ = writeln!(page, "{IN_FLIGHT}{{{labels}}} {count}");
        }
    }
}

const CALL_HELP: &str =
    "Duration of calls served, from decoding to the reply (rpc.server.call.duration).";
const IN_FLIGHT_HELP: &str = "Calls running now.";

fn header(page: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(page, "# HELP {name} {help}");
    let _ = writeln!(page, "# TYPE {name} {kind}");
}

fn call_labels(labels: &CallLabels) -> String {
    let mut out = format!(
        "{SYSTEM}=\"{}\",{METHOD}=\"{}\",{TRANSPORT}=\"{}\",{STATUS_CODE}=\"{}\"",
        escape(labels.system),
        escape(&labels.method),
        escape(labels.transport),
        escape(&labels.status),
    );
    if let Some(error_type) = &labels.error_type {
        let _ = write!(out, ",{ERROR_TYPE}=\"{}\"", escape(error_type));
    }
    out
}

/// A label value as the text format wants it: backslash, double quote and
/// line feed escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
