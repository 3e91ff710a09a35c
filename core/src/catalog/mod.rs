//! The catalogs: every protocol ([`ProtocolEntry`]) and transport
//! ([`TransportEntry`]) linked into the binary, each submitted once by the
//! crate that defines it, with [`inventory`] (as `#[rpc]` methods are).
//! A host lists them in `--help`, mounts protocols by name and binds
//! transports by [`Address`]; a service reaches a transport by address too
//! ([`connect`], or [`open_bus`] for a message bus), so the binary, not the
//! service, decides which transports are linked.
//!
//! ```
//! use switchboard::catalog::{self, Address, AddressError};
//!
//! let address: Address = "nats://127.0.0.1:4222".parse()?;
//! // No transport in this binary takes `nats:`: the error lists those that are linked.
//! assert!(matches!(catalog::transport_for(&address), Err(AddressError::UnknownScheme { .. })));
//! # Ok::<(), AddressError>(())
//! ```
//!
//! - [`address`]: [`Address`], `scheme:target?options`.
//! - [`protocols`](mod@protocols): [`ProtocolEntry`] and where HTTP mounts it ([`HttpMount`]).
//! - [`transports`](mod@transports): [`TransportEntry`], what binding gets ([`ServeSettings`])
//!   and gives ([`Bound`]), what connecting gets ([`ConnectSettings`]).
//! - [`bus`]: [`Bus`], the work queues and topics a transport may offer.
//! - [`draining`]: [`Draining`], the switch a host turns on to stop taking
//!   new work.

pub mod address;
pub mod bus;
pub mod draining;
pub mod protocols;
pub mod readiness;
pub mod transports;

pub use address::{Address, AddressError, PASSWORD_OPTION};
pub use bus::{Bus, BusFn, BusSettings, WorkQueue};
pub use draining::Draining;
/// The registration macro's crate: entries are submitted with
/// `switchboard::catalog::inventory::submit!`.
pub use inventory;
pub use protocols::{ClientFn, HttpMount, ProtocolEntry, ServerFn, protocol, protocols};
pub use readiness::{Check, Probe, Readiness, ReadinessReport};
pub use transports::{
    BindError, BindFn, Bound, BoxFuture, Capabilities, ConformanceFn, ConnectFn, ConnectSettings,
    DocumentsFn, MetricsPage, PublishedDocument, ServeSettings, TransportEntry, TypedSettings,
    bind, connect, open_bus, transport, transport_for, transports,
};
