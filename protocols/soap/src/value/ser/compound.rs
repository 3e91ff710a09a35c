//! Writing lists, structs, maps and variants with content, element by
//! element.

use serde::ser::{self, Serialize};

use super::key::KeySer;
use super::{ElementSer, Position, Result, close, is_ncname};
use crate::value::ValueError;

/// Writes a list's items.
#[derive(Debug)]
pub(crate) struct ListSer<'o, 'n> {
    pub(super) out: &'o mut Vec<u8>,
    pub(super) name: &'n str,
    pub(super) item_name: &'n str,
    pub(super) wrapped: bool,
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
    pub(super) out: &'o mut Vec<u8>,
    pub(super) name: &'n str,
    pub(super) key: Option<String>,
    /// A struct's fields as written so far: name and bytes in `out`.
    pub(super) fields: Vec<(&'static str, std::ops::Range<usize>)>,
    /// Where the fields begin in `out`.
    pub(super) start: usize,
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
    pub(super) inner: S,
    pub(super) outer: &'n str,
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
