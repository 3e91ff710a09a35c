//! Writing values as elements qualified in the target namespace (prefix
//! `tns`, declared by the envelope): see the [module above](super) for the
//! mapping.

use base64::Engine;
use serde::ser::{self, Serialize};

mod compound;
mod key;

pub(crate) use compound::{ListSer, MapSer, VariantSer};

use super::{ITEM, ValueError};
use crate::xml::escape;

type Result<T> = std::result::Result<T, ValueError>;

/// The namespace prefix every element is written with.
pub(crate) const PREFIX: &str = "tns";

/// Where an element stands, which decides how "nothing" and lists look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position {
    /// A struct field or a method's result: `None` and `()` are left out,
    /// a list repeats the element.
    Field,
    /// An item of a list (or a method's request element): `None` is
    /// `xsi:nil`, `()` an empty element, a list a wrapper of `<item>`s.
    Item,
}

/// Writes one value as the element `name`.
#[derive(Debug)]
pub(crate) struct ElementSer<'o, 'n> {
    out: &'o mut Vec<u8>,
    name: &'n str,
    position: Position,
}

impl<'o, 'n> ElementSer<'o, 'n> {
    pub(crate) fn new(out: &'o mut Vec<u8>, name: &'n str, position: Position) -> Self {
        Self {
            out,
            name,
            position,
        }
    }

    fn open(&mut self) {
        open(self.out, self.name);
    }

    fn text(mut self, text: &str) -> Result<()> {
        self.open();
        escape::text(self.out, text).map_err(ValueError::new)?;
        close(self.out, self.name);
        Ok(())
    }

    fn empty(self) {
        self.out.push(b'<');
        self.out.extend_from_slice(PREFIX.as_bytes());
        self.out.push(b':');
        self.out.extend_from_slice(self.name.as_bytes());
        self.out.extend_from_slice(b"/>");
    }

    /// A list: repeated elements as a field, a wrapper of items as an item.
    fn list(mut self) -> ListSer<'o, 'n> {
        match self.position {
            Position::Field => ListSer {
                out: self.out,
                name: self.name,
                item_name: self.name,
                wrapped: false,
            },
            Position::Item => {
                self.open();
                ListSer {
                    out: self.out,
                    name: self.name,
                    item_name: ITEM,
                    wrapped: true,
                }
            }
        }
    }
}

pub(crate) fn open(out: &mut Vec<u8>, name: &str) {
    out.push(b'<');
    out.extend_from_slice(PREFIX.as_bytes());
    out.push(b':');
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
}

pub(crate) fn close(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(b"</");
    out.extend_from_slice(PREFIX.as_bytes());
    out.push(b':');
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
}

/// A float in `xs:double`'s lexical space.
fn float(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value == f64::INFINITY {
        "INF".to_owned()
    } else if value == f64::NEG_INFINITY {
        "-INF".to_owned()
    } else {
        // Debug is the shortest text that reads back as the same value.
        format!("{value:?}")
    }
}

/// Whether `name` can be an element name (an XML `NCName`).
pub(crate) fn is_ncname(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

impl<'o, 'n> ser::Serializer for ElementSer<'o, 'n> {
    type Ok = ();
    type Error = ValueError;
    type SerializeSeq = ListSer<'o, 'n>;
    type SerializeTuple = ListSer<'o, 'n>;
    type SerializeTupleStruct = ListSer<'o, 'n>;
    type SerializeTupleVariant = VariantSer<'n, ListSer<'o, 'n>>;
    type SerializeMap = MapSer<'o, 'n>;
    type SerializeStruct = MapSer<'o, 'n>;
    type SerializeStructVariant = VariantSer<'n, MapSer<'o, 'n>>;

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.text(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result<()> {
        self.text(&v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<()> {
        self.text(&v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<()> {
        self.text(&v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<()> {
        self.text(&v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Result<()> {
        self.text(&v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<()> {
        self.text(&v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<()> {
        self.text(&v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<()> {
        self.text(&v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<()> {
        self.text(&v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Result<()> {
        self.text(&v.to_string())
    }
    fn serialize_f32(self, v: f32) -> Result<()> {
        if v.is_finite() {
            self.text(&format!("{v:?}"))
        } else {
            self.text(&float(f64::from(v)))
        }
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        self.text(&float(v))
    }
    fn serialize_char(self, v: char) -> Result<()> {
        self.text(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(mut self, v: &str) -> Result<()> {
        if v.is_empty() {
            // An empty CDATA section: toolkits built on lxml (zeep) read an
            // element with no text at all as `None`, this one as "".
            self.open();
            self.out.extend_from_slice(b"<![CDATA[]]>");
            close(self.out, self.name);
            return Ok(());
        }
        self.text(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        self.text(&base64::engine::general_purpose::STANDARD.encode(v))
    }
    fn serialize_none(self) -> Result<()> {
        if self.position == Position::Item {
            self.out.push(b'<');
            self.out.extend_from_slice(PREFIX.as_bytes());
            self.out.push(b':');
            self.out.extend_from_slice(self.name.as_bytes());
            self.out.extend_from_slice(b" xsi:nil=\"true\"/>");
        }
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<()> {
        if self.position == Position::Item {
            self.empty();
        }
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<()> {
        self.text(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<()> {
        self.open();
        value.serialize(ElementSer::new(self.out, variant, Position::Item))?;
        close(self.out, self.name);
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<ListSer<'o, 'n>> {
        Ok(self.list())
    }
    fn serialize_tuple(self, _len: usize) -> Result<ListSer<'o, 'n>> {
        Ok(self.list())
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<ListSer<'o, 'n>> {
        Ok(self.list())
    }
    fn serialize_tuple_variant(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<VariantSer<'n, ListSer<'o, 'n>>> {
        self.open();
        let outer = self.name;
        let inner = ElementSer::new(self.out, variant, Position::Item);
        Ok(VariantSer {
            inner: inner.list(),
            outer,
        })
    }
    fn serialize_map(mut self, _len: Option<usize>) -> Result<MapSer<'o, 'n>> {
        self.open();
        let start = self.out.len();
        Ok(MapSer {
            out: self.out,
            name: self.name,
            key: None,
            fields: Vec::new(),
            start,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapSer<'o, 'n>> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSer<'n, MapSer<'o, 'n>>> {
        self.open();
        let outer = self.name;
        let inner = ElementSer::new(self.out, variant, Position::Item);
        Ok(VariantSer {
            inner: inner.serialize_map(Some(len))?,
            outer,
        })
    }
}
