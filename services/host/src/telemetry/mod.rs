//! The process's metrics, as every host command that serves exports them:
//! a Prometheus recorder installed once per process, the process
//! collector (resident memory, open file descriptors, CPU time),
//! `switchboard_build_info`, and the page `GET /metrics` answers, on the
//! HTTP transport or on a listener of its own ([`listen()`]).
//!
//! The exporter is `metrics-exporter-prometheus` behind the `metrics`
//! facade: every crate records where the event happens, and a user who
//! prefers another backend installs another recorder before the host does.

mod listen;

use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use switchboard::catalog::MetricsPage;
use switchboard::telemetry;

pub use listen::{MetricsListenError, listen};

use crate::HostInfo;

/// How often recorded histogram samples are folded into their buckets
/// when nobody scrapes, so that memory stays flat between scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The name of the build information gauge (always 1).
pub const BUILD_INFO: &str = "switchboard_build_info";

/// The exporter installed in this process, if any.
static INSTALLED: OnceLock<Option<Exporter>> = OnceLock::new();

/// The installed exporter: the recorder's handle and the process
/// collector, behind the page.
struct Exporter {
    handle: PrometheusHandle,
    process: Mutex<metrics_process::Collector>,
}

/// Installs the Prometheus recorder for this process (once: later calls
/// return the same page) and returns the page `GET /metrics` serves:
/// every switchboard metric, the process collector's and
/// [`BUILD_INFO`] for `host`. `None` when another recorder was installed
/// first (the user's own: switchboard's metrics then go to it).
pub fn install(host: &HostInfo) -> Option<MetricsPage> {
    let installed = INSTALLED.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(telemetry::DURATION_BUCKETS)
            .ok()?
            .build_recorder();
        let handle = recorder.handle();
        metrics::set_global_recorder(recorder).ok()?;
        telemetry::describe();
        let process = metrics_process::Collector::default();
        process.describe();
        metrics::describe_gauge!(
            BUILD_INFO,
            "Always 1: the switchboard version and the host serving, as labels."
        );
        metrics::gauge!(
            BUILD_INFO,
            "version" => env!("CARGO_PKG_VERSION"),
            "host" => host.name().to_owned(),
            "host_version" => host.version().to_owned(),
        )
        .set(1.0);
        let upkeep = handle.clone();
        let _ = std::thread::Builder::new()
            .name("metrics-upkeep".to_owned())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_EVERY);
                    upkeep.run_upkeep();
                }
            });
        Some(Exporter {
            handle,
            process: Mutex::new(process),
        })
    });
    installed.as_ref().map(|_| MetricsPage::new(render))
}

/// The page now: the scrape hooks run (queue depths, lags), the process
/// collected, then the exporter's metrics and the calls' (which the
/// pipeline keeps itself: [`telemetry::render`]).
fn render() -> String {
    let Some(Some(exporter)) = INSTALLED.get() else {
        return String::new();
    };
    telemetry::run_scrape_hooks();
    exporter
        .process
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .collect();
    let mut page = exporter.handle.render();
    telemetry::render(&mut page);
    page
}

/// The metrics a command exports: on ([`install`]ed) unless
/// `--no-metrics`.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    page: Option<MetricsPage>,
}

impl Metrics {
    /// Metrics for `host`: installed when `on`.
    pub fn new(host: &HostInfo, on: bool) -> Self {
        Self {
            page: if on { install(host) } else { None },
        }
    }

    /// Whether metrics are recorded.
    pub fn on(&self) -> bool {
        self.page.is_some()
    }

    /// The page, when metrics are on.
    pub fn page(&self) -> Option<&MetricsPage> {
        self.page.as_ref()
    }
}
