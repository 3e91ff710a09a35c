//! `--metrics-listen ADDR`: `GET /metrics`, `/healthz` and `/readyz` on a
//! listener of their own, for processes that serve no HTTP (a queue
//! consumer, an AMQP-only worker) or keep their metrics off the public
//! port.

use std::net::SocketAddr;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use switchboard::catalog::{MetricsPage, Readiness};
use tokio::net::TcpListener;

/// The metrics listener could not listen.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {addr} for metrics: {source}")]
pub struct MetricsListenError {
    addr: SocketAddr,
    #[source]
    source: std::io::Error,
}

/// Listens on `addr` and serves `page` (when metrics are on) and
/// `readiness` there until the process ends; returns the bound address
/// (the port picked, for `:0`).
///
/// # Errors
/// [`MetricsListenError`] if the address cannot be bound.
pub async fn listen(
    addr: SocketAddr,
    page: Option<MetricsPage>,
    readiness: Readiness,
) -> Result<SocketAddr, MetricsListenError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| MetricsListenError { addr, source })?;
    let bound = listener.local_addr().unwrap_or(addr);
    let mut router = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route(
            "/readyz",
            get(move || std::future::ready(readyz(&readiness))),
        );
    if let Some(page) = page {
        router = router.route("/metrics", get(move || std::future::ready(metrics(&page))));
    }
    tracing::info!(%bound, "metrics listening");
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, router).await {
            tracing::warn!(error = %err, "the metrics listener stopped");
        }
    });
    Ok(bound)
}

fn readyz(readiness: &Readiness) -> Response {
    let report = readiness.report();
    let status =
        StatusCode::from_u16(report.http_status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        report.to_json(),
    )
        .into_response()
}

fn metrics(page: &MetricsPage) -> Response {
    let content_type = MetricsPage::CONTENT_TYPE;
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type)],
        page.render(),
    )
        .into_response()
}

impl crate::tools::ToolError for MetricsListenError {
    /// 4: like any listen address that cannot be bound.
    fn exit(&self) -> crate::tools::Exit {
        crate::tools::Exit::Local
    }
}
