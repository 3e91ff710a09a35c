//! Reading the constraints declared on one field: `schemars` attributes
//! (`range`, `length`, `regex`, `pattern`), their `validate` spellings
//! (`range`, `length`, `nested`), and `serde(rename)` for the field's name.

use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, LitStr, Token};

/// Lower and upper bounds, either optional.
#[derive(Default)]
pub(crate) struct Bounds {
    pub(crate) min: Option<Expr>,
    pub(crate) max: Option<Expr>,
}

/// Everything declared on one field.
#[derive(Default)]
pub(crate) struct Constraints {
    pub(crate) range: Option<Bounds>,
    pub(crate) length: Option<Bounds>,
    pub(crate) pattern: Option<LitStr>,
    pub(crate) nested: bool,
    pub(crate) rename: Option<LitStr>,
}

impl Constraints {
    pub(crate) fn read(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut out = Self::default();
        for attr in attrs {
            let path = attr.path();
            if path.is_ident("schemars") || path.is_ident("validate") {
                let is_validate = path.is_ident("validate");
                attr.parse_nested_meta(|meta| out.item(meta, is_validate))?;
            } else if path.is_ident("serde") {
                attr.parse_nested_meta(|meta| out.serde_item(meta))?;
            }
        }
        Ok(out)
    }

    fn item(&mut self, meta: ParseNestedMeta<'_>, is_validate: bool) -> syn::Result<()> {
        if meta.path.is_ident("range") {
            self.range = Some(bounds(&meta)?);
        } else if meta.path.is_ident("length") {
            self.length = Some(bounds(&meta)?);
        } else if meta.path.is_ident("nested") && is_validate {
            self.nested = true;
        } else if meta.path.is_ident("regex") && !is_validate {
            meta.parse_nested_meta(|inner| {
                if inner.path.is_ident("pattern") {
                    self.pattern = Some(literal_pattern(inner.value()?.parse()?)?);
                    Ok(())
                } else {
                    Err(inner.error("expected `pattern = \"...\"`"))
                }
            })?;
        } else if meta.path.is_ident("pattern") && !is_validate {
            let content;
            syn::parenthesized!(content in meta.input);
            self.pattern = Some(literal_pattern(content.parse()?)?);
        } else {
            skip(&meta)?;
        }
        Ok(())
    }

    fn serde_item(&mut self, meta: ParseNestedMeta<'_>) -> syn::Result<()> {
        if meta.path.is_ident("rename") && meta.input.peek(Token![=]) {
            self.rename = Some(meta.value()?.parse()?);
            Ok(())
        } else {
            skip(&meta)
        }
    }
}

/// Parses `(min = a, max = b)` or `(equal = n)`.
fn bounds(meta: &ParseNestedMeta<'_>) -> syn::Result<Bounds> {
    let mut bounds = Bounds::default();
    meta.parse_nested_meta(|inner| {
        let value: Expr = inner.value()?.parse()?;
        if inner.path.is_ident("min") {
            bounds.min = Some(value);
        } else if inner.path.is_ident("max") {
            bounds.max = Some(value);
        } else if inner.path.is_ident("equal") {
            bounds.min = Some(value.clone());
            bounds.max = Some(value);
        } else {
            return Err(inner.error("expected `min`, `max` or `equal`"));
        }
        Ok(())
    })?;
    Ok(bounds)
}

/// A pattern must be a string literal, so that it is compiled and checked
/// here, at build time, and never fails at run time.
fn literal_pattern(expr: Expr) -> syn::Result<LitStr> {
    let lit = match &expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) => lit.clone(),
        _ => {
            return Err(syn::Error::new_spanned(
                expr,
                "switchboard checks patterns when it compiles them: write the pattern as a string literal",
            ));
        }
    };
    if let Err(err) = regex_syntax::Parser::new().parse(&lit.value()) {
        return Err(syn::Error::new(
            lit.span(),
            format!("invalid regular expression: {err}"),
        ));
    }
    Ok(lit)
}

/// Consumes an attribute item this macro does not read.
fn skip(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in meta.input);
    }
    Ok(())
}
