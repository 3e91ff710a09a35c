//! [`ReplyQueue`]: one broker-named exclusive auto-delete queue per call,
//! consumed until its one reply comes: Postage's scheme, for servers that
//! answer `reply_to` without the caller's `correlation_id`.
//!
//! The queue is declared and consumed before the request is published, so
//! a reply cannot come before anyone listens. Whatever arrives first on it
//! is the reply; the queue is cancelled (and so deleted by the broker)
//! once the call stops waiting, so a reply that comes later has nowhere to
//! go and is dropped by the broker, as Postage's late replies are.

use std::time::Instant;

use bytes::Bytes;
use futures_util::StreamExt;
use lapin::options::{BasicCancelOptions, BasicConsumeOptions};
use lapin::types::{FieldTable, ShortString};
use lapin::{Channel, Consumer};
use switchboard::TransportError;

use super::link::Link;
use crate::error::AmqpError;
use crate::topology::{QueueSpec, declare_queue};

/// A call's own reply queue, consumed.
#[derive(Debug)]
pub(crate) struct ReplyQueue {
    /// The broker's name for it: the request's `reply_to`.
    pub(crate) name: ShortString,
    channel: Channel,
    consumer: Consumer,
}

impl ReplyQueue {
    /// Declares a private queue on `link`'s channel and consumes it.
    ///
    /// # Errors
    /// [`TransportError::Io`] if the channel is gone (the link is then
    /// marked dead, so the next call reconnects).
    pub(crate) async fn open(link: &Link) -> Result<Self, TransportError> {
        let dead = |err: AmqpError| {
            link.kill();
            TransportError::Io(Box::new(err))
        };
        let name = declare_queue(&link.channel, &QueueSpec::private(), false)
            .await
            .map_err(dead)?;
        let name = ShortString::from(name);
        // no_ack: the queue is ours alone and gone after one reply.
        let options = BasicConsumeOptions {
            no_ack: true,
            ..BasicConsumeOptions::default()
        };
        let consumer = link
            .channel
            .basic_consume(name.clone(), "".into(), options, FieldTable::default())
            .await
            .map_err(|err| dead(AmqpError::channel("basic.consume")(err)))?;
        Ok(Self {
            name,
            channel: link.channel.clone(),
            consumer,
        })
    }

    /// The first message on the queue, waiting until `deadline` (forever
    /// without one).
    ///
    /// # Errors
    /// [`TransportError::Timeout`] past the deadline;
    /// [`TransportError::Io`] if the consumer ended first (the connection
    /// or channel dropped).
    pub(crate) async fn first(
        mut self,
        deadline: Option<Instant>,
    ) -> Result<Bytes, TransportError> {
        let next = self.consumer.next();
        let next = match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline.into(), next)
                .await
                .map_err(|_| TransportError::Timeout)?,
            None => next.await,
        };
        match next {
            Some(Ok(delivery)) => Ok(Bytes::from(delivery.data)),
            Some(Err(err)) => Err(TransportError::Io(Box::new(err))),
            None => Err(TransportError::Io(
                "the connection dropped before the reply came".into(),
            )),
        }
    }
}

impl Drop for ReplyQueue {
    /// Cancels the consumer, so the broker deletes the auto-delete queue
    /// now rather than when the connection closes. Done in a task: drop
    /// cannot wait, and a failed cancel only means the queue goes with the
    /// connection instead.
    fn drop(&mut self) {
        let (channel, tag) = (self.channel.clone(), self.consumer.tag());
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(err) = channel
                    .basic_cancel(tag, BasicCancelOptions::default())
                    .await
                {
                    tracing::debug!(error = %err, "reply queue consumer not cancelled; it goes with the connection");
                }
            });
        }
    }
}
