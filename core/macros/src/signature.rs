//! Reading an `#[rpc]` function's signature: which parameters come from the
//! wire, which are injected, and what it returns.

use syn::{
    Attribute, FnArg, GenericArgument, Ident, Pat, PathArguments, ReturnType, Signature, Type,
};

use crate::constraints::Constraints;

/// One parameter of the function.
pub(crate) enum Param {
    /// Read from the request.
    Wire {
        name: Ident,
        /// The name on the wire: `#[serde(rename = "...")]` or the Rust name.
        wire_name: String,
        ty: Type,
        attrs: Vec<Attribute>,
    },
    /// `State<T>`, injected from the application's state.
    State { inner: Type },
    /// `&MethodContext`, injected.
    Context,
}

/// What the function returns.
pub(crate) struct Returns {
    /// The success type (`T` of `Result<T, E>`, or the plain type).
    pub(crate) output: Type,
    /// Whether it is a `Result`.
    pub(crate) is_result: bool,
}

/// Reads the parameters, taking their attributes off the signature (they
/// move to the call struct's fields). Reports every bad parameter, not only
/// the first.
pub(crate) fn params(sig: &mut Signature) -> syn::Result<Vec<Param>> {
    let mut errors = Vec::new();
    if !sig.generics.params.is_empty() {
        errors.push(syn::Error::new_spanned(
            &sig.generics.params,
            "#[rpc] functions cannot be generic: the wire types must be known; write one function per concrete type",
        ));
    }
    let mut out = Vec::new();
    let mut context_seen = false;
    for input in &mut sig.inputs {
        let typed = match input {
            FnArg::Receiver(receiver) => {
                errors.push(syn::Error::new_spanned(
                    receiver,
                    "#[rpc] functions cannot take `self`: write a free function and inject shared data with a `State<T>` parameter",
                ));
                continue;
            }
            FnArg::Typed(typed) => typed,
        };
        let attrs = std::mem::take(&mut typed.attrs);
        match classify(&typed.pat, &typed.ty, attrs) {
            Ok(Param::Context) if context_seen => errors.push(syn::Error::new_spanned(
                &typed.ty,
                "only one `&MethodContext` parameter can be injected; remove this one",
            )),
            Ok(param) => {
                context_seen |= matches!(param, Param::Context);
                out.push(param);
            }
            Err(err) => errors.push(err),
        }
    }
    match errors.into_iter().reduce(combine) {
        Some(err) => Err(err),
        None => Ok(out),
    }
}

/// Joins two errors so that both are reported.
pub(crate) fn combine(mut first: syn::Error, second: syn::Error) -> syn::Error {
    first.combine(second);
    first
}

fn classify(pat: &Pat, ty: &Type, attrs: Vec<Attribute>) -> syn::Result<Param> {
    if let Type::Reference(reference) = ty {
        if last_ident(&reference.elem).is_some_and(|id| id == "MethodContext") {
            if reference.mutability.is_some() {
                return Err(syn::Error::new_spanned(
                    ty,
                    "the context is shared while a call runs: take `&MethodContext`, not `&mut MethodContext`",
                ));
            }
            return injected_without_attrs(Param::Context, &attrs);
        }
        return Err(syn::Error::new_spanned(
            ty,
            "#[rpc] parameters are decoded from the request and must be owned types: use `String` for `&str`, `Vec<T>` for `&[T]`",
        ));
    }
    if let Some(inner) = state_inner(ty) {
        return injected_without_attrs(Param::State { inner }, &attrs);
    }
    let name = match pat {
        Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => {
            ident.ident.clone()
        }
        other => {
            return Err(syn::Error::new_spanned(
                other,
                "#[rpc] parameters need a plain name: it is the parameter's wire name",
            ));
        }
    };
    // Read the constraints now, so that a bad one is reported once, here,
    // rather than again by every use of the call struct.
    let constraints = Constraints::read(&attrs)?;
    let wire_name = constraints
        .rename
        .map_or_else(|| name.to_string(), |lit| lit.value());
    Ok(Param::Wire {
        wire_name,
        name,
        ty: ty.clone(),
        attrs,
    })
}

fn injected_without_attrs(param: Param, attrs: &[Attribute]) -> syn::Result<Param> {
    match attrs.first() {
        Some(attr) => Err(syn::Error::new_spanned(
            attr,
            "injected parameters are not read from the request, so they take no constraints: remove this attribute",
        )),
        None => Ok(param),
    }
}

/// The last path segment's identifier of a type, if it is a path.
pub(crate) fn last_ident(ty: &Type) -> Option<&Ident> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last().map(|s| &s.ident),
        Type::Group(group) => last_ident(&group.elem),
        _ => None,
    }
}

/// The generic arguments of a type's last path segment.
fn generic_args(ty: &Type) -> Vec<&Type> {
    let Type::Path(path) = ty else {
        return Vec::new();
    };
    let Some(segment) = path.path.segments.last() else {
        return Vec::new();
    };
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return Vec::new();
    };
    args.args
        .iter()
        .filter_map(|arg| match arg {
            GenericArgument::Type(ty) => Some(ty),
            _ => None,
        })
        .collect()
}

fn state_inner(ty: &Type) -> Option<Type> {
    if last_ident(ty)? != "State" {
        return None;
    }
    match generic_args(ty).as_slice() {
        [inner] => Some((*inner).clone()),
        _ => None,
    }
}

/// Whether the type is written as `Option<...>`.
pub(crate) fn is_option(ty: &Type) -> bool {
    last_ident(ty).is_some_and(|id| id == "Option") && generic_args(ty).len() == 1
}

/// Reads the return type.
pub(crate) fn returns(output: &ReturnType) -> Returns {
    let ty = match output {
        ReturnType::Default => {
            return Returns {
                output: syn::parse_quote!(()),
                is_result: false,
            };
        }
        ReturnType::Type(_, ty) => &**ty,
    };
    if last_ident(ty).is_some_and(|id| id == "Result") {
        if let Some(ok) = generic_args(ty).first() {
            return Returns {
                output: (*ok).clone(),
                is_result: true,
            };
        }
    }
    Returns {
        output: ty.clone(),
        is_result: false,
    }
}

/// Whether a type is `()`.
pub(crate) fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(tuple) if tuple.elems.is_empty())
}

/// Whether a type is written so that its values serialize without fields:
/// `()`, a tuple, an array or a slice (JSON `null` or an array). Judged on
/// the syntax only, so only forms no item can shadow.
pub(crate) fn has_no_fields(ty: &Type) -> bool {
    match ty {
        Type::Tuple(_) | Type::Array(_) | Type::Slice(_) => true,
        Type::Paren(inner) => has_no_fields(&inner.elem),
        Type::Group(inner) => has_no_fields(&inner.elem),
        _ => false,
    }
}
