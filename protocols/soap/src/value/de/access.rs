//! Walking lists, structs and maps, and enums for serde's visitors.

use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::{ElementDe, FieldDe, Result, clip};
use crate::value::ValueError;
use crate::xml::tree::Element;

/// The items of a list: the elements of a repeated field, or the children
/// of a list element.
pub(super) struct Items<'e, 'a>(pub(super) std::vec::IntoIter<&'e Element<'a>>);

impl<'de> de::SeqAccess<'de> for Items<'_, '_> {
    type Error = ValueError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        self.0
            .next()
            .map(|element| seed.deserialize(ElementDe(element)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// A struct's or map's fields: its children grouped by name.
pub(super) struct Groups<'e, 'a> {
    pub(super) groups: std::vec::IntoIter<FieldDe<'e, 'a>>,
    pub(super) value: Option<FieldDe<'e, 'a>>,
}

impl<'de> de::MapAccess<'de> for Groups<'_, '_> {
    type Error = ValueError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some(group) = self.groups.next() else {
            return Ok(None);
        };
        let key: StrDeserializer<'_, ValueError> = group.name.into_deserializer();
        let key = seed.deserialize(key);
        self.value = Some(group);
        key.map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let group = self
            .value
            .take()
            .ok_or_else(|| ValueError::new("a field value without its name"))?;
        seed.deserialize(group)
    }
}

/// A unit variant: the element's text names it.
pub(super) struct UnitVariant<'e>(pub(super) &'e str);

impl<'de> de::EnumAccess<'de> for UnitVariant<'_> {
    type Error = ValueError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let name: StrDeserializer<'_, ValueError> = self.0.into_deserializer();
        Ok((seed.deserialize(name)?, self))
    }
}

impl<'de> de::VariantAccess<'de> for UnitVariant<'_> {
    type Error = ValueError;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value> {
        Err(self.content_expected())
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value> {
        Err(self.content_expected())
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        Err(self.content_expected())
    }
}

impl UnitVariant<'_> {
    fn content_expected(&self) -> ValueError {
        ValueError::new(format_args!(
            "the variant `{}` must be an element with its content",
            clip(self.0)
        ))
    }
}

/// A variant with content: the child element's name names it.
pub(super) struct Variant<'e, 'a>(pub(super) &'e Element<'a>);

impl<'de> de::EnumAccess<'de> for Variant<'_, '_> {
    type Error = ValueError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let name: StrDeserializer<'_, ValueError> = self.0.name.as_str().into_deserializer();
        Ok((seed.deserialize(name)?, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, '_> {
    type Error = ValueError;

    fn unit_variant(self) -> Result<()> {
        de::Deserializer::deserialize_unit(ElementDe(self.0), de::IgnoredAny).map(drop)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(ElementDe(self.0))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_seq(ElementDe(self.0), visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_struct(ElementDe(self.0), "", fields, visitor)
    }
}
