//! Writing values as elements qualified in the target namespace (prefix
//! `tns`, declared by the envelope): see the [module above](super) for the
//! mapping.

use base64::Engine;
use serde::ser::{self, Impossible, Serialize};

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

/// Writes a list's items.
#[derive(Debug)]
pub(crate) struct ListSer<'o, 'n> {
    out: &'o mut Vec<u8>,
    name: &'n str,
    item_name: &'n str,
    wrapped: bool,
}

impl ListSer<'_, '_> {
    fn item<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        value.serialize(ElementSer::new(self.out, self.item_name, Position::Item))
    }

    fn finish(self) -> Result<()> {
        if self.wrapped {
            close(self.out, self.name);
        }
        Ok(())
    }
}

impl ser::SerializeSeq for ListSer<'_, '_> {
    type Ok = ();
    type Error = ValueError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.item(value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeTuple for ListSer<'_, '_> {
    type Ok = ();
    type Error = ValueError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.item(value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for ListSer<'_, '_> {
    type Ok = ();
    type Error = ValueError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.item(value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

/// Writes a struct's fields or a map's entries as child elements.
///
/// A struct's fields are written in name order, whatever their order of
/// declaration: the schema model (and so the WSDL's `xs:sequence`s) keeps
/// properties by name, and a sequence's order is part of the contract.
#[derive(Debug)]
pub(crate) struct MapSer<'o, 'n> {
    out: &'o mut Vec<u8>,
    name: &'n str,
    key: Option<String>,
    /// A struct's fields as written so far: name and bytes in `out`.
    fields: Vec<(&'static str, std::ops::Range<usize>)>,
    /// Where the fields begin in `out`.
    start: usize,
}

impl MapSer<'_, '_> {
    fn field<T: ?Sized + Serialize>(&mut self, name: &str, value: &T) -> Result<()> {
        value.serialize(ElementSer::new(self.out, name, Position::Field))
    }

    fn struct_field<T: ?Sized + Serialize>(&mut self, name: &'static str, value: &T) -> Result<()> {
        let start = self.out.len();
        self.field(name, value)?;
        self.fields.push((name, start..self.out.len()));
        Ok(())
    }

    /// Puts the struct's fields in name order (no copy when they already are).
    fn sort_fields(&mut self) {
        if self.fields.is_sorted_by(|a, b| a.0 <= b.0) {
            return;
        }
        let written = self.out.split_off(self.start);
        self.fields.sort_by(|a, b| a.0.cmp(b.0));
        for (_, range) in &self.fields {
            let offset = range.start - self.start..range.end - self.start;
            self.out.extend_from_slice(&written[offset]);
        }
    }
}

impl ser::SerializeMap for MapSer<'_, '_> {
    type Ok = ();
    type Error = ValueError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        let key = key.serialize(KeySer)?;
        if !is_ncname(&key) {
            return Err(ValueError::new(format_args!(
                "the key {key:?} cannot be an XML element name"
            )));
        }
        self.key = Some(key);
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ValueError::new("a map value without its key"))?;
        self.field(&key, value)
    }
    fn end(self) -> Result<()> {
        close(self.out, self.name);
        Ok(())
    }
}

impl ser::SerializeStruct for MapSer<'_, '_> {
    type Ok = ();
    type Error = ValueError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.struct_field(key, value)
    }
    fn end(mut self) -> Result<()> {
        self.sort_fields();
        close(self.out, self.name);
        Ok(())
    }
}

/// A variant with content: the variant's element inside the value's.
#[derive(Debug)]
pub(crate) struct VariantSer<'n, S> {
    inner: S,
    outer: &'n str,
}

impl VariantSer<'_, ListSer<'_, '_>> {
    fn finish(self) -> Result<()> {
        let outer = self.outer;
        let ListSer { out, name, .. } = self.inner;
        close(out, name);
        close(out, outer);
        Ok(())
    }
}

impl ser::SerializeTupleVariant for VariantSer<'_, ListSer<'_, '_>> {
    type Ok = ();
    type Error = ValueError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.inner.item(value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for VariantSer<'_, MapSer<'_, '_>> {
    type Ok = ();
    type Error = ValueError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.inner.struct_field(key, value)
    }
    fn end(mut self) -> Result<()> {
        self.inner.sort_fields();
        let outer = self.outer;
        let MapSer { out, name, .. } = self.inner;
        close(out, name);
        close(out, outer);
        Ok(())
    }
}

/// Turns a map key into text.
struct KeySer;

impl ser::Serializer for KeySer {
    type Ok = String;
    type Error = ValueError;
    type SerializeSeq = Impossible<String, ValueError>;
    type SerializeTuple = Impossible<String, ValueError>;
    type SerializeTupleStruct = Impossible<String, ValueError>;
    type SerializeTupleVariant = Impossible<String, ValueError>;
    type SerializeMap = Impossible<String, ValueError>;
    type SerializeStruct = Impossible<String, ValueError>;
    type SerializeStructVariant = Impossible<String, ValueError>;

    fn serialize_str(self, v: &str) -> Result<String> {
        Ok(v.to_owned())
    }
    fn serialize_char(self, v: char) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String> {
        value.serialize(self)
    }
    fn serialize_bool(self, _: bool) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_i8(self, _: i8) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_i16(self, _: i16) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_i32(self, _: i32) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_i64(self, _: i64) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_u8(self, _: u8) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_u16(self, _: u16) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_u32(self, _: u32) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_u64(self, _: u64) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_f32(self, _: f32) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_f64(self, _: f64) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_none(self) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_unit(self) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String> {
        Err(not_a_name())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(not_a_name())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(not_a_name())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(not_a_name())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(not_a_name())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(not_a_name())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(not_a_name())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(not_a_name())
    }
}

fn not_a_name() -> ValueError {
    ValueError::new("map keys must be strings to be XML element names")
}
