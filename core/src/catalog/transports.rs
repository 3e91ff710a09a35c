//! The transport catalog: every transport linked into the binary, picked
//! by the scheme of an [`Address`]. Each transport crate submits one
//! [`TransportEntry`] with [`inventory::submit!`]: its schemes, what it can
//! do ([`Capabilities`]), how it binds a server from an address and the
//! shared [`ServeSettings`], and how it opens a client from an address and
//! [`ConnectSettings`], and, if it offers one, how it opens a message bus
//! ([`Bus`]) from an address and [`BusSettings`]. Hosts and services then
//! reach any linked transport by address, and a new transport needs no
//! edit anywhere else.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::address::{Address, AddressError};
use super::bus::{Bus, BusFn, BusSettings};
use super::draining::Draining;
use super::protocols::{ProtocolEntry, protocol};
use super::readiness::Readiness;
use crate::Fingerprint;
use crate::application::Application;
use crate::protocol::BoxError;
use crate::transport::{ClientTransport, TransportError};

/// A boxed future that can move between threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a transport can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Capabilities {
    /// Calls get replies (HTTP, AMQP RPC).
    pub replies: bool,
    /// Calls can be sent one-way, without waiting for a reply (queues).
    pub one_way: bool,
    /// Every consumer sees every message (a fan-out queue, a fanout exchange).
    pub broadcast: bool,
    /// Consumers can share the messages instead, each to one of them.
    pub groups: bool,
}

impl Capabilities {
    /// Nothing yet.
    pub const NONE: Self = Self {
        replies: false,
        one_way: false,
        broadcast: false,
        groups: false,
    };

    /// Calls get replies.
    #[must_use]
    pub const fn with_replies(mut self) -> Self {
        self.replies = true;
        self
    }

    /// Calls can be sent one-way.
    #[must_use]
    pub const fn with_one_way(mut self) -> Self {
        self.one_way = true;
        self
    }

    /// Every consumer sees every message.
    #[must_use]
    pub const fn with_broadcast(mut self) -> Self {
        self.broadcast = true;
        self
    }

    /// Consumers can share the messages.
    #[must_use]
    pub const fn with_groups(mut self) -> Self {
        self.groups = true;
        self
    }

    /// Whether this offers everything `needed` does.
    pub fn covers(&self, needed: Self) -> bool {
        (self.replies || !needed.replies)
            && (self.one_way || !needed.one_way)
            && (self.broadcast || !needed.broadcast)
            && (self.groups || !needed.groups)
    }

    /// The capabilities as words: `replies, one-way`.
    pub fn describe(&self) -> String {
        let words = [
            (self.replies, "replies"),
            (self.one_way, "one-way"),
            (self.broadcast, "broadcast"),
            (self.groups, "groups"),
        ];
        let words: Vec<&str> = words
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, w)| *w)
            .collect();
        words.join(", ")
    }
}

/// Typed settings a host hands to the protocols and transports that know
/// their type (the HTTP transport reads its `HttpConfig` here, SOAP its
/// `SoapSettings`): a map from type to one value. Cheap to clone.
#[derive(Clone, Default)]
pub struct TypedSettings {
    map: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl TypedSettings {
    /// The settings with `value` stored (replacing one of its type).
    #[must_use]
    pub fn with<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.insert(value);
        self
    }

    /// Stores `value`, replacing one of its type.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.map.insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// The value of type `T`, if one was stored.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.map.get(&TypeId::of::<T>())?.downcast_ref()
    }
}

impl fmt::Debug for TypedSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypedSettings")
            .field("values", &self.map.len())
            .finish()
    }
}

/// An interface document as a transport publishes it: the WSDL at
/// `GET /soap?wsdl`, the OpenAPI document at `GET /openapi.json`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PublishedDocument {
    /// Its name (`wsdl`, `openapi`), for banners.
    pub name: &'static str,
    /// The path it is served at.
    pub path: &'static str,
    /// The query key it is served behind (`wsdl` for `/soap?wsdl`), if any.
    pub query: Option<&'static str>,
    /// Its media type.
    pub media_type: &'static str,
    /// Its text.
    pub body: String,
}

