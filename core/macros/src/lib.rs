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
/// Parameters of type `State<T>` and `&MethodContext` are injected; all
/// others are read from the request and must implement `Serialize`,
/// `Deserialize` and `JsonSchema`. Constraints go on parameters as
/// `#[schemars(range(..))]`, `#[schemars(length(..))]`,
/// `#[schemars(regex(pattern = ".."))]` and `#[validate(nested)]`.
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
