//! The protocol catalog: every wire format the `switchboard` command
//! speaks, by name, with its server halves (in and out), its client half,
//! its media type and where HTTP mounts it. `serve`, `call`, `enqueue`,
//! `consume`, the gridmap tools and
//! [`hosting::http_server`](crate::hosting::http_server) all read it here:
//! a new protocol is one entry in [`PROTOCOLS`].

use std::sync::{Arc, OnceLock};

use switchboard::{ClientProtocol, Protocols};
use switchboard_json::{JsonDocument, JsonRpc};
use switchboard_soap::Soap;

use super::entry::{CatalogError, Entry, EntryParser, joined};

/// Every protocol, in the order `serve` mounts them by default.
pub static PROTOCOLS: &[Protocol] = &[
    Protocol {
        name: "jsonrpc",
        description: "JSON-RPC 2.0",
        media_type: "application/json",
        mount: HttpMount::Endpoint {
            path: "/jsonrpc",
            method_in_path: false,
        },
        server: || JsonRpc.into(),
        client: Some(|| Arc::new(JsonRpc)),
    },
    Protocol {
        name: "json",
        description: "the JSON document: {\"method\": params}, or bare params",
        media_type: "application/json",
        mount: HttpMount::Endpoint {
            path: "/json",
            method_in_path: true,
        },
        server: || JsonDocument.into(),
        client: Some(|| Arc::new(JsonDocument)),
    },
    Protocol {
        name: "rest",
        description: "the methods' REST route bindings, in JSON; serve only",
        media_type: "application/json",
        mount: HttpMount::Rest,
        server: || JsonDocument.into(),
        client: None,
    },
    Protocol {
        name: "soap",
        description: "SOAP 1.1, document/literal wrapped; its WSDL at GET /soap?wsdl",
        media_type: switchboard_soap::CONTENT_TYPE,
        mount: HttpMount::Endpoint {
            path: "/soap",
            method_in_path: false,
        },
        server: || Soap::new().into(),
        client: Some(|| Arc::new(Soap::new())),
    },
];

/// A protocol of the catalog.
#[derive(Debug)]
pub struct Protocol {
    name: &'static str,
    description: &'static str,
    media_type: &'static str,
    mount: HttpMount,
    server: fn() -> Protocols,
    client: Option<fn() -> Arc<dyn ClientProtocol>>,
}

/// Where the HTTP server mounts a protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpMount {
    /// An RPC endpoint at `POST {path}`.
    Endpoint {
        /// The endpoint's path (`/jsonrpc`).
        path: &'static str,
        /// Whether clients name the method in the path, `POST
        /// {path}/{method}` with bare params (the server mounts that path
        /// for every protocol with a bare-params form).
        method_in_path: bool,
    },
    /// The methods' own REST route bindings (`GET /api/maps/{slug}/`, ...).
    Rest,
}

impl HttpMount {
    /// The URL a client calls under `base` (`http://127.0.0.1:8080`) and
    /// whether it names the method in the path; `None` for REST, whose
    /// routes are per method.
    pub fn client_endpoint(&self, base: &str) -> Option<(String, bool)> {
        let base = base.trim_end_matches('/');
        match *self {
            Self::Endpoint {
                path,
                method_in_path,
            } => Some((format!("{base}{path}"), method_in_path)),
            Self::Rest => None,
        }
    }

    /// The mount as the `serve` banner shows it under `base`.
    pub fn describe(&self, base: &str) -> String {
        match *self {
            Self::Endpoint {
                path,
                method_in_path: false,
            } => format!("POST {base}{path}"),
            Self::Endpoint {
                path,
                method_in_path: true,
            } => format!("POST {base}{path}  or  POST {base}{path}/{{method}}"),
            Self::Rest => format!("{base}/api/..."),
        }
    }
}

