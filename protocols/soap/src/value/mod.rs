//! Values as XML: a serde [`Deserializer`](serde::Deserializer) over an
//! element tree ([`de`]) and a serde [`Serializer`](serde::Serializer) that
//! writes elements ([`ser`]), with one mapping both follow:
//!
//! | Rust (serde) | XML |
//! |---|---|
//! | string, char | the element's text, whitespace kept; all of Unicode XML 1.0 can carry; `""` as `<![CDATA[]]>` |
//! | integers | decimal text, range-checked for the field's width |
//! | `f32`, `f64` | decimal text; `INF`, `-INF`, `NaN` |
//! | `bool` | `true`/`false` (`1`/`0` read too) |
//! | `Option` | absent (as a field) or `xsi:nil="true"`; present is `Some` |
//! | sequence field | the field's element repeated, once per item (none for `[]`) |
//! | sequence in a sequence | an element holding one `<item>` per item |
//! | struct, map | an element holding one element per field or key |
//! | enum | a unit variant is its name as text; others an element named after the variant |
//! | bytes (`serialize_bytes`) | `xs:base64Binary` text |
//!
//! A field that is absent decodes as `None` or an empty list, and is an
//! error for any other type (XML has no way to tell an absent value from
//! one left to its default, so `#[serde(default)]` applies only to those).
//! Untyped reads (`deserialize_any`, as `serde_json::Value` does) cannot
//! know a field's type: text that reads as a number is a number, all other
//! text a string, an element with children a map, a repeated element a list.

pub(crate) mod de;
pub(crate) mod ser;

use std::fmt;

/// Why a value could not be read from or written to XML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError(String);

impl ValueError {
    pub(crate) fn new(message: impl fmt::Display) -> Self {
        Self(message.to_string())
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ValueError {}

impl serde::de::Error for ValueError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::new(msg)
    }
}

impl serde::ser::Error for ValueError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::new(msg)
    }
}

/// The element name of each item of a sequence nested in a sequence.
pub(crate) const ITEM: &str = "item";

#[cfg(test)]
mod tests;