impl PublishedDocument {
    /// A document named `name` at `path`.
    pub fn new(
        name: &'static str,
        path: &'static str,
        media_type: &'static str,
        body: String,
    ) -> Self {
        Self {
            name,
            path,
            query: None,
            media_type,
            body,
        }
    }

    /// Served behind the query key `key` (`/soap?wsdl`).
    #[must_use]
    pub fn on_query(mut self, key: &'static str) -> Self {
        self.query = Some(key);
        self
    }

    /// The URL it is served at under `base` (`http://127.0.0.1:8080`).
    pub fn url(&self, base: &str) -> String {
        let base = base.trim_end_matches('/');
        match self.query {
            Some(key) => format!("{base}{}?{key}", self.path),
            None => format!("{base}{}", self.path),
        }
    }
}

/// The page of the process's metrics, in the Prometheus text format,
/// rendered afresh each time: what `GET /metrics` answers. Clones share
/// the renderer.
#[derive(Clone)]
pub struct MetricsPage(Arc<dyn Fn() -> String + Send + Sync>);

impl MetricsPage {
    /// The media type of the page: the Prometheus text format, 0.0.4.
    pub const CONTENT_TYPE: &'static str = "text/plain; version=0.0.4; charset=utf-8";

    /// The page `render` produces.
    pub fn new(render: impl Fn() -> String + Send + Sync + 'static) -> Self {
        Self(Arc::new(render))
    }

    /// Renders the page now.
    pub fn render(&self) -> String {
        (self.0)()
    }
}

impl fmt::Debug for MetricsPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MetricsPage")
    }
}

/// Builds the interface documents for a server reachable at the given
/// base URL (`http://127.0.0.1:8080`, the address it bound; `None` when
/// not known): documents that need an absolute address use it when no
/// public URL is configured.
pub type DocumentsFn = Arc<dyn Fn(Option<&str>) -> Vec<PublishedDocument> + Send + Sync>;

/// What a host gives every transport it binds.
#[derive(Clone)]
#[non_exhaustive]
pub struct ServeSettings {
    /// The application to serve.
    pub app: Application,
    /// The protocols a transport that offers several mounts (HTTP), in order.
    pub protocols: Vec<&'static ProtocolEntry>,
    /// The protocol a transport that reads one protocol uses unless its
    /// address says `protocol=NAME`.
    pub default_protocol: Option<&'static ProtocolEntry>,
    /// The host's name (`switchboard`, `parcels`): banners start with it,
    /// broker connections are named after it.
    pub host_name: String,
    /// The public base URL of links (`Location` headers, documents).
    pub public_url: Option<String>,
    /// The interface documents to publish, where the transport publishes any.
    pub documents: Option<DocumentsFn>,
    /// The serving process's fingerprint, for transports that show it
    /// (broker connection properties, reply headers).
    pub fingerprint: Option<Arc<Fingerprint>>,
    /// On while the process drains: transports that drain in place refuse
    /// new calls then.
    pub draining: Draining,
    /// The process's readiness, to which the transport adds its probes
    /// (a listener bound, a broker link up) and keeps them up to date.
    pub readiness: Readiness,
    /// The Prometheus exposition of the process's metrics, rendered on
    /// each call: served on `GET /metrics` by transports that serve HTTP.
    /// `None`: metrics are off.
    pub metrics: Option<MetricsPage>,
    /// Settings for particular transports, by type.
    pub settings: TypedSettings,
}

impl ServeSettings {
    /// `app` in `protocols`, for a host named `switchboard`, without
    /// documents or particular settings.
    pub fn new(app: Application, protocols: Vec<&'static ProtocolEntry>) -> Self {
        Self {
            app,
            protocols,
            default_protocol: None,
            host_name: "switchboard".to_owned(),
            public_url: None,
            documents: None,
            fingerprint: None,
            draining: Draining::default(),
            readiness: Readiness::default(),
            metrics: None,
            settings: TypedSettings::default(),
        }
    }

    /// The process's readiness, shared with the other transports.
    #[must_use]
    pub fn with_readiness(mut self, readiness: Readiness) -> Self {
        self.readiness = readiness;
        self
    }

    /// Serves the process's metrics `page`.
    #[must_use]
    pub fn with_metrics(mut self, page: MetricsPage) -> Self {
        self.metrics = Some(page);
        self
    }

