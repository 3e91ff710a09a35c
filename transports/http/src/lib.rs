//! The HTTP transport of switchboard.
//!
//! - [`HttpServer`]: protocols mounted on paths (`POST /jsonrpc`,
//!   `POST /json`, `POST /json/{method}`), REST route bindings declared on
//!   methods (`#[rpc(http = "GET /api/maps/{slug}/")]`), `GET /healthz`;
//!   body, head, time and concurrency limits with finite defaults
//!   ([`HttpConfig`]), bearer or basic auth, one tracing span per request,
//!   graceful shutdown; fixed [`Document`]s on `GET` (interface
//!   descriptions such as `/soap?wsdl`, pages such as `/docs`).
//! - [`openapi`]: the OpenAPI 3.1 document of a server's JSON endpoint and
//!   REST routes; [`docs`]: the HTML docs page with a try-it form per
//!   method. Both are built from the application once, to be served as
//!   [`Document`]s.
//! - [`HttpClient`]: a [`ClientTransport`](switchboard::ClientTransport)
//!   for the typed [`Client`](switchboard::Client), in any protocol.
//! - [`RestClient`]: plain requests to REST routes (`PUT /api/x/` with a
//!   JSON body), answered with their status; [`PATH_SEGMENT`], the set a
//!   value put into such a path is percent-encoded with.
//! - [`HttpTransport`]: one protocol pair on HTTP, as a
//!   [`ServerTransport`](switchboard::ServerTransport).
//!
//! The transport never names a protocol: they are handed in at startup.
//! Faults become statuses (`Client.Validation` 400, `Client.Unauthorized`
//! 401, `Client.NotFound` 404, `Client.Conflict` 409, too large 413, wrong
//! media type 415, `Server` 500, `Server.Timeout` 504) with the protocol's
//! own error body, except where the out protocol says its fault replies are
//! replies like any other (JSON-RPC): those are answered `200`, unless
//! [`FaultStatuses::Always`] is configured. Refusals before the protocol
//! runs (401, 408, 413, 415, no such path 404, wrong verb 405) always keep
//! their status, and every one carries the protocol's fault body.

pub mod catalog;
mod client;
mod config;
pub mod docs;
mod facts;
pub mod openapi;
mod rest_client;
mod server;

pub use client::{HttpClient, HttpClientError};
pub use config::{Auth, FaultStatuses, HttpConfig};
pub use facts::HttpFacts;
pub use rest_client::{PATH_SEGMENT, RestClient, RestReply};
pub use server::{Document, HttpServer, HttpServerBuilder, HttpTransport, RouteError};
