//! The accept loop: one hyper HTTP/1 connection per socket, with the head
//! size and head timeout limits, and graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use switchboard::TransportError;
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::config::HttpConfig;

/// Pause after a failed `accept` (out of file descriptors, usually), so the
/// loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

pub(crate) async fn run<F>(
    listener: TcpListener,
    router: Router,
    config: &HttpConfig,
    shutdown: F,
) -> Result<(), TransportError>
where
    F: Future<Output = ()> + Send + 'static,
{
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout)
        .max_buf_size(config.max_header_bytes.max(HttpConfig::MIN_HEADER_BYTES));
    tokio::pin!(shutdown);
    let name = match listener.local_addr() {
        Ok(addr) => {
            tracing::info!(%addr, "http server listening");
            format!("http {addr}")
        }
        Err(_) => "http".to_owned(),
    };
    // Bound and accepting: ready, until shutdown begins.
    let probe = config.readiness.probe(name);
    probe.set_ready();
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => {
                probe.set_not_ready("shutting down");
                break;
            }
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    tracing::warn!(error = %err, "accept failed; retrying");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        // Latency matters more than packet count for RPC replies.
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request
                .extensions_mut()
                .insert(ConnectInfo::<SocketAddr>(peer));
            router.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tracing::info!("http server shutting down; waiting for requests in flight");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("http server stopped"),
        () = tokio::time::sleep(config.shutdown_grace) => {
            tracing::warn!("shutdown grace period over; dropping open connections");
        }
    }
    Ok(())
}