    /// The serving process's fingerprint.
    #[must_use]
    pub fn with_fingerprint(mut self, fingerprint: impl Into<Arc<Fingerprint>>) -> Self {
        self.fingerprint = Some(fingerprint.into());
        self
    }

    /// The host's name, for banners and connection names.
    #[must_use]
    pub fn with_host_name(mut self, name: impl Into<String>) -> Self {
        self.host_name = name.into();
        self
    }

    /// The public base URL of links.
    #[must_use]
    pub fn with_public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into());
        self
    }

    /// The protocol single-protocol transports use unless told otherwise.
    #[must_use]
    pub fn with_default_protocol(mut self, protocol: &'static ProtocolEntry) -> Self {
        self.default_protocol = Some(protocol);
        self
    }

    /// The interface documents to publish.
    #[must_use]
    pub fn with_documents(mut self, documents: DocumentsFn) -> Self {
        self.documents = Some(documents);
        self
    }

    /// Stores settings of type `T` for the transports that read them.
    #[must_use]
    pub fn with_setting<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.settings.insert(value);
        self
    }

    /// The protocol a single-protocol transport at `address` reads: its
    /// `protocol=` option, else [`default_protocol`](Self::default_protocol),
    /// else the protocol named `fallback`.
    ///
    /// # Errors
    /// [`AddressError::Invalid`] naming the protocol if it is not linked.
    pub fn protocol_at(
        &self,
        address: &Address,
        fallback: &str,
    ) -> Result<&'static ProtocolEntry, AddressError> {
        match address.option("protocol") {
            Some(name) => protocol(name).ok_or_else(|| unknown_protocol(address, name)),
            None => match self.default_protocol {
                Some(protocol) => Ok(protocol),
                None => protocol(fallback).ok_or_else(|| unknown_protocol(address, fallback)),
            },
        }
    }
}

fn unknown_protocol(address: &Address, name: &str) -> AddressError {
    let known: Vec<&str> = super::protocols::protocols()
        .iter()
        .map(|p| p.name())
        .collect();
    address.invalid(format!(
        "no protocol `{name}` is linked (known: {})",
        known.join(", ")
    ))
}

impl fmt::Debug for ServeSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServeSettings")
            .field("protocols", &self.protocols)
            .field("host_name", &self.host_name)
            .field("public_url", &self.public_url)
            .field("documents", &self.documents.is_some())
            .finish_non_exhaustive()
    }
}

/// What a client transport is opened with besides its address.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConnectSettings {
    /// The protocol calls are encoded in (HTTP picks its endpoint by it).
    pub protocol: &'static ProtocolEntry,
    /// The host's name (`switchboard`, `parcels`): transports address
    /// its queue by it unless told otherwise.
    pub host_name: String,
    /// The client's name (broker connection names show it).
    pub client_name: String,
    /// A bearer token, for transports that send one (HTTP).
    pub bearer_token: Option<String>,
    /// The calling process's fingerprint, sent with every call where the
    /// transport can carry it.
    pub fingerprint: Option<Arc<Fingerprint>>,
    /// Settings for particular transports, by type.
    pub settings: TypedSettings,
}

impl ConnectSettings {
    /// Calls in `protocol`, from a client named `switchboard`.
    pub fn new(protocol: &'static ProtocolEntry) -> Self {
        Self {
            protocol,
            host_name: "switchboard".to_owned(),
            client_name: "switchboard".to_owned(),
            bearer_token: None,
            fingerprint: None,
            settings: TypedSettings::default(),
        }
    }

    /// The calling process's fingerprint, to send with every call.
    #[must_use]
    pub fn with_fingerprint(mut self, fingerprint: impl Into<Arc<Fingerprint>>) -> Self {
        self.fingerprint = Some(fingerprint.into());
        self
    }

    /// The host's name.
    #[must_use]
    pub fn with_host_name(mut self, name: impl Into<String>) -> Self {
        self.host_name = name.into();
        self
    }

    /// The client's name.
    #[must_use]
    pub fn with_client_name(mut self, name: impl Into<String>) -> Self {
        self.client_name = name.into();
        self
    }

    /// A bearer token to send.
    #[must_use]
    pub fn with_bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(token.into());
        self
    }
}

