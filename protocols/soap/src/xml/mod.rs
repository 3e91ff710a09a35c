//! XML underneath the protocol: reading one element into a tree
//! ([`tree`]), escaping text for writing ([`escape`]), and the errors of
//! both.

pub(crate) mod escape;
pub(crate) mod lexer;
pub(crate) mod tree;

use std::borrow::Cow;

use switchboard::ProtocolError;

/// Why XML could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum XmlError {
    /// Not well-formed XML.
    #[error("not well-formed XML: {0}")]
    Syntax(Cow<'static, str>),
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
            Error::Namespace(_) => "an undeclared namespace prefix".into(),
            _ => "unreadable markup".into(),
        };
        Self::Syntax(why)
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
            XmlError::Syntax(_) => ProtocolError::Malformed(Box::new(err)),
        }
    }
}
