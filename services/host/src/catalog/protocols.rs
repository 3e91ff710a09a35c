//! The protocols a host speaks: every [`ProtocolEntry`] linked into the
//! binary (see [`switchboard::catalog`]), picked by name with `--protocols`,
//! `--protocol` and `protocol=` options.

use std::sync::OnceLock;

use switchboard::catalog::{self, ProtocolEntry};

use super::entry::{CatalogError, Entry, EntryParser, joined};

impl Entry for ProtocolEntry {
    const KIND: &'static str = "protocol";

    fn all() -> Vec<&'static Self> {
        catalog::protocols()
    }

    fn name(&self) -> &'static str {
        ProtocolEntry::name(self)
    }

    fn description(&self) -> &str {
        ProtocolEntry::description(self)
    }
}

/// The protocol named `name`.
///
/// # Errors
/// [`CatalogError::Unknown`] listing the linked protocols.
pub fn named(name: &str) -> Result<&'static ProtocolEntry, CatalogError> {
    <ProtocolEntry as Entry>::named(name)
}

/// The protocol named `name`, which clients can call in.
///
/// # Errors
/// [`CatalogError::Unknown`], or [`CatalogError::NoClient`] for a protocol
/// that cannot be called (REST).
pub fn callable(name: &str) -> Result<&'static ProtocolEntry, CatalogError> {
    let protocol = named(name)?;
    if protocol.is_callable() {
        Ok(protocol)
    } else {
        Err(CatalogError::NoClient(protocol.name()))
    }
}

/// A value parser for the protocols `call`, `enqueue` and `consume` take.
pub fn callable_parser() -> EntryParser<ProtocolEntry> {
    EntryParser::new(catalog::protocols().into_iter().filter(|p| p.is_callable()))
}

/// Every protocol's name, comma-separated: `serve`'s default.
pub fn all_names() -> &'static str {
    static NAMES: OnceLock<String> = OnceLock::new();
    NAMES.get_or_init(|| joined(catalog::protocols()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_linked_protocol_is_listed_in_rank_order() -> Result<(), CatalogError> {
        assert_eq!(all_names(), "jsonrpc,json,rest,soap,postage");
        assert!(callable("jsonrpc")?.is_callable());
        assert!(matches!(
            callable("rest"),
            Err(CatalogError::NoClient("rest"))
        ));
        let unknown = named("nope").map(|p| p.name());
        assert!(
            matches!(&unknown, Err(CatalogError::Unknown { known, .. }) if known == all_names()),
            "{unknown:?}"
        );
        Ok(())
    }
}
