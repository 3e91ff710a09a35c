//! `#[rpc]`: the function, its call struct, its descriptor, its registration.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, Ident, ItemFn, LitStr, Type};

use crate::attr::RpcArgs;
use crate::signature::{self, Param, Returns};

/// Expands `#[rpc]`. On an error the function is still emitted (without its
/// parameter attributes), so the only errors are the macro's own, not
/// "cannot find function" at every call site.
pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut function: ItemFn = match syn::parse2(item) {
        Ok(function) => function,
        Err(err) => return err.into_compile_error(),
    };
    expand_fn(attr, &mut function).unwrap_or_else(|err| {
        for input in &mut function.sig.inputs {
            if let syn::FnArg::Typed(typed) = input {
                typed.attrs.clear();
            }
        }
        let error = err.into_compile_error();
        quote!(#error #function)
    })
}

fn expand_fn(attr: TokenStream, function: &mut ItemFn) -> syn::Result<TokenStream> {
    let args = RpcArgs::parse(attr)?;
    let service = args.service.clone().ok_or_else(|| {
        syn::Error::new(
            Span::call_site(),
            "#[rpc] needs the service the method belongs to: #[rpc(service = \"name\")]",
        )
    })?;
    let params = signature::params(&mut function.sig)?;
    let returns = signature::returns(&function.sig.output);
    if let Some(span) = args.one_way {
        if !signature::is_unit(&returns.output) {
            return Err(syn::Error::new(
                span,
                "one-way methods send no reply, so they must return `()` (or `Result<(), E>`)",
            ));
        }
    }
    let fn_name = &function.sig.ident;
    let wire_name = args
        .name
        .as_ref()
        .map_or_else(|| fn_name.to_string(), LitStr::value);
    if let Some(http) = &args.http {
        check_route(http, &params)?;
    }
    if let Some(created) = &args.created {
        check_created(created, args.http.as_ref(), &returns.output)?;
    }
    let call_ident = match &args.call {
        Some(name) => Ident::new(&name.value(), name.span()),
        None => Ident::new(&camel_case(&fn_name.to_string()), fn_name.span()),
    };
    let method = Method {
        args: &args,
        function,
        params: &params,
        returns: &returns,
        wire_name,
        service,
        call_ident,
    };
    let call_struct = method.call_struct();
    let descriptor = method.descriptor();
    let invoke = method.invoke();
    let reply_fns = method.reply_fns();
    Ok(quote! {
        #function
        #call_struct
        #reply_fns
        #invoke
        #descriptor
    })
}

struct Method<'a> {
    args: &'a RpcArgs,
    function: &'a ItemFn,
    params: &'a [Param],
    returns: &'a Returns,
    wire_name: String,
    service: LitStr,
    call_ident: Ident,
}

