//! The transport suite for every entry of the transport catalog, from one
//! place: [`CatalogHarness`] binds an entry through the catalog, as a host
//! does, and calls it where its [`Bound`](switchboard::catalog::Bound) says it is
//! reached; [`catalog_suite`] runs the suite on every linked transport
//! that says where to serve it ([`TransportEntry::conformance`]).

use std::path::Path;

use async_trait::async_trait;

use crate::transport::{Shutdown, Started, TransportHarness, TransportKind, transport_suite};
use switchboard::Server;
use switchboard::catalog::{
    self, Address, ConnectSettings, ProtocolEntry, ServeSettings, TransportEntry,
};

/// A harness for any transport of the catalog, served at `address` in
/// `protocol`.
#[derive(Debug)]
pub struct CatalogHarness {
    entry: &'static TransportEntry,
    address: Address,
    protocol: &'static ProtocolEntry,
}

impl CatalogHarness {
    /// `entry` served at `address` in `protocol`.
    pub fn new(
        entry: &'static TransportEntry,
        address: Address,
        protocol: &'static ProtocolEntry,
    ) -> Self {
        Self {
            entry,
            address,
            protocol,
        }
    }
}

/// An error and its causes on one line.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[async_trait]
impl TransportHarness for CatalogHarness {
    fn kind(&self) -> TransportKind {
        if self.entry.capabilities_of().replies {
            TransportKind::RequestReply
        } else {
            TransportKind::OneWay
        }
    }

    async fn start(&mut self, server: Server, shutdown: Shutdown) -> Result<Started, String> {
        let settings = ServeSettings::new(server.app().clone(), vec![self.protocol])
            .with_default_protocol(self.protocol)
            .with_host_name("conformance");
        let bound = self
            .entry
            .bind_at(self.address.clone(), settings)
            .await
            .map_err(|err| chain(&err))?;
        let reach = bound
            .reach()
            .cloned()
            .ok_or("the transport does not say where clients reach it (Bound::with_reach)")?;
        let client = catalog::connect(reach, ConnectSettings::new(self.protocol))
            .await
            .map_err(|err| chain(&err))?;
        let serving = tokio::spawn(bound.serve(shutdown));
        Ok(Started { client, serving })
    }
}

/// Runs the transport suite on every linked transport that says where to
/// serve it, in scratch directory `dir`: JSON-RPC over transports with
/// replies, the JSON document over one-way ones. Returns the transports
/// checked and those skipped (no conformance address on this machine).
///
/// # Errors
/// Every failed check, by transport, on one line each.
pub async fn catalog_suite(dir: &Path) -> Result<(Vec<&'static str>, Vec<&'static str>), String> {
    let (mut checked, mut skipped, mut failures) = (Vec::new(), Vec::new(), Vec::new());
    for (i, entry) in catalog::transports().into_iter().enumerate() {
        let unique = format!("suite-{}-{i}", std::process::id());
        let Some(address) = entry.conformance_address(dir, &unique) else {
            skipped.push(entry.name());
            continue;
        };
        let address = address.map_err(|err| format!("{}: {err}", entry.name()))?;
        let name = if entry.capabilities_of().replies {
            "jsonrpc"
        } else {
            "json"
        };
        let protocol = catalog::protocol(name)
            .ok_or_else(|| format!("the `{name}` protocol is not linked"))?;
        let client_protocol = protocol
            .client_protocol(&Default::default())
            .ok_or_else(|| format!("`{name}` has no client"))?;
        let mut harness = CatalogHarness::new(entry, address, protocol);
        if let Err(failure) = transport_suite(
            &mut harness,
            protocol.server(&Default::default()),
            client_protocol,
        )
        .await
        {
            failures.push(format!("{}: {failure}", entry.name()));
        }
        checked.push(entry.name());
    }
    if failures.is_empty() {
        Ok((checked, skipped))
    } else {
        Err(failures.join("\n"))
    }
}
