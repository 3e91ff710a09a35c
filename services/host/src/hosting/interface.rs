//! What the interface documents of a hosted application say about
//! themselves: the title (the host and its services), the version (the
//! host's), the public base URL, and the auth scheme — the same whether
//! `serve` publishes them or `interface` writes them.

use switchboard::Application;
use switchboard::catalog::ProtocolEntry;
use switchboard::interface::DocumentInfo;
use switchboard_http::HttpConfig;
use switchboard_json::openrpc::discover;

use crate::HostInfo;
use crate::catalog::DocumentContext;

/// The documents' info for `services` of `host` (sorted, so the order
/// they were named in does not matter), with links under `public_url` if
/// given: the title is `HOST: service, service`.
pub fn document_info<'a>(
    host: &HostInfo,
    services: impl IntoIterator<Item = &'a str>,
    public_url: Option<&str>,
) -> DocumentInfo {
    let mut names: Vec<&str> = services.into_iter().collect();
    names.sort_unstable();
    names.dedup();
    let title = format!("{}: {}", host.name(), names.join(", "));
    let info = DocumentInfo::new(title, host.version());
    match public_url {
        Some(url) => info.with_base_url(url),
        None => info,
    }
}

/// The documents' info for the services `app` serves (`rpc.discover`,
/// a protocol's own method, is not one).
pub fn document_info_of(
    host: &HostInfo,
    app: &Application,
    public_url: Option<&str>,
) -> DocumentInfo {
    let services = app
        .methods()
        .filter(|m| m.name != discover::METHOD_NAME)
        .map(|m| m.service);
    document_info(host, services, public_url)
}

/// The context of the documents of a server for `app` with `protocols`
/// and `config` (its public URL and auth).
pub fn document_context<'a>(
    host: &HostInfo,
    app: &Application,
    protocols: impl IntoIterator<Item = &'a ProtocolEntry>,
    config: &HttpConfig,
) -> DocumentContext<'a> {
    DocumentContext {
        info: document_info_of(host, app, config.public_url.as_deref()),
        host: host.clone(),
        protocols: protocols.into_iter().collect(),
        auth: config.auth.clone(),
        server_url: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_names_the_host_and_its_services_in_order() {
        let host = HostInfo::new("parcels", "2.0.1");
        let info = document_info(
            &host,
            ["track", "admin", "admin"],
            Some("https://h.example/"),
        );
        assert_eq!(info.title, "parcels: admin, track");
        assert_eq!(info.version, "2.0.1");
        assert_eq!(info.link("/docs"), "https://h.example/docs");
        assert_eq!(document_info(&host, ["admin"], None).link("/docs"), "/docs");
    }
}
