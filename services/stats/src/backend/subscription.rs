//! [`Subscription`]: the notifications as they come, each decoded, and the
//! wait for one sensor's.

use std::time::Duration;

use switchboard::TransportError;
use switchboard::catalog::bus;

use super::BackendError;
use crate::model::Notification;

/// A live subscription to the notifications.
#[derive(Debug)]
pub struct Subscription {
    inner: Box<dyn bus::Subscription>,
}

impl Subscription {
    pub(super) fn new(inner: Box<dyn bus::Subscription>) -> Self {
        Self { inner }
    }

    /// The next notification; a message that is not one is skipped (and
    /// logged at `debug`).
    ///
    /// # Errors
    /// [`BackendError::Closed`] if the subscription ended.
    pub async fn next(&mut self) -> Result<Notification, BackendError> {
        loop {
            let body = match self.inner.next().await {
                Ok(body) => body,
                Err(TransportError::Closed) => return Err(BackendError::Closed),
                Err(err) => return Err(err.into()),
            };
            match serde_json::from_slice::<Notification>(&body) {
                Ok(notification) => return Ok(notification),
                Err(err) => tracing::debug!(error = %err, "not a notification; skipped"),
            }
        }
    }

    /// Waits up to `timeout` for the notification that statistics are
    /// ready for `sensor`; `Ok(false)` if none came in time.
    ///
    /// # Errors
    /// [`BackendError::Closed`] if the subscription ended.
    pub async fn wait_for(
        &mut self,
        sensor: &str,
        timeout: Duration,
    ) -> Result<bool, BackendError> {
        let wait = async {
            loop {
                let notification = self.next().await?;
                if notification.task == Notification::STATISTICS && notification.sensor == sensor {
                    return Ok::<_, BackendError>(());
                }
            }
        };
        match tokio::time::timeout(timeout, wait).await {
            Ok(result) => result.map(|()| true),
            Err(_) => Ok(false),
        }
    }
}
