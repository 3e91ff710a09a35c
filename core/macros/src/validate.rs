//! `#[derive(Validate)]`: turns declared constraints into checks.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

use crate::constraints::{Bounds, Constraints};
use crate::signature::combine;

pub(crate) fn expand(item: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(item)?;
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => &named.named,
            Fields::Unit => &syn::punctuated::Punctuated::new(),
            Fields::Unnamed(_) => {
                return Err(syn::Error::new(
                    input.ident.span(),
                    "Validate can be derived only for structs with named fields",
                ));
            }
        },
        _ => {
            return Err(syn::Error::new(
                input.ident.span(),
                "Validate can be derived only for structs with named fields",
            ));
        }
    };
    let mut checks = Vec::new();
    let mut errors = Vec::new();
    for field in fields {
        let Some(ident) = &field.ident else { continue };
        let constraints = match Constraints::read(&field.attrs) {
            Ok(constraints) => constraints,
            Err(err) => {
                errors.push(err);
                continue;
            }
        };
        let wire_name = constraints
            .rename
            .as_ref()
            .map_or_else(|| ident.to_string(), syn::LitStr::value);
        checks.extend(field_checks(
            &quote!(self.#ident),
            &wire_name,
            &constraints,
            field.span(),
        ));
    }
    if let Some(err) = errors.into_iter().reduce(combine) {
        return Err(err);
    }
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let path = if checks.is_empty() {
        quote!(_path)
    } else {
        quote!(path)
    };
    let out = if checks.is_empty() {
        quote!(_out)
    } else {
        quote!(out)
    };
    Ok(quote! {
        impl #impl_generics ::switchboard::validate::Validate for #name #ty_generics #where_clause {
            fn validate_into(&self, #path: &str, #out: &mut ::switchboard::validate::Violations) {
                #(#checks)*
            }
        }
    })
}

fn field_checks(
    value: &TokenStream,
    name: &str,
    constraints: &Constraints,
    span: proc_macro2::Span,
) -> Vec<TokenStream> {
    let check = quote!(::switchboard::validate::check);
    let mut out = Vec::new();
    if let Some(Bounds { min, max }) = &constraints.range {
        let min = bound_f64(min.as_ref());
        let max = bound_f64(max.as_ref());
        out.push(quote::quote_spanned! {span=>
            #check::range(&#value, #min, #max, (path, #name), out);
        });
    }
    if let Some(Bounds { min, max }) = &constraints.length {
        let min = bound_usize(min.as_ref());
        let max = bound_usize(max.as_ref());
        out.push(quote::quote_spanned! {span=>
            #check::length(&#value, #min, #max, (path, #name), out);
        });
    }
    if let Some(pattern) = &constraints.pattern {
        out.push(quote::quote_spanned! {span=> {
            static PATTERN: ::std::sync::OnceLock<::switchboard::codegen::Regex> =
                ::std::sync::OnceLock::new();
            let regex = PATTERN.get_or_init(|| {
                // The macro parsed this literal with regex-syntax at build time.
                ::switchboard::codegen::Regex::new(#pattern).expect("pattern checked at compile time")
            });
            #check::pattern(&#value, regex, (path, #name), out);
        }});
    }
    if constraints.nested {
        out.push(quote::quote_spanned! {span=>
            ::switchboard::validate::Validate::validate_into(
                &#value,
                &::switchboard::validate::join_path(path, #name),
                out,
            );
        });
    }
    out
}

fn bound_f64(bound: Option<&syn::Expr>) -> TokenStream {
    match bound {
        Some(expr) => quote!(::core::option::Option::Some((#expr) as f64)),
        None => quote!(::core::option::Option::None),
    }
}

fn bound_usize(bound: Option<&syn::Expr>) -> TokenStream {
    match bound {
        Some(expr) => quote!(::core::option::Option::Some((#expr) as usize)),
        None => quote!(::core::option::Option::None),
    }
}
