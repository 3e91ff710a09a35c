//! [`KeySer`]: a map's key as an element name.

use serde::ser::{self, Impossible, Serialize};

use super::Result;
use crate::value::ValueError;

/// Turns a map key into text.
pub(super) struct KeySer;

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
