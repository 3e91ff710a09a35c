//! XML underneath the protocol: request bytes as text ([`encoding`]), the
//! XML declaration ([`declaration`]), the characters and names XML allows
//! ([`chars`], [`names`]), namespaces ([`namespaces`]), the fast reader
//! for plain XML ([`lexer`]) and what the careful reader checks on top of
//! quick-xml ([`wellformed`]), reading one element into a tree
//! ([`tree`]), escaping text for writing ([`escape`]), and the errors of
//! all of them.
//!
//! The reference for what is well-formed is XML 1.0 (fifth edition) and
//! Namespaces in XML 1.0 (third edition), not quick-xml, which reads
//! several things they forbid without a word.

pub(crate) mod chars;
pub(crate) mod declaration;
pub(crate) mod encoding;
pub(crate) mod escape;
pub(crate) mod lexer;
pub(crate) mod names;
pub(crate) mod namespaces;
pub(crate) mod tree;
pub(crate) mod wellformed;

use std::borrow::Cow;

use switchboard::ProtocolError;

/// Why XML could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum XmlError {
    /// Not well-formed XML.
    #[error("not well-formed XML: {0}")]
    Syntax(Cow<'static, str>),
    /// A document in an encoding this reader does not decode.
    #[error(
        "the document is encoded in `{0}`, which is not read here: send UTF-8 (or US-ASCII, its subset)"
    )]
    Encoding(String),
    /// A `<!DOCTYPE …>`: DTDs are never processed.
    #[error("a DOCTYPE is not allowed in a SOAP message")]
    DocType,
    /// A reference to an entity no DTD could have defined.
    #[error(
        "a reference to an undefined entity (only the five predefined entities and character references exist)"
    )]
    UndefinedEntity,
    /// Elements nested deeper than the limit.
    #[error("elements nest deeper than {limit}")]
    TooDeep {
        /// The configured limit.
        limit: usize,
    },
}

impl XmlError {
    /// A parser error, by message only: quick-xml's errors may quote the
    /// input, which is never echoed beyond a name.
    pub(crate) fn syntax(err: quick_xml::Error) -> Self {
        use quick_xml::Error;
        let why: Cow<'static, str> = match err {
            Error::Syntax(syntax) => syntax.to_string().into(),
            Error::IllFormed(ill) => ill.to_string().into(),
            Error::Encoding(_) => "the text is not UTF-8".into(),
            Error::Escape(_) => "a malformed reference".into(),
            Error::Namespace(_) => "a namespace declaration Namespaces in XML forbids".into(),
            _ => "unreadable markup".into(),
        };
        Self::Syntax(why)
    }

    /// Not well-formed, for a reason of our own wording.
    pub(crate) fn malformed(why: impl Into<Cow<'static, str>>) -> Self {
        Self::Syntax(why.into())
    }
}

impl From<XmlError> for ProtocolError {
    fn from(err: XmlError) -> Self {
        match err {
            XmlError::TooDeep { limit } => ProtocolError::LimitExceeded {
                what: "nesting depth",
                limit,
            },
            XmlError::DocType | XmlError::UndefinedEntity => {
                ProtocolError::InvalidRequest(err.to_string())
            }
            // A document in another encoding cannot be read at all: to this
            // reader, its bytes are not XML.
            XmlError::Syntax(_) | XmlError::Encoding(_) => ProtocolError::Malformed(Box::new(err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use switchboard::{Fault, ProtocolError};

    use super::XmlError;

    #[test]
    fn each_error_is_a_client_fault_of_its_own_code() {
        let cases = [
            (XmlError::malformed("x"), "Client.Malformed"),
            (XmlError::Encoding("latin1".into()), "Client.Malformed"),
            (XmlError::DocType, "Client.InvalidRequest"),
            (XmlError::UndefinedEntity, "Client.InvalidRequest"),
            (XmlError::TooDeep { limit: 3 }, "Client.LimitExceeded"),
        ];
        for (err, code) in cases {
            let fault = Fault::from(ProtocolError::from(err));
            assert_eq!(fault.code(), code, "{fault:?}");
        }
        let fault = Fault::from(ProtocolError::from(XmlError::Encoding("latin1".into())));
        assert!(fault.message().contains("`latin1`"), "{fault:?}");
    }
}
