//! Serving on several transports at once: [`bind_all`] binds each
//! address with the shared [`ServeSettings`], and [`serve_all`] runs them
//! side by side under one shutdown signal.

use std::future::Future;
use std::pin::pin;

use switchboard::TransportError;
use switchboard::catalog::{self, Address, BindError, Bound, BoxFuture, ServeSettings};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Why `serve` could not set up a transport, or why one stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// A transport could not be bound (an address no transport takes, a
    /// port in use, a broker that does not answer).
    #[error("cannot serve on {address}")]
    Bind {
        /// The address, password masked.
        address: String,
        /// Why.
        #[source]
        source: BindError,
    },
    /// A transport stopped with an error while serving.
    #[error("the {transport} transport stopped")]
    Stopped {
        /// The transport's name.
        transport: String,
        /// Why.
        #[source]
        source: TransportError,
    },
}

/// Binds the transport of every address, in order, with `settings`: all
/// are bound (listening, declared, opened) before any serves, so a
/// mistake stops the command before its banner.
///
/// # Errors
/// [`ServeError::Bind`] for the first address that cannot be bound.
pub async fn bind_all(
    addresses: &[Address],
    settings: &ServeSettings,
) -> Result<Vec<(String, Bound)>, ServeError> {
    let mut bound = Vec::with_capacity(addresses.len());
    for address in addresses {
        let failed = |source| ServeError::Bind {
            address: address.to_string(),
            source,
        };
        let transport = catalog::transport_for(address).map_err(|err| failed(err.into()))?;
        let serving = transport
            .bind_at(address.clone(), settings.clone())
            .await
            .map_err(failed)?;
        bound.push((transport.name().to_owned(), serving));
    }
    Ok(bound)
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
    transports: Vec<(String, Bound)>,
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
        running.spawn(async move {
            bound
                .serve(signal)
                .await
                .map_err(|source| ServeError::Stopped { transport, source })
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