/// How a bound transport serves: until the shutdown future completes.
type ServeFn = Box<
    dyn FnOnce(BoxFuture<'static, ()>) -> BoxFuture<'static, Result<(), TransportError>> + Send,
>;

/// A transport bound and ready to serve: what it tells the user, and the
/// serving itself.
pub struct Bound {
    banner: Vec<String>,
    reach: Option<Address>,
    serve: ServeFn,
}

impl Bound {
    /// A transport that shows `banner` and serves with `serve`, which must
    /// stop taking requests once its shutdown future completes, finish
    /// those in flight, and return `Ok(())`.
    pub fn new(
        banner: Vec<String>,
        serve: impl FnOnce(BoxFuture<'static, ()>) -> BoxFuture<'static, Result<(), TransportError>>
        + Send
        + 'static,
    ) -> Self {
        Self {
            banner,
            reach: None,
            serve: Box::new(serve),
        }
    }

    /// Records where clients reach it (`http://127.0.0.1:43121` for a
    /// server bound to port 0, `sqlite:queue.db` for a consumer).
    #[must_use]
    pub fn with_reach(mut self, address: Address) -> Self {
        self.reach = Some(address);
        self
    }

    /// Where clients reach it, if the transport says.
    pub fn reach(&self) -> Option<&Address> {
        self.reach.as_ref()
    }

    /// Lines for a banner: where it listens, what answers where.
    pub fn banner(&self) -> &[String] {
        &self.banner
    }

    /// The base URL the transport answers HTTP on (`http://127.0.0.1:8080`),
    /// if it is reached over HTTP.
    pub fn http_url(&self) -> Option<String> {
        self.reach
            .as_ref()
            .filter(|address| address.scheme() == "http")
            .map(Address::without_options)
    }

    /// Serves until `shutdown` completes, then finishes what is running.
    ///
    /// # Errors
    /// The transport's own, if it gives up.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), TransportError> {
        (self.serve)(Box::pin(shutdown)).await
    }
}

impl fmt::Debug for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bound")
            .field("banner", &self.banner)
            .field("reach", &self.reach)
            .finish_non_exhaustive()
    }
}

/// Why a transport could not be bound or opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BindError {
    /// The address is malformed, names no linked transport, or has an
    /// option the transport does not take.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// The transport cannot do what was asked (serve, or send, at that
    /// scheme).
    #[error("the {transport} transport cannot {what}")]
    Unsupported {
        /// The transport.
        transport: &'static str,
        /// What it cannot do: `serve`, `send calls`.
        what: &'static str,
    },
    /// A local resource failed: the listen address could not be bound,
    /// the queue file could not be opened.
    #[error("cannot {action} {target}")]
    Local {
        /// What was being done: `listen on`, `open the queue`.
        action: &'static str,
        /// Where.
        target: String,
        /// Why.
        #[source]
        source: BoxError,
    },
    /// The transport could not be set up with the application (two
    /// methods bind one HTTP route).
    #[error("cannot set up the {transport} transport")]
    Setup {
        /// The transport.
        transport: &'static str,
        /// Why.
        #[source]
        source: BoxError,
    },
    /// The peer or broker could not be reached.
    #[error("cannot reach {address}")]
    Unreachable {
        /// The address, password masked.
        address: String,
        /// Why.
        #[source]
        source: TransportError,
    },
}

/// Binds a server transport from an address and the host's settings.
pub type BindFn = fn(Address, ServeSettings) -> BoxFuture<'static, Result<Bound, BindError>>;
/// Where the conformance suite serves a transport: given a scratch
/// directory and a name unique to the run, an address to bind (whose
/// [`Bound::reach`] clients then call), or `None` when this machine lacks
/// what the transport needs.
pub type ConformanceFn = fn(&std::path::Path, &str) -> Option<String>;
/// Opens a client transport from an address and the client's settings.
pub type ConnectFn =
    fn(Address, ConnectSettings) -> BoxFuture<'static, Result<Arc<dyn ClientTransport>, BindError>>;