impl Method<'_> {
    fn wire_params(&self) -> impl Iterator<Item = (&Ident, &Type, &[Attribute])> {
        self.params.iter().filter_map(|param| match param {
            Param::Wire {
                name, ty, attrs, ..
            } => Some((name, ty, attrs.as_slice())),
            _ => None,
        })
    }

    fn descriptor_ident(&self) -> Ident {
        format_ident!("__SWITCHBOARD_METHOD_{}", self.function.sig.ident)
    }

    fn invoke_ident(&self) -> Ident {
        format_ident!("__switchboard_invoke_{}", self.function.sig.ident)
    }

    fn invoke_json_ident(&self) -> Ident {
        format_ident!("__switchboard_invoke_json_{}", self.function.sig.ident)
    }

    fn run_ident(&self) -> Ident {
        format_ident!("__switchboard_run_{}", self.function.sig.ident)
    }

    fn reply_fns_ident(&self) -> Ident {
        format_ident!("__SWITCHBOARD_REPLY_{}", self.function.sig.ident)
    }

    /// How to send and describe the result. The one check of the result
    /// type's traits, spanned at it: an unfit type gets one error there.
    fn reply_fns(&self) -> TokenStream {
        let ident = self.reply_fns_ident();
        let output = &self.returns.output;
        let check = quote_spanned! {output.span()=>
            ::switchboard::codegen::reply_fns::<#output>()
        };
        quote! {
            #[doc(hidden)]
            #[allow(non_upper_case_globals)]
            const #ident: ::switchboard::codegen::ReplyFns<#output> = #check;
        }
    }

    /// The call struct: one public field per wire parameter.
    fn call_struct(&self) -> TokenStream {
        let vis = &self.function.vis;
        let ident = &self.call_ident;
        let fn_name = &self.function.sig.ident;
        let doc = format!("The wire parameters of [`{fn_name}`]: a typed call for `Client::call`.");
        let fields = self.wire_params().map(|(name, ty, attrs)| {
            let default = signature::is_option(ty).then(|| quote!(#[serde(default)]));
            let field_doc = format!("The `{name}` parameter.");
            quote! {
                #[doc = #field_doc]
                #(#attrs)*
                #default
                pub #name: #ty,
            }
        });
        let asserts = self.wire_params().map(|(_, ty, _)| {
            quote_spanned! {ty.span()=>
                const _: () = ::switchboard::codegen::assert_wire_type::<#ty>();
            }
        });
        let output = &self.returns.output;
        let name = &self.wire_name;
        let one_way = self.args.one_way.is_some();
        let descriptor = self.descriptor_ident();
        quote! {
            #(#asserts)*

            #[doc = #doc]
            #[derive(
                ::switchboard::codegen::serde::Serialize,
                ::switchboard::codegen::serde::Deserialize,
                ::switchboard::codegen::schemars::JsonSchema,
                ::switchboard::Validate,
            )]
            #[serde(crate = "::switchboard::codegen::serde", deny_unknown_fields)]
            #[schemars(crate = "::switchboard::codegen::schemars")]
            #vis struct #ident {
                #(#fields)*
            }

            impl ::switchboard::codegen::CallStruct for #ident {
                type Output = #output;
                const NAME: &'static str = #name;
                const ONE_WAY: bool = #one_way;
                fn descriptor() -> &'static ::switchboard::MethodDescriptor {
                    &#descriptor
                }
            }
        }
    }

    /// The functions that run the user function: on its call struct
    /// (`run`), on type-erased arguments (`invoke`), and on JSON text,
    /// decoded and validated in the same step (`invoke_json`).
    fn invoke(&self) -> TokenStream {
        let invoke = self.invoke_ident();
        let invoke_json = self.invoke_json_ident();
        let run = self.run_ident();
        let call_ident = &self.call_ident;
        let fn_name = &self.function.sig.ident;
        let wire_names: Vec<_> = self.wire_params().map(|(name, _, _)| name).collect();
        let mut fetch_state = Vec::new();
        let mut call_args = Vec::new();
        for (i, param) in self.params.iter().enumerate() {
            match param {
                Param::Wire { name, .. } => call_args.push(quote!(#name)),
                Param::Context => call_args.push(quote!(__sb_ctx)),
                Param::State { inner } => {
                    let var = format_ident!("__sb_state_{}", i);
                    let fetch = quote_spanned! {inner.span()=>
                        ::switchboard::codegen::state::<#inner>(__sb_ctx)
                    };
                    fetch_state.push(quote! {
                        let #var = #fetch?;
                    });
                    call_args.push(quote!(#var));
                }
            }
        }
        let awaited = self.function.sig.asyncness.map(|_| quote!(.await));
        let reply_fns = self.reply_fns_ident();
        let reply = if self.returns.is_result {
            quote!(::switchboard::codegen::result_reply(__sb_out, &#reply_fns))
        } else {
            quote!(::switchboard::codegen::ok_reply(__sb_out, &#reply_fns))
        };
        let body = quote! {
            #(#fetch_state)*
            let #call_ident { #(#wire_names),* } = __sb_args;
            let __sb_out = #fn_name(#(#call_args),*) #awaited;
            #reply
        };
        // A plain `fn` runs at once: no future to allocate or poll.
        let invoked = if self.function.sig.asyncness.is_some() {
            quote!(::switchboard::codegen::pending(async move { #body }))
        } else {
            quote!(::switchboard::codegen::ready(move || { #body }))
        };
        quote! {
            #[doc(hidden)]
            fn #run<'__sb>(
                __sb_ctx: &'__sb ::switchboard::MethodContext,
                __sb_args: #call_ident,
            ) -> ::switchboard::codegen::Invoked<'__sb> {
                #invoked
            }

            #[doc(hidden)]
            fn #invoke<'__sb>(
                __sb_ctx: &'__sb ::switchboard::MethodContext,
                __sb_args: ::switchboard::Args,
            ) -> ::switchboard::codegen::Invoked<'__sb> {
                ::switchboard::codegen::invoke_args(__sb_ctx, __sb_args, #run)
            }

            #[doc(hidden)]
            fn #invoke_json<'__sb>(
                __sb_ctx: &'__sb ::switchboard::MethodContext,
                __sb_json: &[u8],
            ) -> ::core::result::Result<
                ::switchboard::codegen::Invoked<'__sb>,
                ::switchboard::Fault,
            > {
                ::switchboard::codegen::invoke_json_args(__sb_ctx, __sb_json, #run)
            }
        }
    }

    /// The static descriptor and its registration.
    fn descriptor(&self) -> TokenStream {
        let ident = self.descriptor_ident();
        let invoke = self.invoke_ident();
        let invoke_json = self.invoke_json_ident();
        let reply_fns = self.reply_fns_ident();
        let call = &self.call_ident;
        let fn_name = self.function.sig.ident.to_string();
        let name = &self.wire_name;
        let service = &self.service;
        let doc = doc_text(&self.function.attrs);
        let one_way = self.args.one_way.is_some();
        let params = self.params.iter().filter_map(|param| {
            let Param::Wire {
                wire_name: name,
                ty,
                ..
            } = param
            else {
                return None;
            };
            let rust_type = quote!(#ty).to_string().replace(' ', "");
            let optional = signature::is_option(ty);
            Some(quote! {
                ::switchboard::ParamDescriptor {
                    name: #name,
                    rust_type: #rust_type,
                    schema: ::switchboard::codegen::schema_for::<#ty>,
                    optional: #optional,
                }
            })
        });
        let states = self.params.iter().filter_map(|param| match param {
            Param::State { inner } => {
                Some(quote!(::switchboard::codegen::state_requirement::<#inner>()))
            }
            _ => None,
        });
        let http = option_lit(self.args.http.as_ref());
        let created = option_lit(self.args.created.as_ref());
        let throws = &self.args.throws;
        quote! {
            #[doc(hidden)]
            #[allow(non_upper_case_globals)]
            static #ident: ::switchboard::MethodDescriptor = ::switchboard::MethodDescriptor {
                name: #name,
                service: #service,
                rust_path: ::core::concat!(::core::module_path!(), "::", #fn_name),
                location: ::core::concat!(::core::file!(), ":", ::core::line!()),
                doc: #doc,
                params: &[#(#params),*],
                returns: #reply_fns.schema,
                args_schema: ::switchboard::codegen::args_schema_for::<#call>,
                one_way: #one_way,
                http: #http,
                created: #created,
                throws: &[#(#throws),*],
                states: &[#(#states),*],
                deserialize: ::switchboard::codegen::deserialize_args::<#call>,
                deserialize_json: ::switchboard::codegen::deserialize_json_args::<#call>,
                validate: ::switchboard::codegen::validate_args::<#call>,
                invoke: #invoke,
                invoke_json: #invoke_json,
            };

            ::switchboard::codegen::inventory::submit! {
                ::switchboard::codegen::Registration(&#ident)
            }
        }
    }
}

fn option_lit(lit: Option<&LitStr>) -> TokenStream {
    match lit {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    }
}

/// The doc comment's text, lines joined, one leading space trimmed.
fn doc_text(attrs: &[Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) => Some(text.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').unwrap_or(&line).to_owned())
        .collect();
    lines.join("\n").trim().to_owned()
}

/// `create_map` → `CreateMap`.
fn camel_case(name: &str) -> String {
    name.trim_start_matches("r#")
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect()
}

/// Checks `"VERB /path/{param}/"`: a known verb, an absolute path, and path
/// parameters that are wire parameters of the function.
fn check_route(route: &LitStr, params: &[Param]) -> syn::Result<()> {
    let text = route.value();
    let error = |message: String| syn::Error::new(route.span(), message);
    let Some((verb, path)) = text.split_once(' ') else {
        return Err(error(
            "expected \"VERB /path\", e.g. \"GET /api/maps/{slug}/\"".into(),
        ));
    };
    if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&verb) {
        return Err(error(format!(
            "unknown HTTP method `{verb}`; expected GET, POST, PUT, PATCH or DELETE"
        )));
    }
    if !path.starts_with('/') {
        return Err(error("the route path must start with `/`".into()));
    }
    for (inner, name) in route_params(path) {
        let known = params
            .iter()
            .any(|param| matches!(param, Param::Wire { wire_name, .. } if wire_name == name));
        if !known {
            return Err(error(format!(
                "route parameter `{{{inner}}}` is not a wire parameter of the function: add a `{name}` parameter or rename it in the route"
            )));
        }
    }
    Ok(())
}

/// The `{param}` segments of a route's path: as written, and the name
/// (without the `*` of a catch-all).
fn route_params(path: &str) -> impl Iterator<Item = (&str, &str)> {
    path.split('/').filter_map(|segment| {
        let inner = segment.strip_prefix('{')?.strip_suffix('}')?;
        Some((inner, inner.trim_start_matches('*')))
    })
}

/// Checks `created = "/path/{field}/"` for what can be known here: that
/// there is a route to answer `201` on, that the template is well formed,
/// and that a placeholder not filled by a route parameter has a result that
/// can fill it at all.
///
/// Whether the result *has* that field is checked when the application is
/// built, against the result's JSON Schema, not here: the server fills the
/// placeholder from the serialized result, whose field names serde decides
/// (`#[serde(rename = "bookId")]`, `flatten`), and a macro sees neither the
/// result type's definition nor its serde attributes. A check of the Rust
/// field names would refuse correctly renamed fields, which is worse than a
/// startup error.
fn check_created(created: &LitStr, http: Option<&LitStr>, output: &Type) -> syn::Result<()> {
    let error = |message: String| syn::Error::new(created.span(), message);
    let Some(http) = http else {
        return Err(error(
            "`created` is the `Location` of the `201 Created` an HTTP route answers: add the route (`http = \"POST /path/\"`) or remove `created`".into(),
        ));
    };
    let names = placeholders(&created.value()).map_err(error)?;
    let route = http.value();
    let route_params: Vec<&str> = route_params(route.split_once(' ').map_or("", |(_, p)| p))
        .map(|(_, name)| name)
        .collect();
    let from_result = names
        .iter()
        .find(|name| !route_params.contains(&name.as_str()));
    if let (Some(name), true) = (from_result, signature::has_no_fields(output)) {
        return Err(error(format!(
            "`{{{name}}}` is not a path parameter of the route, and the result `{}` has no fields to fill it from: name a route parameter, or return a struct with a `{name}` field",
            quote!(#output).to_string().replace(' ', "")
        )));
    }
    Ok(())
}

/// The `{name}` placeholders of a location template.
fn placeholders(template: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err("unmatched `}` in the location: placeholders are written `{name}`".into());
        }
        let after = &rest[open + 1..];
        let Some(close) = after
            .find(['{', '}'])
            .filter(|&i| after[i..].starts_with('}'))
        else {
            return Err("unclosed `{` in the location: placeholders are written `{name}`".into());
        };
        let name = &after[..close];
        if name.is_empty() || name.starts_with('*') {
            return Err(format!(
                "`{{{name}}}` is not a placeholder: write `{{name}}`, naming a field of the result or a route parameter"
            ));
        }
        names.push(name.to_owned());
        rest = &after[close + 1..];
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::{camel_case, placeholders};

    #[test]
    fn placeholders_are_read_or_refused() {
        assert_eq!(
            placeholders("/maps/{map}/o/{x}/"),
            Ok(vec!["map".to_owned(), "x".to_owned()])
        );
        assert_eq!(placeholders("/plain/"), Ok(Vec::new()));
        for bad in ["/a/{x", "/a/x}/", "/a/{}/", "/a/{*rest}", "/a/{x{y}}/"] {
            assert!(placeholders(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn camel_case_joins_words() {
        assert_eq!(camel_case("create_map"), "CreateMap");
        assert_eq!(camel_case("echo"), "Echo");
        assert_eq!(camel_case("r#type"), "Type");
        assert_eq!(camel_case("get__data_"), "GetData");
    }
}
