//! This crate's entries in the protocol catalog
//! ([`switchboard::catalog`]): `jsonrpc`, `json` and `rest`, so that
//! linking the crate is all a host needs to list, mount and call them.

use std::sync::Arc;

use switchboard::catalog::{HttpMount, ProtocolEntry, inventory};

use crate::{JsonDocument, JsonRpc};

/// The media type of both JSON protocols.
const JSON: &str = "application/json";

inventory::submit! {
    ProtocolEntry::new("jsonrpc", "JSON-RPC 2.0", JSON, |_| JsonRpc.into())
        .rank(10)
        .mount(HttpMount::Endpoint { path: "/jsonrpc", method_in_path: false })
        .client(|_| Arc::new(JsonRpc))
}

inventory::submit! {
    ProtocolEntry::new(
        "json",
        "the JSON document: {\"method\": params}, or bare params",
        JSON,
        |_| JsonDocument.into(),
    )
    .rank(20)
    .mount(HttpMount::Endpoint { path: "/json", method_in_path: true })
    .client(|_| Arc::new(JsonDocument))
}

inventory::submit! {
    ProtocolEntry::new(
        "rest",
        "the methods' REST route bindings, in JSON; serve only",
        JSON,
        |_| JsonDocument.into(),
    )
    .rank(30)
    .mount(HttpMount::Rest)
}

#[cfg(test)]
mod tests {
    use switchboard::catalog::{self, HttpMount};

    #[test]
    fn the_entries_agree_with_their_protocols() {
        for name in ["jsonrpc", "json", "rest"] {
            let entry = catalog::protocol(name).expect("linked");
            let settings = switchboard::catalog::TypedSettings::default();
            let protocols = entry.server(&settings);
            assert_eq!(protocols.input.content_type(), entry.media_type(), "{name}");
            assert_eq!(
                protocols.output.content_type(),
                entry.media_type(),
                "{name}"
            );
            if let Some(client) = entry.client_protocol(&settings) {
                assert_eq!(client.content_type(), entry.media_type(), "{name}");
            }
            match entry.http_mount() {
                Some(HttpMount::Endpoint { method_in_path, .. }) => {
                    assert!(entry.is_callable(), "{name}");
                    assert!(!method_in_path || protocols.input.accepts_named_method());
                }
                Some(HttpMount::Rest) => {
                    assert!(!entry.is_callable(), "{name}");
                    assert!(protocols.input.accepts_named_method(), "{name}");
                }
                _ => unreachable!("{name} is mounted"),
            }
        }
        let names: Vec<&str> = catalog::protocols().iter().map(|p| p.name()).collect();
        assert_eq!(names, ["jsonrpc", "json", "rest"]);
    }
}
