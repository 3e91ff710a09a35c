//! What the interface documents of a hosted application say about
//! themselves: the title (the services), the version (this command's),
//! the public base URL, and the auth scheme — the same whether `serve`
//! publishes them or `switchboard interface` writes them.

use switchboard::Application;
use switchboard::interface::DocumentInfo;
use switchboard_http::HttpConfig;
use switchboard_json::openrpc::discover;

use crate::catalog::{DocumentContext, Protocol};

/// The version every document states: this command's.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The documents' info for `services` (sorted, so the order they were
/// named in does not matter), with links under `public_url` if given.
pub fn document_info<'a>(
    services: impl IntoIterator<Item = &'a str>,
    public_url: Option<&str>,
) -> DocumentInfo {
    let mut names: Vec<&str> = services.into_iter().collect();
    names.sort_unstable();
    names.dedup();
    let info = DocumentInfo::new(format!("switchboard: {}", names.join(", ")), VERSION);
    match public_url {
        Some(url) => info.with_base_url(url),
        None => info,
    }
}

/// The documents' info for the services `app` serves (`rpc.discover`,
/// a protocol's own method, is not one).
pub fn document_info_of(app: &Application, public_url: Option<&str>) -> DocumentInfo {
    let services = app
        .methods()
        .filter(|m| m.name != discover::METHOD_NAME)
        .map(|m| m.service);
    document_info(services, public_url)
}

/// The context of the documents of a server for `app` with `protocols`
/// and `config` (its public URL and auth).
pub fn document_context<'a>(
    app: &Application,
    protocols: impl IntoIterator<Item = &'a Protocol>,
    config: &HttpConfig,
) -> DocumentContext<'a> {
    DocumentContext {
        info: document_info_of(app, config.public_url.as_deref()),
        protocols: protocols.into_iter().collect(),
        auth: config.auth.clone(),
        server_url: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_names_the_services_in_order_whatever_order_they_came_in() {
        let info = document_info(["gridmap", "demo", "demo"], Some("https://h.example/"));
        assert_eq!(info.title, "switchboard: demo, gridmap");
        assert_eq!(info.version, VERSION);
        assert_eq!(info.link("/docs"), "https://h.example/docs");
        assert_eq!(document_info(["demo"], None).link("/docs"), "/docs");
    }
}
