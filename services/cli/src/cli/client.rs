//! The client of `call` and the gridmap tools: HTTP to the server's base
//! URL, in a protocol of the catalog, at that protocol's mount.

use std::sync::Arc;

use switchboard::Client;
use switchboard_cli::catalog::{CatalogError, Entry, Protocol};
use switchboard_http::HttpClient;

use super::error::CliError;

/// A client calling the server at `url` (`http://127.0.0.1:8080`) in
/// `protocol`, sending `Authorization: Bearer <token>` if given.
///
/// # Errors
/// [`CliError::Catalog`] for a protocol that cannot be called,
/// [`CliError::HttpClient`] if the HTTP stack cannot be set up.
pub(crate) fn http(
    url: &str,
    protocol: &Protocol,
    token: Option<&str>,
) -> Result<Client, CliError> {
    let codec = protocol.client()?;
    let (endpoint, method_in_path) = protocol
        .mount()
        .client_endpoint(url)
        .ok_or(CatalogError::NoClient(protocol.name()))?;
    let mut transport = HttpClient::new(endpoint)
        .map_err(CliError::HttpClient)?
        .with_method_in_path(method_in_path);
    if let Some(token) = token {
        transport = transport.with_bearer_token(token);
    }
    Ok(Client::new(Arc::new(transport), codec))
}
