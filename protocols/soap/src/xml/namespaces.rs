//! Namespaces in XML 1.0 (third edition) for both readers: what a
//! declaration may bind (§3, the reserved prefixes `xml` and `xmlns` and
//! their namespace names), that every prefix used is declared in scope
//! (the constraint "Prefix Declared"), that no element has the prefix
//! `xmlns`, and that no start tag holds two attributes of one expanded
//! name (§6.3).
//!
//! The plain pass keeps its own [`Scope`]. The careful one asks quick-xml's
//! resolver and checks here what the resolver lets through: it resolves an
//! undeclared prefix as `Unknown` rather than failing, takes `xmlns:p=""`
//! as undeclaring `p` (XML 1.1 allows that, 1.0 does not), binds the
//! default namespace to a reserved name, and compares attributes by their
//! qualified names only.

use quick_xml::name::{Namespace, NamespaceResolver, QName, ResolveResult};

use super::XmlError;
use super::lexer::{attributes, split_qname};
use super::wellformed::Attribute;

/// The namespace the prefix `xml` is bound to, by XML itself.
pub(crate) const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of the `xmlns` attributes, which nothing may be bound to.
const XMLNS_NAMESPACE: &str = "http://www.w3.org/2000/xmlns/";

/// Checks that a declaration may bind `prefix` (`None`: the default
/// namespace) to `uri`, its value with references resolved.
///
/// # Errors
/// [`XmlError::Syntax`] saying which rule it breaks.
pub(crate) fn check_binding(prefix: Option<&str>, uri: &str) -> Result<(), XmlError> {
    let why = match prefix {
        Some("xmlns") => "the prefix `xmlns` cannot be declared",
        Some("xml") if uri == XML_NAMESPACE => return Ok(()),
        Some("xml") => "the prefix `xml` cannot be bound to another namespace",
        Some(prefix) if uri.is_empty() => {
            return Err(XmlError::malformed(format!(
                "the prefix `{prefix}` cannot be undeclared (`xmlns:{prefix}=\"\"`) in XML 1.0"
            )));
        }
        _ if uri == XML_NAMESPACE || uri == XMLNS_NAMESPACE => {
            "the namespaces of `xml` and `xmlns` cannot be declared"
        }
        _ => return Ok(()),
    };
    Err(XmlError::malformed(why))
}

/// The error for a prefix used where none of that name is declared.
pub(crate) fn undeclared(prefix: &str) -> XmlError {
    XmlError::malformed(format!("the namespace prefix `{prefix}` is not declared"))
}

/// The careful reader's check of an element's name, as quick-xml resolved
/// it.
///
/// # Errors
/// [`XmlError::Syntax`] for a prefix not declared or the prefix `xmlns`.
pub(crate) fn check_element(resolved: &ResolveResult<'_>) -> Result<(), XmlError> {
    match resolved {
        ResolveResult::Unknown(prefix) => Err(undeclared(prefix)),
        ResolveResult::Bound(Namespace(XMLNS_NAMESPACE)) => Err(XmlError::malformed(
            "an element cannot have the prefix `xmlns`",
        )),
        _ => Ok(()),
    }
}

/// The careful reader's check of a start tag's attributes (name and
/// value, references resolved) against `resolver`'s scope, which holds
/// the tag's own declarations.
///
/// # Errors
/// [`XmlError::Syntax`] for a prefix not declared, a declaration §3
/// forbids, or two attributes of one expanded name.
pub(crate) fn check_attributes(
    resolver: &NamespaceResolver,
    attributes: &[Attribute<'_>],
) -> Result<(), XmlError> {
    // The expanded names of the prefixed attributes seen so far.
    let mut expanded: Vec<(&str, &str)> = Vec::new();
    for (name, value) in attributes {
        match split_qname(name) {
            (None, "xmlns") => check_binding(None, value)?,
            (Some("xmlns"), prefix) => check_binding(Some(prefix), value)?,
            (Some(_), local) => match resolver.resolve_attribute(QName(name)).0 {
                ResolveResult::Bound(Namespace(uri)) => {
                    if expanded.contains(&(uri, local)) {
                        return Err(XmlError::malformed(
                            "two attributes of one namespace and local name",
                        ));
                    }
                    expanded.push((uri, local));
                }
                ResolveResult::Unknown(prefix) => return Err(undeclared(&prefix)),
                ResolveResult::Unbound => {}
            },
            (None, _) => {}
        }
    }
    Ok(())
}

/// A namespace declaration in the plain pass's scope.
#[derive(Debug, Clone, Copy)]
struct Declared<'a> {
    /// The depth of the element declaring it.
    depth: usize,
    /// Its prefix; `""` for the default namespace.
    prefix: &'a str,
    /// Its URI; `""` undeclares the default namespace.
    uri: &'a str,
}

