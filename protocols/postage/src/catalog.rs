//! This crate's entry in the protocol catalog ([`switchboard::catalog`]):
//! `postage`, mounted on HTTP at `POST /postage` (JSON-RPC, also
//! `application/json`, keeps `/jsonrpc`; on a queue, the address's
//! `protocol=postage` says which one the messages are).
//!
//! The host's process [`Fingerprint`] in the typed settings, if it stores
//! one, is the one results and commands carry.

use std::sync::Arc;

use switchboard::Fingerprint;
use switchboard::catalog::{HttpMount, ProtocolEntry, TypedSettings, inventory};

use crate::{MEDIA_TYPE, Postage};

/// The protocol for a host with `settings`.
fn configured(settings: &TypedSettings) -> Postage {
    match settings.get::<Fingerprint>() {
        Some(fingerprint) => Postage::new().with_fingerprint(fingerprint),
        None => Postage::new(),
    }
}

inventory::submit! {
    ProtocolEntry::new(
        "postage",
        "Postage's message dictionary: command messages in, result messages out",
        MEDIA_TYPE,
        |settings| configured(settings).into(),
    )
    .rank(50)
    .mount(HttpMount::Endpoint { path: "/postage", method_in_path: false })
    .client(|settings| Arc::new(configured(settings)))
}

#[cfg(test)]
mod tests {
    use switchboard::catalog::{self, HttpMount, TypedSettings};

    #[test]
    fn the_entry_agrees_with_its_protocol() {
        let entry = catalog::protocol("postage").expect("linked");
        let settings = TypedSettings::default();
        let protocols = entry.server(&settings);
        assert_eq!(protocols.input.content_type(), entry.media_type());
        assert_eq!(protocols.output.content_type(), entry.media_type());
        assert_eq!(protocols.input.name(), "postage");
        let client = entry.client_protocol(&settings).expect("callable");
        assert_eq!(client.content_type(), entry.media_type());
        assert_eq!(
            entry.http_mount(),
            Some(HttpMount::Endpoint {
                path: "/postage",
                method_in_path: false
            })
        );
        assert!(!protocols.input.accepts_named_method());
    }
}
