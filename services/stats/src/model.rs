//! What the stats service's methods take and return, and the three
//! messages of the course system: the task, the notification and the log
//! entry. Field names and order are the course's, byte for byte where it
//! fixes them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::compute::Summary;

/// Sensors per page by default.
pub const DEFAULT_PAGE: u32 = 100;
/// Longest sensor name and model, in characters.
pub const MAX_NAME_CHARS: u32 = 100;

/// A sensor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Sensor {
    /// Its unique name (the `{sensor}` of its URLs).
    pub name: String,
    /// Its model.
    pub model: String,
}

/// A page of sensors, by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SensorList {
    /// The sensors.
    pub sensors: Vec<Sensor>,
    /// The `after` of the next page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// A sensor with what is stored about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SensorDetail {
    /// Its unique name.
    pub name: String,
    /// Its model.
    pub model: String,
    /// How many measurements it has.
    pub measurements: u64,
    /// Whether statistics are stored for it.
    pub has_stats: bool,
}

/// One measurement to add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NewMeasurement {
    /// The value.
    pub value: f64,
    /// When it was taken (ISO 8601, UTC when without offset); default: now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

/// A stored measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Measurement {
    /// Its id: measurements of a sensor come in id order.
    pub id: i64,
    /// The value.
    pub value: f64,
    /// When it was taken (ISO 8601, as given).
    pub time: String,
}

/// A page of a sensor's measurements, in id order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeasurementPage {
    /// The sensor.
    pub sensor: String,
    /// The measurements.
    pub measurements: Vec<Measurement>,
    /// The `after` of the next page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<i64>,
}

/// What a batch of measurements added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Added {
    /// The sensor.
    pub sensor: String,
    /// How many measurements were added.
    pub added: u64,
}

/// A sensor's statistics: the course's `mean` and `generated`, and the
/// statistics this service's worker adds (absent when another worker, such
/// as the course's, computed them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Stats {
    /// The arithmetic mean of the values.
    pub mean: f64,
    /// When they were computed (ISO 8601).
    pub generated: String,
    /// How many values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// The smallest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// The largest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The median.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    /// The sample standard deviation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdev: Option<f64>,
    /// The 95th percentile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p95: Option<f64>,
}

impl Stats {
    /// The statistics of `summary`, generated at `generated`.
    pub fn from_summary(summary: &Summary, generated: String) -> Self {
        Self {
            mean: summary.mean,
            generated,
            count: Some(summary.count),
            min: Some(summary.min),
            max: Some(summary.max),
            median: Some(summary.median),
            stdev: Some(summary.stdev),
            p95: Some(summary.p95),
        }
    }
}

/// The task on the `stats` queue: `{"data": [values], "sensor": "name"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// The sensor's measurement values, in id order.
    pub data: Vec<f64>,
    /// The sensor's name.
    pub sensor: String,
}

/// The notification on the `notifications` exchange:
/// `{"task": "statistics", "sensor": "name"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// What was done: `statistics`.
    pub task: String,
    /// For which sensor.
    pub sensor: String,
}

impl Notification {
    /// The `task` of a statistics notification.
    pub const STATISTICS: &'static str = "statistics";

    /// Statistics are ready for `sensor`.
    pub fn statistics(sensor: impl Into<String>) -> Self {
        Self {
            task: Self::STATISTICS.to_owned(),
            sensor: sensor.into(),
        }
    }
}

/// The entry on the `logs` exchange: `{"timestamp": ISO 8601, "content": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// When it happened (ISO 8601).
    pub timestamp: String,
    /// What went wrong.
    pub content: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_the_course_shapes() -> Result<(), serde_json::Error> {
        let task = Task {
            data: vec![1.0, 2.5],
            sensor: "s1".into(),
        };
        assert_eq!(
            serde_json::to_string(&task)?,
            r#"{"data":[1.0,2.5],"sensor":"s1"}"#
        );
        assert_eq!(
            serde_json::to_string(&Notification::statistics("s1"))?,
            r#"{"task":"statistics","sensor":"s1"}"#
        );
        let entry = LogEntry {
            timestamp: "2025-06-02T09:14:05".into(),
            content: "boom".into(),
        };
        assert_eq!(
            serde_json::to_string(&entry)?,
            r#"{"timestamp":"2025-06-02T09:14:05","content":"boom"}"#
        );
        // The course's own stats have only these two fields.
        let course: Stats =
            serde_json::from_str(r#"{"mean": 2.0, "generated": "2025-06-02T09:14:05"}"#)?;
        assert_eq!(
            serde_json::to_string(&course)?,
            r#"{"mean":2.0,"generated":"2025-06-02T09:14:05"}"#
        );
        Ok(())
    }
}