/// The namespace declarations in scope, for the plain pass: its start
/// tags' attributes are literal (no references), so values are URIs as
/// they stand. `None` from a method: leave the document to the careful
/// reader, which words the refusal.
#[derive(Debug, Default)]
pub(crate) struct Scope<'a> {
    declared: Vec<Declared<'a>>,
}

impl<'a> Scope<'a> {
    /// An empty scope, with room for a few declarations.
    pub(crate) fn new() -> Self {
        Self {
            declared: Vec::with_capacity(4),
        }
    }

    /// Adds the declarations among the attributes of a start tag at
    /// `depth`, then checks its attributes' prefixes against them: `None`
    /// for a declaration §3 forbids, an undeclared prefix, or two prefixed
    /// attributes of one local name (whatever their namespaces: the careful
    /// reader tells those apart).
    pub(crate) fn enter(&mut self, depth: usize, attributes_text: &'a str) -> Option<()> {
        if attributes_text.is_empty() {
            return Some(());
        }
        let mut prefixed = false;
        for (name, uri) in attributes(attributes_text) {
            let prefix = match split_qname(name) {
                (None, "xmlns") => "",
                (Some("xmlns"), prefix) => prefix,
                (Some(_), _) => {
                    prefixed = true;
                    continue;
                }
                (None, _) => continue,
            };
            let declared = (!prefix.is_empty()).then_some(prefix);
            check_binding(declared, uri).ok()?;
            self.declared.push(Declared { depth, prefix, uri });
        }
        // Most start tags have no prefixed attribute but declarations.
        match prefixed {
            true => self.check_prefixed(attributes_text),
            false => Some(()),
        }
    }

    /// Checks the prefixed attributes of a start tag whose declarations
    /// are in scope.
    fn check_prefixed(&self, attributes_text: &str) -> Option<()> {
        let mut locals: [&str; 4] = [""; 4];
        let mut count = 0;
        for (name, _) in attributes(attributes_text) {
            let (Some(prefix), local) = split_qname(name) else {
                continue;
            };
            if prefix == "xmlns" {
                continue;
            }
            self.resolve(prefix)?;
            if count == locals.len() || locals[..count].contains(&local) {
                return None;
            }
            locals[count] = local;
            count += 1;
        }
        Some(())
    }

    /// Drops the declarations of the element at `depth`, now closed.
    pub(crate) fn leave(&mut self, depth: usize) {
        while self.declared.last().is_some_and(|d| d.depth >= depth) {
            self.declared.pop();
        }
    }

    /// The URI bound to `prefix` (`""`: the default namespace):
    /// `Some(None)` for no namespace, `None` for a prefix never declared
    /// (or `xmlns`, which no element or attribute may have).
    pub(crate) fn resolve(&self, prefix: &str) -> Option<Option<&'a str>> {
        match self.declared.iter().rev().find(|d| d.prefix == prefix) {
            Some(declared) if declared.uri.is_empty() => Some(None),
            Some(declared) => Some(Some(declared.uri)),
            None if prefix.is_empty() => Some(None),
            None if prefix == "xml" => Some(Some(XML_NAMESPACE)),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_bind_only_what_namespaces_in_xml_allows() {
        assert!(check_binding(Some("p"), "urn:p").is_ok());
        assert!(check_binding(None, "").is_ok());
        assert!(check_binding(Some("xml"), XML_NAMESPACE).is_ok());
        for (prefix, uri) in [
            (Some("p"), ""),
            (Some("xmlns"), XMLNS_NAMESPACE),
            (Some("xml"), "urn:x"),
            (Some("p"), XML_NAMESPACE),
            (None, XMLNS_NAMESPACE),
        ] {
            assert!(check_binding(prefix, uri).is_err(), "{prefix:?} {uri}");
        }
    }

    #[test]
    fn the_plain_scope_resolves_declared_prefixes_only() {
        let mut scope = Scope::new();
        assert_eq!(scope.enter(1, " xmlns:a='urn:a' xmlns='urn:d'"), Some(()));
        assert_eq!(
            scope.enter(2, " a:x='1' xml:lang='en' xmlns:a='urn:b'"),
            Some(())
        );
        assert_eq!(scope.resolve("a"), Some(Some("urn:b")));
        assert_eq!(scope.resolve("xml"), Some(Some(XML_NAMESPACE)));
        assert_eq!(scope.resolve("b"), None);
        assert_eq!(scope.resolve("xmlns"), None);
        scope.leave(2);
        assert_eq!(scope.resolve("a"), Some(Some("urn:a")));
        assert_eq!(scope.resolve(""), Some(Some("urn:d")));
        assert_eq!(scope.enter(2, " b:x='1'"), None);
        assert_eq!(scope.enter(2, " xmlns:p=''"), None);
        assert_eq!(scope.enter(2, " a:x='1' xmlns:c='urn:c' c:x='2'"), None);
    }
}
