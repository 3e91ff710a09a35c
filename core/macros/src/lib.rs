//! The procedural macros of switchboard: the [`macro@rpc`] attribute and the
//! [`macro@Validate`] derive. Use them through the `switchboard` crate, which
//! re-exports both; the generated code names `::switchboard` paths.

mod attr;
mod constraints;
mod rpc;
mod signature;
mod validate;

use proc_macro::TokenStream;

/// Registers a function as an RPC method.
///
/// ```ignore
/// /// Create a map.
/// #[rpc(service = "gridmap", http = "POST /api/maps/", created = "/api/maps/{slug}/")]
/// async fn create_map(
///     store: State<MapStore>,
///     #[schemars(length(min = 1, max = 100))] name: String,
///     #[schemars(range(min = 1, max = 1024))] width: u32,
///     #[schemars(range(min = 1, max = 1024))] height: u32,
/// ) -> Result<MapSummary, Fault> { ... }
/// ```
///
/// Arguments of the attribute:
///
/// | argument | meaning |
/// |---|---|
/// | `service = "name"` | the service the method belongs to (required) |
/// | `name = "wire_name"` | the method's wire name (default: the function's name) |
/// | `one_way` | no reply is sent; the function must return `()` |
/// | `http = "VERB /path/{param}/"` | an HTTP route binding |
/// | `created = "/path/{field}/"` | the `Location` of what a creation returns; needs `http`; each `{field}` is a path parameter of the route or a field of the serialized result (serde's name), checked when the application is built |
/// | `throws = ["Client.NotFound", ...]` | fault codes the method declares |
/// | `call = "TypeName"` | the name of the generated call struct (default: the function name in CamelCase) |
///
/// # Parameters
///
/// - `&MethodContext` is injected: the call's context (at most one).
/// - `State<T>` is injected from the state given to the application
///   builder (which refuses to build without it). `T: Send + Sync +
///   'static`: one value serves every call, on many threads at once; hold
///   what is not `Sync` (a database connection, a `RefCell`) in a `Mutex`.
/// - Every other parameter is read from the request, so its type must be
///   owned (`String`, not `&str`) and implement `Serialize`,
///   `Deserialize<'de>` for every `'de` (`DeserializeOwned`), `JsonSchema`,
///   `Send`, `Sync` and `'static`. An `Option<T>` parameter may be left out.
///   Constraints go on these parameters as `#[schemars(range(..))]`,
///   `#[schemars(length(..))]`, `#[schemars(regex(pattern = ".."))]` and
///   `#[validate(nested)]`; `#[serde(rename = "..")]` changes the wire
///   name.
///
/// Unknown fields in the params are refused: the call struct is
/// `#[serde(deny_unknown_fields)]`, so a request naming a parameter the
/// function does not have is a `Client.InvalidParams` fault, not ignored
/// (the example on `switchboard::Method` runs this).
///
/// # Result
///
/// The function returns `T`, or `Result<T, E>` with `E: Into<Fault>` (a
/// `Fault`). `T` must implement `Serialize`, `DeserializeOwned` (the typed
/// client decodes it), `JsonSchema`, `Send`, `Sync` and `'static`. A
/// one-way method returns `()` or `Result<(), E>`.
///
/// # Plain and async functions
///
/// An `async fn` is a future the transport's runtime polls. A plain `fn`
/// runs inline, to completion, on the thread that handles the call (a
/// runtime worker thread, for the network transports): no future is made
/// for it. Blocking there (a database query, file I/O, a sleep) holds that
/// thread and the calls waiting for it; for blocking work, write an
/// `async fn` that runs it with `tokio::task::spawn_blocking(..).await`, or
/// one that uses an async client.
///
/// Besides the function itself, the macro emits the call struct (one public
/// field per wire parameter) implementing `switchboard::Method`, and
/// registers the method's descriptor.
#[proc_macro_attribute]
pub fn rpc(attr: TokenStream, item: TokenStream) -> TokenStream {
    rpc::expand(attr.into(), item.into()).into()
}

/// Derives `switchboard::Validate` from the constraints declared with
/// `schemars` attributes (`range`, `length`, `regex`/`pattern`) and
/// `#[validate(nested)]`, so that what the schema shows is what is enforced.
#[proc_macro_derive(Validate, attributes(schemars, validate, serde))]
pub fn derive_validate(item: TokenStream) -> TokenStream {
    validate::expand(item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
