//! The arguments of `#[rpc(...)]`.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Expr, ExprArray, Lit, LitStr};

/// What `#[rpc(...)]` was given.
#[derive(Default)]
pub(crate) struct RpcArgs {
    pub(crate) service: Option<LitStr>,
    pub(crate) name: Option<LitStr>,
    pub(crate) one_way: Option<Span>,
    pub(crate) http: Option<LitStr>,
    pub(crate) created: Option<LitStr>,
    pub(crate) throws: Vec<LitStr>,
    pub(crate) call: Option<LitStr>,
}

impl RpcArgs {
    pub(crate) fn parse(attr: TokenStream) -> syn::Result<Self> {
        let mut args = Self::default();
        let parser = syn::meta::parser(|meta| args.parse_one(meta));
        parser.parse2(attr)?;
        Ok(args)
    }

    fn parse_one(&mut self, meta: ParseNestedMeta<'_>) -> syn::Result<()> {
        let key = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        match key.as_str() {
            "service" => set_once(&mut self.service, &meta, meta.value()?.parse()?),
            "name" => set_once(&mut self.name, &meta, meta.value()?.parse()?),
            "http" => set_once(&mut self.http, &meta, meta.value()?.parse()?),
            "created" => set_once(&mut self.created, &meta, meta.value()?.parse()?),
            "call" => set_once(&mut self.call, &meta, meta.value()?.parse()?),
            "one_way" => set_once(&mut self.one_way, &meta, meta.path.segments[0].ident.span()),
            "throws" => {
                let list: ExprArray = meta.value()?.parse()?;
                for expr in list.elems {
                    self.throws.push(fault_code(&expr)?);
                }
                Ok(())
            }
            _ => Err(meta.error(
                "unknown #[rpc] argument; expected one of: service, name, one_way, http, created, throws, call",
            )),
        }
    }
}

fn set_once<T>(slot: &mut Option<T>, meta: &ParseNestedMeta<'_>, value: T) -> syn::Result<()> {
    if slot.is_some() {
        return Err(meta.error("this #[rpc] argument is given twice"));
    }
    *slot = Some(value);
    Ok(())
}

fn fault_code(expr: &Expr) -> syn::Result<LitStr> {
    let Expr::Lit(lit) = expr else {
        return Err(syn::Error::new_spanned(
            expr,
            "expected a fault code string such as \"Client.NotFound\"",
        ));
    };
    let Lit::Str(code) = &lit.lit else {
        return Err(syn::Error::new_spanned(
            expr,
            "expected a fault code string such as \"Client.NotFound\"",
        ));
    };
    let text = code.value();
    let family_ok = ["Client", "Server"]
        .iter()
        .any(|family| text == *family || text.starts_with(&format!("{family}.")));
    if !family_ok {
        return Err(syn::Error::new(
            code.span(),
            "fault codes start with `Client` or `Server` (e.g. \"Client.NotFound\")",
        ));
    }
    Ok(code.clone())
}
