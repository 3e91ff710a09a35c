//! The shutdown signal of the long-running commands (`serve`, `consume`):
//! SIGINT or SIGTERM (Ctrl-C elsewhere).

use std::future::Future;

/// Installs the SIGINT and SIGTERM handlers now (before a banner tells
/// anyone the command runs, so an early signal still stops it gracefully)
/// and returns a future that completes on either.
///
/// # Errors
/// The system's error if a handler cannot be installed.
pub fn signal() -> Result<impl Future<Output = ()> + Send + 'static, std::io::Error> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
            tracing::info!("shutdown requested");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutdown requested");
        })
    }
}
