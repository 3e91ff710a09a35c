//! The in-process loopback transport: client and server in one process, with
//! every request going through the full byte pipeline (rpclib's
//! `NullServer`). For tests, examples and benchmarks; nothing leaves the
//! process.
//!
//! Two shapes:
//!
//! - [`LocalClient::direct`] runs the pipeline inside the caller's task (the
//!   cheapest path, used to measure the pipeline itself); a one-way call
//!   returns once it has run, since there is no queue to accept it into;
//! - [`pair`] gives a client and a [`LocalListener`] joined by a channel, the
//!   listener being a real [`ServerTransport`] with graceful shutdown.

use std::fmt;
use std::future::Future;

use async_trait::async_trait;
use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use crate::context::{RequestInfo, TransportFacts};
use crate::server::{Response, Server};
use crate::transport::{ClientTransport, OutgoingRequest, ServerTransport, TransportError};

/// How many requests may wait in a [`pair`]'s channel.
pub const DEFAULT_CHANNEL_CAPACITY: usize = 64;

type Pending = (RequestInfo, oneshot::Sender<Response>);

/// The client half of the loopback transport.
#[derive(Clone)]
pub struct LocalClient {
    route: Route,
}

#[derive(Clone)]
enum Route {
    Direct(Server),
    Channel(mpsc::Sender<Pending>),
}

impl LocalClient {
    /// A client whose requests run through `server` in the caller's task.
    pub fn direct(server: Server) -> Self {
        Self {
            route: Route::Direct(server),
        }
    }

    async fn exchange(&self, request: RequestInfo) -> Result<Response, TransportError> {
        match &self.route {
            Route::Direct(server) => Ok(server.process(request).await),
            Route::Channel(sender) => {
                let (reply_tx, reply_rx) = oneshot::channel();
                sender
                    .send((request, reply_tx))
                    .await
                    .map_err(|_| TransportError::Closed)?;
                reply_rx.await.map_err(|_| TransportError::Closed)
            }
        }
    }
}

#[async_trait]
impl ClientTransport for LocalClient {
    async fn send(&self, request: OutgoingRequest) -> Result<Option<Bytes>, TransportError> {
        let mut info = RequestInfo::new(request.body, TransportFacts::NONE);
        info.deadline = request.deadline;
        // Carried like on every other transport (a signed call's signature).
        info.headers = request.headers;
        let response = self.exchange(info).await?;
        if request.one_way {
            return Ok(None);
        }
        Ok(response.body.map(Bytes::from))
    }
}

impl fmt::Debug for LocalClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let route = match self.route {
            Route::Direct(_) => "direct",
            Route::Channel(_) => "channel",
        };
        f.debug_struct("LocalClient")
            .field("route", &route)
            .finish()
    }
}

/// The server half of [`pair`]: a [`ServerTransport`] fed by a channel.
#[derive(Debug)]
pub struct LocalListener {
    receiver: mpsc::Receiver<Pending>,
}

/// A connected client and listener, with room for `capacity` waiting requests.
pub fn pair(capacity: usize) -> (LocalClient, LocalListener) {
    let (sender, receiver) = mpsc::channel(capacity.max(1));
    let client = LocalClient {
        route: Route::Channel(sender),
    };
    (client, LocalListener { receiver })
}

impl ServerTransport for LocalListener {
    async fn serve<F>(mut self, server: Server, shutdown: F) -> Result<(), TransportError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        {
            let mut tasks = tokio::task::JoinSet::new();
            tokio::pin!(shutdown);
            loop {
                tokio::select! {
                    () = &mut shutdown => break,
                    next = self.receiver.recv() => {
                        let Some((request, reply)) = next else { break };
                        let server = server.clone();
                        tasks.spawn(async move {
                            // The caller may have given up; nothing to do then.
                            let _ = reply.send(server.process(request).await);
                        });
                    }
                }
            }
            // Graceful: requests already taken finish before we return.
            while tasks.join_next().await.is_some() {}
            tracing::info!("local listener stopped");
            Ok(())
        }
    }
}
