//! The hand-written SOAP `echo` endpoint: the same quick-xml handler the
//! SOAP crate's in-process pipeline bench compares against (it streams
//! the whole request through the namespace-aware reader, refusing a
//! DOCTYPE and bounding the depth, checks the envelope's namespace, takes
//! the text of `echo/s` and writes the reply envelope, escaped), behind
//! axum.

use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

#[path = "../../../../protocols/soap/benches/common/by_hand.rs"]
mod by_hand;

/// `POST /soap` for `echo` only.
pub(crate) async fn echo(body: Bytes) -> Response {
    match by_hand::handle(&body) {
        Some(out) => ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], out).into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
