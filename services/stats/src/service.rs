//! [`StatsService`]: the state the stats methods share: the store, the
//! backend, and the API the worker reports to.

use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use switchboard_http::RestClient;

use crate::backend::Backend;
use crate::settings::{DEFAULT_API_SERVER, Settings};
use crate::store::SensorStore;

/// What the stats methods share, given to the application as state by
/// [`setup`](crate::setup).
#[derive(Debug)]
pub struct StatsService {
    pub(crate) store: SensorStore,
    pub(crate) backend: Backend,
    api: RwLock<Api>,
    pub(crate) pending_timeout: Duration,
}

#[derive(Debug)]
struct Api {
    client: RestClient,
    configured: bool,
}

impl StatsService {
    /// The service over `store` and `backend`, reporting to the API
    /// `settings` names.
    ///
    /// # Errors
    /// [`switchboard_http::HttpClientError`] if the HTTP stack cannot be
    /// set up.
    pub fn new(
        store: SensorStore,
        backend: Backend,
        settings: &Settings,
    ) -> Result<Self, switchboard_http::HttpClientError> {
        let url = settings.api_server.as_deref().unwrap_or(DEFAULT_API_SERVER);
        Ok(Self {
            store,
            backend,
            api: RwLock::new(Api {
                client: RestClient::new(url)?,
                configured: settings.api_server.is_some(),
            }),
            pending_timeout: settings.pending_timeout,
        })
    }

    /// The backend.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The store.
    pub fn store(&self) -> &SensorStore {
        &self.store
    }

    /// Reports to `url` unless an API server was configured: for a host
    /// that learns its own address once bound (`serve --listen :0`).
    pub fn default_api_server(&self, url: &str) {
        let mut api = self.api.write().unwrap_or_else(PoisonError::into_inner);
        if api.configured {
            return;
        }
        match RestClient::new(url) {
            Ok(client) => api.client = client,
            Err(err) => tracing::warn!(error = %err, url, "cannot report to this API"),
        }
    }

    /// The client of the API the worker reports to.
    pub(crate) fn api(&self) -> RestClient {
        self.api
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .client
            .clone()
    }
}
