//! The catalogs a host picks from by name on the command line: its
//! services ([`Service`]), the linked protocols (core's
//! [`ProtocolEntry`](switchboard::catalog::ProtocolEntry), read in
//! [`protocols`]) and the interface documents ([`InterfaceDocument`]).
//! Transports are picked by address, from core's catalog
//! ([`switchboard::catalog`]).
//!
//! - [`entry`]: what they share: [`Entry`], the clap value parser
//!   [`EntryParser`], [`CatalogError`].

pub mod documents;
pub mod entry;
pub mod protocols;
pub mod services;

pub use documents::{DEFAULT_SERVER_URL, DOCUMENTS, DocumentContext, InterfaceDocument};
pub use entry::{CatalogError, Entry, EntryParser};
pub use services::{Service, install};
