//! Serving on several transports at once: what each gets
//! ([`ServeSettings`]), what it gives back once bound ([`Bound`]), and
//! [`serve_all`], which runs them side by side under one shutdown signal.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::{Pin, pin};

use switchboard::{Application, TransportError};
use switchboard_http::{HttpConfig, RouteError};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::catalog::{Entry, Protocol, Transport};

/// A boxed future that can move between threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What `serve` gives every transport.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    /// The application to serve.
    pub app: Application,
    /// The protocols to offer, in order.
    pub protocols: Vec<&'static Protocol>,
    /// The address the HTTP transport listens on.
    pub listen: SocketAddr,
    /// HTTP limits, timeouts, authentication and public URL.
    pub http: HttpConfig,
    /// The broker, queue and prefetch of the AMQP transport.
    pub amqp: super::amqp::AmqpServeSettings,
}

/// How a bound transport serves: until the shutdown future completes.
type ServeFn = Box<
    dyn FnOnce(BoxFuture<'static, ()>) -> BoxFuture<'static, Result<(), TransportError>> + Send,
>;

/// A transport ready to serve: what it tells the user, and the serving.
pub struct Bound {
    banner: Vec<String>,
    http_url: Option<String>,
    serve: ServeFn,
}

impl Bound {
    /// A transport that shows `banner` and serves with `serve`, which must
    /// stop taking requests once its shutdown future completes, finish
    /// those in flight, and return `Ok(())`.
    pub fn new(
        banner: Vec<String>,
        serve: impl FnOnce(BoxFuture<'static, ()>) -> BoxFuture<'static, Result<(), TransportError>>
        + Send
        + 'static,
    ) -> Self {
        Self {
            banner,
            http_url: None,
            serve: Box::new(serve),
        }
    }

    /// Records the base URL the transport answers HTTP on (the address it
    /// bound, `http://127.0.0.1:8080`).
    #[must_use]
    pub fn with_http_url(mut self, url: String) -> Self {
        self.http_url = Some(url);
        self
    }

    /// Lines for the `serve` banner: where it listens, what answers where.
    pub fn banner(&self) -> &[String] {
        &self.banner
    }

    /// The base URL the transport answers HTTP on, if it is an HTTP one.
    pub fn http_url(&self) -> Option<&str> {
        self.http_url.as_deref()
    }
}

impl std::fmt::Debug for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bound")
            .field("banner", &self.banner)
            .field("http_url", &self.http_url)
            .finish_non_exhaustive()
    }
}

/// Why `serve` could not set up a transport, or why one stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The HTTP routes could not be built (two methods bind one route).
    #[error("cannot set up HTTP")]
    Route(#[from] RouteError),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A transport stopped with an error while serving.
    #[error("the {transport} transport stopped")]
    Stopped {
        /// The transport's name.
        transport: &'static str,
        /// Why.
        #[source]
        source: TransportError,
    },
}

/// Serves every bound transport until `shutdown` completes, then lets each
/// finish its requests in flight. If one stops with an error, the others
/// are shut down too and that error is returned.
///
/// # Errors
/// [`ServeError::Stopped`], from the first transport that failed.
///
/// # Panics
/// If a transport panics (the panic goes on); when not polled inside a
/// Tokio runtime.
pub async fn serve_all(
    transports: Vec<(&'static Transport, Bound)>,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServeError> {
    let (stop, stopped) = watch::channel(false);
    let mut running = JoinSet::new();
    for (transport, bound) in transports {
        let mut stopped = stopped.clone();
        let signal: BoxFuture<'static, ()> = Box::pin(async move {
            // `Err`: the sender is gone, which also means stop.
            let _ = stopped.wait_for(|stop| *stop).await;
        });
        let name = transport.name();
        running.spawn(async move {
            (bound.serve)(signal)
                .await
                .map_err(|source| ServeError::Stopped {
                    transport: name,
                    source,
                })
        });
    }
    let mut shutdown = pin!(shutdown);
    let mut stopping = false;
    let mut failed = None;
    loop {
        tokio::select! {
            () = &mut shutdown, if !stopping => {
                stopping = true;
                stop.send_replace(true);
            }
            joined = running.join_next() => match joined {
                None => break,
                Some(Ok(Ok(()))) => {}
                Some(Ok(Err(err))) => {
                    tracing::error!(error = %err, "a transport failed; stopping the others");
                    failed.get_or_insert(err);
                    stopping = true;
                    stop.send_replace(true);
                }
                Some(Err(join)) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
                // Cancelled: the runtime is going down, and this with it.
                Some(Err(_)) => {}
            }
        }
    }
    failed.map_or(Ok(()), Err)
}
