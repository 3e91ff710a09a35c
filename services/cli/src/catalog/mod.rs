//! The catalogs of the `switchboard` command: every protocol, service and
//! transport it can use, each picked by name on the command line. Every
//! command reads them here, so adding one (a SOAP protocol, an AMQP
//! transport, an interface document) is one entry in one list, plus its crate dependency.
//!
//! - [`protocols`]: [`Protocol`], a wire format with its server and client
//!   halves, media type and HTTP mount.
//! - [`services`]: [`Service`], a shipped service and how to set it up.
//! - [`transports`]: [`Transport`], how `serve` reaches the outside.
//! - [`documents`]: [`InterfaceDocument`], an interface document (OpenAPI,
//!   OpenRPC, the docs page), where it is served and how it is built.
//! - [`entry`]: what the three share: [`Entry`], the clap value parser
//!   [`EntryParser`], [`CatalogError`].

pub mod documents;
pub mod entry;
pub mod protocols;
pub mod services;
pub mod transports;

pub use documents::{DEFAULT_SERVER_URL, DOCUMENTS, DocumentContext, InterfaceDocument};
pub use entry::{CatalogError, Entry, EntryParser};
pub use protocols::{HttpMount, PROTOCOLS, Protocol};
pub use services::{SERVICES, Service};
pub use transports::{TRANSPORTS, Transport};