/// A transport of the catalog, submitted once by the crate that defines
/// it:
///
/// ```ignore
/// switchboard::catalog::inventory::submit! {
///     TransportEntry::new("sqlite", "a SQLite queue file", &["sqlite"])
///         .capabilities(Capabilities::NONE.with_one_way().with_broadcast().with_groups())
///         .options(&["worker", "group", "protocol"])
///         .bind(bind)
///         .connect(connect)
///         .bus(bus)
/// }
/// ```
pub struct TransportEntry {
    name: &'static str,
    description: &'static str,
    schemes: &'static [&'static str],
    example: &'static str,
    options: &'static [&'static str],
    capabilities: Capabilities,
    bind: Option<BindFn>,
    connect: Option<ConnectFn>,
    bus: Option<BusFn>,
    conformance: Option<ConformanceFn>,
    drains_in_place: bool,
}

inventory::collect!(TransportEntry);

impl TransportEntry {
    /// A transport named `name`, described for `--help`, reached at
    /// addresses of the given schemes. It can neither serve nor send until
    /// [`bind`](Self::bind) and [`connect`](Self::connect) say how, and
    /// offers no bus unless [`bus`](Self::bus) says how.
    pub const fn new(
        name: &'static str,
        description: &'static str,
        schemes: &'static [&'static str],
    ) -> Self {
        Self {
            name,
            description,
            schemes,
            example: "",
            options: &[],
            capabilities: Capabilities::NONE,
            bind: None,
            connect: None,
            bus: None,
            conformance: None,
            drains_in_place: false,
        }
    }

    /// Where the transport conformance suite (`switchboard-testing`)
    /// serves it: every transport that gives one is checked by the same
    /// test, with no test of its own to write.
    #[must_use]
    pub const fn conformance(mut self, conformance: ConformanceFn) -> Self {
        self.conformance = Some(conformance);
        self
    }

    /// The address the conformance suite serves it at in `dir`, named
    /// after `unique`, if it says one.
    ///
    /// # Errors
    /// [`AddressError`] if the address it gives does not parse.
    pub fn conformance_address(
        &self,
        dir: &std::path::Path,
        unique: &str,
    ) -> Option<Result<Address, AddressError>> {
        self.conformance
            .and_then(|address| address(dir, unique))
            .map(|text| Address::parse(&text))
    }

    /// What it can do.
    #[must_use]
    pub const fn capabilities(mut self, capabilities: Capabilities) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// An example address, for `--help`.
    #[must_use]
    pub const fn example(mut self, example: &'static str) -> Self {
        self.example = example;
        self
    }

    /// The options its addresses take, for `--help`.
    #[must_use]
    pub const fn options(mut self, options: &'static [&'static str]) -> Self {
        self.options = options;
        self
    }

    /// How it binds a server.
    #[must_use]
    pub const fn bind(mut self, bind: BindFn) -> Self {
        self.bind = Some(bind);
        self
    }

    /// How it opens a client.
    #[must_use]
    pub const fn connect(mut self, connect: ConnectFn) -> Self {
        self.connect = Some(connect);
        self
    }

    /// How it opens a message bus: work queues and broadcast topics. A
    /// transport that offers one does one-way calls and broadcast, and says
    /// so in its [`capabilities`](Self::capabilities).
    #[must_use]
    pub const fn bus(mut self, bus: BusFn) -> Self {
        self.bus = Some(bus);
        self
    }

    /// Says that the transport keeps serving while the process drains,
    /// refusing new calls itself (it reads [`ServeSettings::draining`]), so
    /// a host stops it only at the end. Transports that do not say so are
    /// stopped when draining begins (consumers stop taking messages and
    /// finish the ones running).
    #[must_use]
    pub const fn drains_in_place(mut self) -> Self {
        self.drains_in_place = true;
        self
    }

    /// Whether it keeps serving while the process drains
    /// ([`drains_in_place`](Self::drains_in_place)).
    pub fn keeps_serving_while_draining(&self) -> bool {
        self.drains_in_place
    }

    /// Its name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What it is, for `--help`.
    pub fn description(&self) -> &'static str {
        self.description
    }

    /// The schemes of its addresses.
    pub fn schemes(&self) -> &'static [&'static str] {
        self.schemes
    }

    /// An example address.
    pub fn example_address(&self) -> &'static str {
        self.example
    }

    /// The options its addresses take.
    pub fn address_options(&self) -> &'static [&'static str] {
        self.options
    }

    /// What it can do.
    pub fn capabilities_of(&self) -> Capabilities {
        self.capabilities
    }

    /// Whether it can serve (bind a server).
    pub fn can_serve(&self) -> bool {
        self.bind.is_some()
    }

    /// Whether it can send calls (open a client).
    pub fn can_send(&self) -> bool {
        self.connect.is_some()
    }

    /// Whether it offers a message bus.
    pub fn offers_bus(&self) -> bool {
        self.bus.is_some()
    }

    /// Opens its bus at `address` with `settings`, without waiting on the
    /// network.
    ///
    /// # Errors
    /// [`BindError::Unsupported`] if it offers no bus, else the transport's own.
    pub fn bus_at(
        &self,
        address: Address,
        settings: BusSettings,
    ) -> Result<Arc<dyn Bus>, BindError> {
        let bus = self.bus.ok_or(BindError::Unsupported {
            transport: self.name,
            what: "carry a message bus (work queues and topics)",
        })?;
        bus(address, settings)
    }

    /// Binds a server at `address` with `settings`.
    ///
    /// # Errors
    /// [`BindError::Unsupported`] if it cannot serve, else the transport's own.
    pub async fn bind_at(
        &self,
        address: Address,
        settings: ServeSettings,
    ) -> Result<Bound, BindError> {
        let bind = self.bind.ok_or(BindError::Unsupported {
            transport: self.name,
            what: "serve",
        })?;
        bind(address, settings).await
    }

    /// Opens a client to `address` with `settings`.
    ///
    /// # Errors
    /// [`BindError::Unsupported`] if it cannot send, else the transport's own.
    pub async fn connect_to(
        &self,
        address: Address,
        settings: ConnectSettings,
    ) -> Result<Arc<dyn ClientTransport>, BindError> {
        let connect = self.connect.ok_or(BindError::Unsupported {
            transport: self.name,
            what: "send calls",
        })?;
        connect(address, settings).await
    }
}

