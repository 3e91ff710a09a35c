//! Reading values from an element tree: see the [module above](super) for
//! the mapping. [`ElementDe`] reads one element; [`FieldDe`] the sibling
//! elements of one name; [`access`] walks lists, structs and enums.

use base64::Engine;
use serde::de::{self, Visitor};

use access::{Groups, Items, UnitVariant, Variant};

mod access;
mod field;

pub(crate) use field::FieldDe;

use super::ValueError;
use crate::xml::tree::Element;

type Result<T> = std::result::Result<T, ValueError>;

/// One element read as a value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ElementDe<'e, 'a>(pub(crate) &'e Element<'a>);

macro_rules! parse_scalar {
    ($($method:ident => $visit:ident($ty:ty),)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            let text = self.scalar_text()?;
            let value: $ty = text.trim().parse().map_err(|_| {
                ValueError::new(format_args!(
                    "`{}`: {:?} is not a valid {}", self.0.name, clip(text), stringify!($ty)
                ))
            })?;
            visitor.$visit(value)
        })*
    };
}

/// The first characters of a value, for messages.
fn clip(text: &str) -> &str {
    match text.char_indices().nth(40) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

impl<'e, 'a> ElementDe<'e, 'a> {
    /// The text of an element that must hold only text.
    fn scalar_text(&self) -> Result<&'e str> {
        if self.0.nil {
            return Err(ValueError::new(format_args!(
                "`{}` is nil, but its value is not optional",
                self.0.name
            )));
        }
        if !self.0.children.is_empty() {
            return Err(ValueError::new(format_args!(
                "`{}` holds elements where a single value was expected",
                self.0.name
            )));
        }
        Ok(&self.0.text)
    }

    fn float(&self) -> Result<f64> {
        let text = self.scalar_text()?.trim();
        match text {
            "INF" | "+INF" => Ok(f64::INFINITY),
            "-INF" => Ok(f64::NEG_INFINITY),
            "NaN" => Ok(f64::NAN),
            _ => text.parse().map_err(|_| {
                ValueError::new(format_args!(
                    "`{}`: {:?} is not a valid number",
                    self.0.name,
                    clip(text)
                ))
            }),
        }
    }

    fn groups(&self, fields: &'static [&'static str]) -> Groups<'e, 'a> {
        let mut groups: Vec<FieldDe<'e, 'a>> = Vec::with_capacity(fields.len());
        for child in &self.0.children {
            match groups.iter_mut().find(|g| g.name == child.name) {
                Some(group) => group.elements.push(child),
                None => groups.push(FieldDe {
                    name: &child.name,
                    elements: vec![child],
                }),
            }
        }
        for field in fields {
            if !groups.iter().any(|g| g.name == *field) {
                groups.push(FieldDe {
                    name: field,
                    elements: Vec::new(),
                });
            }
        }
        Groups {
            groups: groups.into_iter(),
            value: None,
        }
    }
}

/// Whether untyped text reads as a number: JSON's number syntax.
fn looks_numeric(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
}

impl<'de> de::Deserializer<'de> for ElementDe<'_, '_> {
    type Error = ValueError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.0.nil {
            return visitor.visit_unit();
        }
        if !self.0.children.is_empty() {
            return self.deserialize_map(visitor);
        }
        let text: &str = &self.0.text;
        if looks_numeric(text) {
            if let Ok(n) = text.parse::<i64>() {
                return visitor.visit_i64(n);
            }
            if let Ok(n) = text.parse::<u64>() {
                return visitor.visit_u64(n);
            }
            if let Ok(n) = text.parse::<f64>() {
                return visitor.visit_f64(n);
            }
        }
        visitor.visit_str(text)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.scalar_text()?.trim() {
            "true" | "1" => visitor.visit_bool(true),
            "false" | "0" => visitor.visit_bool(false),
            other => Err(ValueError::new(format_args!(
                "`{}`: {:?} is not a boolean (true, false, 1 or 0)",
                self.0.name,
                clip(other)
            ))),
        }
    }

    parse_scalar! {
        deserialize_i8 => visit_i8(i8),
        deserialize_i16 => visit_i16(i16),
        deserialize_i32 => visit_i32(i32),
        deserialize_i64 => visit_i64(i64),
        deserialize_i128 => visit_i128(i128),
        deserialize_u8 => visit_u8(u8),
        deserialize_u16 => visit_u16(u16),
        deserialize_u32 => visit_u32(u32),
        deserialize_u64 => visit_u64(u64),
        deserialize_u128 => visit_u128(u128),
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        // As f64 then narrowed: the text's nearest f32 either way.
        #[allow(clippy::cast_possible_truncation)]
        visitor.visit_f32(self.float()? as f32)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_f64(self.float()?)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let text = self.scalar_text()?;
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(ch), None) => visitor.visit_char(ch),
            _ => Err(ValueError::new(format_args!(
                "`{}` must hold exactly one character",
                self.0.name
            ))),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_str(self.scalar_text()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let text: String = self
            .scalar_text()?
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| ValueError::new(format_args!("`{}` is not valid base64", self.0.name)))?;
        visitor.visit_byte_buf(bytes)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.0.nil {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.0.nil || (self.0.children.is_empty() && self.0.text.trim().is_empty()) {
            visitor.visit_unit()
        } else {
            Err(ValueError::new(format_args!(
                "`{}` must be empty",
                self.0.name
            )))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.0.nil {
            return Err(ValueError::new(format_args!(
                "`{}` is nil, but a list was expected",
                self.0.name
            )));
        }
        visitor.visit_seq(Items(
            self.0.children.iter().collect::<Vec<_>>().into_iter(),
        ))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_struct("", &[], visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        if self.0.nil {
            return Err(ValueError::new(format_args!(
                "`{}` is nil, but its value is not optional",
                self.0.name
            )));
        }
        if self.0.children.is_empty() && !self.0.text.trim().is_empty() {
            return Err(ValueError::new(format_args!(
                "`{}` holds text where elements were expected",
                self.0.name
            )));
        }
        visitor.visit_map(self.groups(fields))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.0.children.as_slice() {
            [] => visitor.visit_enum(UnitVariant(self.scalar_text()?.trim())),
            [variant] => visitor.visit_enum(Variant(variant)),
            _ => Err(ValueError::new(format_args!(
                "`{}` must hold one variant",
                self.0.name
            ))),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }
}
