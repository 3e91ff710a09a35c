//! Reading a request body within the size limit and the time limit, and
//! checking its media type. Hyper has no body timeout of its own: a client
//! that stalls mid-body is cut off here.

use std::future::Future;
use std::task::Poll;
use std::time::Instant;

use axum::body::Body;
use http::{HeaderMap, header};
use http_body_util::BodyExt;
use switchboard::protocol::same_media_type;
use switchboard::{Fault, InProtocol, code};

use super::status::BODY_TIMEOUT;

/// Reads the whole body: at most `limit` bytes, finished before `deadline`.
///
/// # Errors
/// `Client.LimitExceeded` if the body is (or says it is) too large,
/// `Client.Timeout` if it did not arrive in time, `Client.Malformed` if the
/// connection broke mid-body.
pub(crate) async fn read(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    deadline: Instant,
) -> Result<bytes::Bytes, Fault> {
    let too_large = || {
        Fault::new(
            code::LIMIT_EXCEEDED,
            format!("request body size exceeds the limit of {limit}"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    let mut collect = std::pin::pin!(http_body_util::Limited::new(body, limit).collect());
    // A small body arrives with the head, and hyper hands it over in the
    // same task as soon as this future first yields: it needs no timer (a
    // registration in the runtime's timer wheel, and its removal). So the
    // first wait is a yield, and the timer is armed only for a body still
    // missing after it.
    let mut yielded = false;
    let early = std::future::poll_fn(|cx| match collect.as_mut().poll(cx) {
        Poll::Ready(result) => Poll::Ready(Some(result)),
        Poll::Pending if !yielded => {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        Poll::Pending => Poll::Ready(None),
    })
    .await;
    let outcome = match early {
        Some(result) => Ok(result),
        None => tokio::time::timeout_at(deadline.into(), collect).await,
    };
    match outcome {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(err)) if err.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Ok(Err(err)) => {
            tracing::debug!(error = %err, "request body broke off");
            Err(Fault::new(code::MALFORMED, "the request body was cut off"))
        }
        Err(_) => Err(Fault::new(
            BODY_TIMEOUT,
            "the request body did not arrive before the request timeout",
        )),
    }
}

/// Checks that the request's media type is one `reads` accepts
/// (parameters such as `charset` are ignored); `expected` names the
/// media type in the refusal. A request without a `Content-Type` is
/// accepted.
///
/// # Errors
/// `Client.UnsupportedMediaType` naming the expected type.
pub(crate) fn check_media_type(
    headers: &HeaderMap,
    expected: &str,
    reads: impl FnOnce(&str) -> bool,
) -> Result<(), Fault> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let given = value.to_str().unwrap_or("");
    if reads(given) {
        return Ok(());
    }
    Err(Fault::new(
        code::UNSUPPORTED_MEDIA_TYPE,
        format!("expected a `{expected}` body, got `{given}`"),
    ))
}

/// Checks a request's media type against the protocol that reads it
/// ([`InProtocol::reads_media_type`]).
///
/// # Errors
/// As [`check_media_type`].
pub(crate) fn check_protocol_media_type(
    headers: &HeaderMap,
    protocol: &dyn InProtocol,
) -> Result<(), Fault> {
    check_media_type(headers, protocol.content_type(), |given| {
        protocol.reads_media_type(given)
    })
}

/// Checks that a request's media type is `expected`.
///
/// # Errors
/// As [`check_media_type`].
pub(crate) fn check_exact_media_type(headers: &HeaderMap, expected: &str) -> Result<(), Fault> {
    check_media_type(headers, expected, |given| same_media_type(given, expected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn media_types_compare_without_parameters() {
        let mut headers = HeaderMap::new();
        assert!(check_exact_media_type(&headers, "application/json").is_ok());
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("Application/JSON; charset=utf-8"),
        );
        assert!(check_exact_media_type(&headers, "application/json").is_ok());
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        let fault = check_exact_media_type(&headers, "application/json").unwrap_err();
        assert_eq!(fault.code(), "Client.UnsupportedMediaType");
        assert!(fault.message().contains("`application/json`"), "{fault:?}");
        // A protocol may read more than its own media type.
        let fault = check_media_type(&headers, "text/xml", |given| given == "text/plain");
        assert!(fault.is_ok());
    }
}
