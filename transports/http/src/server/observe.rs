//! Admission and observation of each request: a slot among
//! `max_concurrent_requests`, and one `tracing` span with the method, path,
//! status and latency. Both cost next to nothing when tracing is off, which
//! `tower_http`'s trace layer and `tower`'s concurrency limit did not.

use std::future::Future;
use std::time::Instant;

use axum::extract::Request;
use axum::response::Response;
use switchboard::telemetry::{self, Rejection};
use tracing::Instrument;

use super::Shared;

/// Runs `handler` on `request` once a slot is free, inside a span for the
/// request.
pub(crate) async fn observed<F, Fut>(shared: &Shared, request: Request, handler: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    if shared.config.draining.is_on() {
        telemetry::rejected(Rejection::Draining, "http");
        return super::status::draining();
    }
    // A free slot is taken without queueing; the semaphore is never
    // closed, so acquiring only fails if it were.
    let permit = match shared.slots.try_acquire() {
        Ok(permit) => Ok(permit),
        Err(_) => shared.slots.acquire().await,
    };
    let Ok(_permit) = permit else {
        return super::status::empty(http::StatusCode::SERVICE_UNAVAILABLE);
    };
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return handler(request).await;
    }
    let started = Instant::now();
    let span =
        tracing::debug_span!("http", method = %request.method(), path = request.uri().path());
    let response = handler(request).instrument(span.clone()).await;
    let _entered = span.enter();
    tracing::debug!(
        status = response.status().as_u16(),
        latency_us = started.elapsed().as_micros() as u64,
        "answered"
    );
    response
}
