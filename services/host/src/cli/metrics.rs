//! The metrics flags of `serve` and `consume`: metrics are on unless
//! `--no-metrics`; `--metrics-listen` serves them (and the health and
//! readiness checks) on a listener of their own.

use std::net::SocketAddr;

use clap::Args;
use switchboard::catalog::Readiness;

use crate::HostInfo;
use crate::telemetry::{self, Metrics};
use crate::tools::CommandError;

/// `--no-metrics`, `--metrics-listen`.
#[derive(Debug, Clone, Args)]
pub(crate) struct MetricsArgs {
    /// Record no metrics: no call is timed, no `GET /metrics` is served.
    #[arg(long, env = "SWITCHBOARD_NO_METRICS")]
    no_metrics: bool,
    /// Also serve `GET /metrics`, `/healthz` and `/readyz` on this address
    /// (HOST:PORT): for a process that serves no HTTP, such as a queue
    /// consumer or an AMQP worker.
    #[arg(long, env = "SWITCHBOARD_METRICS_LISTEN", value_name = "ADDR")]
    metrics_listen: Option<SocketAddr>,
}

impl MetricsArgs {
    /// Installs the metrics unless `--no-metrics`, and starts the
    /// `--metrics-listen` listener answering `readiness`.
    pub(crate) async fn start(
        &self,
        info: &HostInfo,
        readiness: &Readiness,
    ) -> Result<Metrics, CommandError> {
        let metrics = Metrics::new(info, !self.no_metrics);
        if let Some(addr) = self.metrics_listen {
            let page = metrics.page().cloned();
            let bound = telemetry::listen(addr, page, readiness.clone())
                .await
                .map_err(|err| CommandError::Tool(Box::new(err)))?;
            println!("metrics listening on http://{bound}/metrics");
        }
        Ok(metrics)
    }
}