impl fmt::Debug for TransportEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportEntry")
            .field("name", &self.name)
            .field("schemes", &self.schemes)
            .field("capabilities", &self.capabilities)
            .field("serves", &self.bind.is_some())
            .field("sends", &self.connect.is_some())
            .field("bus", &self.bus.is_some())
            .finish_non_exhaustive()
    }
}

/// Every transport linked into this binary, by name.
pub fn transports() -> Vec<&'static TransportEntry> {
    let mut all: Vec<_> = inventory::iter::<TransportEntry>.into_iter().collect();
    all.sort_by_key(|t| t.name);
    all.dedup_by_key(|t| t.name);
    all
}

/// The transport named `name`, if one is linked.
pub fn transport(name: &str) -> Option<&'static TransportEntry> {
    transports().into_iter().find(|t| t.name == name)
}

/// The transport that serves `address`'s scheme.
///
/// # Errors
/// [`AddressError::UnknownScheme`] listing the schemes that are linked.
pub fn transport_for(address: &Address) -> Result<&'static TransportEntry, AddressError> {
    let all = transports();
    all.iter()
        .find(|t| t.schemes.contains(&address.scheme()))
        .copied()
        .ok_or_else(|| {
            let known: Vec<&str> = all.iter().flat_map(|t| t.schemes.iter().copied()).collect();
            AddressError::UnknownScheme {
                scheme: address.scheme().to_owned(),
                known: if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                },
            }
        })
}

/// Binds the transport `address` names, with `settings`.
///
/// # Errors
/// [`BindError::Address`] if no linked transport takes the scheme, else as
/// [`TransportEntry::bind_at`].
pub async fn bind(address: Address, settings: ServeSettings) -> Result<Bound, BindError> {
    transport_for(&address)?.bind_at(address, settings).await
}

/// Opens a client of the transport `address` names, with `settings`.
///
/// # Errors
/// [`BindError::Address`] if no linked transport takes the scheme, else as
/// [`TransportEntry::connect_to`].
pub async fn connect(
    address: Address,
    settings: ConnectSettings,
) -> Result<Arc<dyn ClientTransport>, BindError> {
    transport_for(&address)?.connect_to(address, settings).await
}

/// Opens the bus of the transport `address` names, with `settings`.
///
/// # Errors
/// [`BindError::Address`] if no linked transport takes the scheme, else as
/// [`TransportEntry::bus_at`].
pub fn open_bus(address: Address, settings: BusSettings) -> Result<Arc<dyn Bus>, BindError> {
    transport_for(&address)?.bus_at(address, settings)
}