impl Protocol {
    /// The media type of its requests and replies.
    pub fn media_type(&self) -> &'static str {
        self.media_type
    }

    /// Where the HTTP server mounts it.
    pub fn mount(&self) -> HttpMount {
        self.mount
    }

    /// Its request decoder and reply encoder, for a server or a consumer.
    pub fn server(&self) -> Protocols {
        (self.server)()
    }

    /// Whether `call`, `enqueue` and `consume` can use it (REST cannot:
    /// its routes are per method).
    pub fn is_callable(&self) -> bool {
        self.client.is_some()
    }

    /// Its call encoder and reply decoder, for a client or a producer.
    ///
    /// # Errors
    /// [`CatalogError::NoClient`] for a protocol that cannot be called.
    pub fn client(&self) -> Result<Arc<dyn ClientProtocol>, CatalogError> {
        self.client
            .map(|client| client())
            .ok_or(CatalogError::NoClient(self.name))
    }

    /// A value parser for the protocols `call`, `enqueue` and `consume` take.
    pub fn callable_parser() -> EntryParser<Self> {
        EntryParser::new(PROTOCOLS.iter().filter(|p| p.is_callable()))
    }

    /// Every protocol's name, comma-separated: `serve`'s default.
    pub fn all_names() -> &'static str {
        static NAMES: OnceLock<String> = OnceLock::new();
        NAMES.get_or_init(|| joined(PROTOCOLS))
    }
}

impl Entry for Protocol {
    const KIND: &'static str = "protocol";

    fn all() -> &'static [Self] {
        PROTOCOLS
    }

    fn name(&self) -> &'static str {
        self.name
    }

    fn description(&self) -> &'static str {
        self.description
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_entry_agrees_with_its_own_protocols() {
        for protocol in PROTOCOLS {
            let Protocols {
                input: decoder,
                output: encoder,
            } = protocol.server();
            let name = protocol.name();
            assert_eq!(decoder.content_type(), protocol.media_type(), "{name}");
            assert_eq!(encoder.content_type(), protocol.media_type(), "{name}");
            if let Ok(client) = protocol.client() {
                assert_eq!(client.content_type(), protocol.media_type(), "{name}");
            }
            match protocol.mount() {
                HttpMount::Endpoint { method_in_path, .. } => {
                    assert!(protocol.is_callable(), "{name}: an endpoint can be called");
                    assert!(
                        !method_in_path || decoder.accepts_named_method(),
                        "{name}: a method in the path needs a bare-params form"
                    );
                }
                HttpMount::Rest => {
                    assert!(!protocol.is_callable(), "{name}");
                    assert!(
                        decoder.accepts_named_method(),
                        "{name}: REST sends bare params"
                    );
                }
            }
        }
    }

    #[test]
    fn names_are_unique_and_the_defaults_are_known() -> Result<(), CatalogError> {
        let in_order: Vec<&str> = PROTOCOLS.iter().map(Entry::name).collect();
        let mut names = in_order.clone();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PROTOCOLS.len());
        let all = Protocol::all_names();
        assert_eq!(all.split(',').collect::<Vec<_>>(), in_order);
        // The defaults of call (jsonrpc), enqueue and consume (json).
        assert!(Protocol::named("jsonrpc")?.is_callable());
        assert!(Protocol::named("json")?.is_callable());
        let unknown = Protocol::named("nope").map(Entry::name);
        assert!(
            matches!(&unknown, Err(CatalogError::Unknown { known, .. }) if known == all),
            "{unknown:?}"
        );
        Ok(())
    }

    #[test]
    fn clients_call_endpoints_under_the_base_url() {
        let json = HttpMount::Endpoint {
            path: "/json",
            method_in_path: true,
        };
        assert_eq!(
            json.client_endpoint("http://h:1/"),
            Some(("http://h:1/json".to_owned(), true))
        );
        assert_eq!(HttpMount::Rest.client_endpoint("http://h:1"), None);
        assert_eq!(
            json.describe("http://h:1"),
            "POST http://h:1/json  or  POST http://h:1/json/{method}"
        );
    }
}
