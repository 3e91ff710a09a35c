//! SOAP 1.1 for switchboard: the [`Soap`] protocol (document/literal
//! wrapped, over quick-xml) and the WSDL 1.1 document that describes it
//! ([`wsdl()`]).
//!
//! A request's body holds one element named after the method, in the
//! service's target namespace, whose children are the parameters; the
//! reply holds `{method}Response` with the result in `{method}Result`, or
//! a `soap:Fault`. Parameters decode straight from the XML into the
//! method's call struct (see [the value mapping](crate#values)).
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use switchboard::local::LocalClient;
//! use switchboard::{rpc, Application, Client, Server};
//! use switchboard_soap::Soap;
//!
//! /// Says hello.
//! #[rpc(service = "greeter")]
//! fn greet(name: String) -> String {
//!     format!("hello, {name}")
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! let app = Application::builder().services(["greeter"]).build()?;
//! let server = Server::new(app, Soap::new());
//! let client = Client::new(Arc::new(LocalClient::direct(server)), Arc::new(Soap::new()));
//! let greeting = client.call(Greet { name: "<Ada & Bob>".into() }).await?;
//! assert_eq!(greeting, "hello, <Ada & Bob>");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Safety of the reader
//!
//! No DTD is ever processed: a `<!DOCTYPE` is refused with a client fault
//! wherever it appears, so no entity can be defined, expanded or fetched;
//! only the five predefined entities and character references resolve.
//! Nesting depth is checked at each start tag while streaming, and the
//! body size before parsing, both from [`Limits`](switchboard::Limits).
//!
//! A request must be well-formed as XML 1.0 and Namespaces in XML 1.0
//! define it (characters XML allows, raw or by reference; every prefix
//! declared; the XML declaration at the very start only), and in UTF-8: a
//! declared encoding other than UTF-8 or US-ASCII, or a UTF-16 or UTF-32
//! document, is refused naming the encoding. Anything else is a
//! `Client.Malformed` fault. An envelope outside SOAP 1.1's namespace gets
//! [`VERSION_MISMATCH`] with SOAP 1.2's upgrade header.
//!
//! # Values
//!
//! | Rust (serde) | XML |
//! |---|---|
//! | string, char | the element's text, whitespace kept (an empty string as an empty CDATA section, which lxml-based toolkits read as `""`, not `None`) |
//! | integers | decimal text, range-checked for the field's width |
//! | `f32`, `f64` | decimal text; `INF`, `-INF`, `NaN` |
//! | `bool` | `true`/`false` (`1`/`0` read too) |
//! | `Option` | absent or `xsi:nil="true"` for `None` |
//! | sequence field | the field's element repeated, once per item |
//! | sequence in a sequence | an element holding one `<item>` per item |
//! | struct, map | an element holding one element per field or key |
//! | enum | a unit variant is its name as text; others an element named after the variant |
//! | bytes (`serialize_bytes`) | `xs:base64Binary` text |
//! | timestamps | RFC 3339 text, `xs:dateTime` in the WSDL |
//!
//! XML 1.0 cannot carry U+0000–U+001F other than tab, line feed and
//! carriage return, nor U+FFFE and U+FFFF: a value holding one is refused
//! (a result holding one is answered with a `Server` fault).
//!
//! # Layout
//!
//! - [`Soap`]: the protocol (in, out, client), configured by [`SoapSettings`];
//! - [`header_blocks`]: the request's header blocks, for methods;
//! - [`wsdl()`]: the WSDL 1.1 document of an application.

mod catalog;
mod client;
mod envelope;
mod headers;
mod protocol;
mod reply;
mod settings;
mod value;
mod wsdl;
mod xml;

pub use envelope::{MUST_UNDERSTAND, SOAP11_ENVELOPE, SOAP12_ENVELOPE, VERSION_MISMATCH, XSI};
pub use headers::{HeaderBlock, header_blocks};
pub use protocol::{CONTENT_TYPE, Soap};
pub use settings::{DEFAULT_NAMESPACE, DEFAULT_SERVICE_NAME, SoapSettings};
pub use value::ValueError;
pub use wsdl::wsdl;
