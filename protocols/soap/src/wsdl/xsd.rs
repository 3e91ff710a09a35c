//! JSON Schemas of the interface model as XML Schema (XSD 1.0): named
//! types as `xs:complexType`/`xs:simpleType`, properties as elements.
//!
//! | JSON Schema | XSD |
//! |---|---|
//! | `string` (`date-time`, `date`, `base64`) | `xs:string` (`xs:dateTime`, `xs:date`, `xs:base64Binary`) |
//! | `integer` by format (`int8` … `uint64`) | `xs:byte` … `xs:unsignedLong` (`xs:integer` without one) |
//! | `number` (`float`) | `xs:double` (`xs:float`) |
//! | `minimum`/`maximum` (exclusive too) | `minInclusive`/`maxInclusive` (`minExclusive`/`maxExclusive`) |
//! | `minLength`/`maxLength`, `pattern`, `enum` | the facets of the same names |
//! | not required, or `null` allowed | `minOccurs="0"`, `nillable="true"` |
//! | `array` | the element repeated: `minOccurs="0" maxOccurs="unbounded"` |
//! | `object` with properties | `xs:sequence` of elements, in name order |
//! | `oneOf` (an enum with data) | `xs:choice` of one element per variant |
//! | `description` | `xs:annotation/xs:documentation` |
//!
//! What XSD cannot say (a map with free keys, a schema that is `true`)
//! becomes `xs:anyType`.

use serde_json::{Map, Value};
use switchboard::interface::InterfaceModel;

use super::text::{Xml, attr, ncname};

/// Writes schemas as XSD, resolving `$ref`s against `model`.
pub(super) struct Xsd<'m> {
    pub(super) model: &'m InterfaceModel,
}

/// An element's occurrence and nillability.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Occurs {
    pub(super) optional: bool,
    pub(super) nillable: bool,
    pub(super) repeated: bool,
}

impl Xsd<'_> {
    /// A named type: `xs:complexType name=…` or `xs:simpleType name=…`.
    pub(super) fn named_type(&self, out: &mut Xml, name: &str, schema: &Value) {
        let name = ncname(name);
        if is_object(schema) || is_choice(schema) {
            out.open(&format!("xs:complexType name=\"{}\"", attr(&name)));
            documentation(out, schema);
            self.complex_content(out, schema);
            out.close("xs:complexType");
        } else {
            out.open(&format!("xs:simpleType name=\"{}\"", attr(&name)));
            documentation(out, schema);
            self.restriction(out, schema);
            out.close("xs:simpleType");
        }
    }

    /// `<xs:element name=…>` for a value of `schema`.
    pub(super) fn element(&self, out: &mut Xml, name: &str, schema: &Value, occurs: Occurs) {
        let (schema, null) = without_null(schema);
        let mut occurs = occurs;
        occurs.nillable |= null;
        occurs.optional |= null;
        // A list field is its element repeated; a list in a list, an
        // element of `item`s.
        if schema_type(&schema) == Some("array") && !occurs.repeated {
            let mut items = schema.get("items").cloned().unwrap_or(Value::Bool(true));
            if let (Some(doc), Some(object)) = (schema.get("description"), items.as_object_mut()) {
                object.insert("description".to_owned(), doc.clone());
            }
            let item_occurs = Occurs {
                optional: true,
                repeated: true,
                nillable: false,
            };
            return self.element(out, name, &items, item_occurs);
        }
        let mut head = format!("xs:element name=\"{}\"", attr(name));
        if occurs.optional || occurs.repeated {
            head.push_str(" minOccurs=\"0\"");
        }
        if occurs.repeated {
            head.push_str(" maxOccurs=\"unbounded\"");
        }
        if occurs.nillable {
            head.push_str(" nillable=\"true\"");
        }
        if let Some(type_name) = self.type_name(&schema) {
            head.push_str(&format!(" type=\"{type_name}\""));
            if has_documentation(&schema) {
                out.open(&head);
                documentation(out, &schema);
                out.close("xs:element");
            } else {
                out.empty(&head);
            }
            return;
        }
        out.open(&head);
        documentation(out, &schema);
        if schema_type(&schema) == Some("array") {
            // A list inside a list.
            out.open("xs:complexType");
            out.open("xs:sequence");
            let items = schema.get("items").cloned().unwrap_or(Value::Bool(true));
            self.element(out, crate::value::ITEM, &items, Occurs::repeated());
            out.close("xs:sequence");
            out.close("xs:complexType");
        } else if is_object(&schema) || is_choice(&schema) {
            out.open("xs:complexType");
            self.complex_content(out, &schema);
            out.close("xs:complexType");
        } else {
            out.open("xs:simpleType");
            self.restriction(out, &schema);
            out.close("xs:simpleType");
        }
        out.close("xs:element");
    }

    /// The content of an object's or an enum's complex type.
    pub(super) fn complex_content(&self, out: &mut Xml, schema: &Value) {
        if let Some(variants) = variants(schema) {
            out.open("xs:choice");
            for variant in variants {
                self.variant(out, variant);
            }
            out.close("xs:choice");
            return;
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        let Some(properties) = properties.filter(|p| !p.is_empty()) else {
            if schema
                .get("additionalProperties")
                .is_some_and(|a| a != &Value::Bool(false))
            {
                out.open("xs:sequence");
                out.empty("xs:any minOccurs=\"0\" maxOccurs=\"unbounded\" processContents=\"lax\"");
                out.close("xs:sequence");
            } else {
                out.empty("xs:sequence");
            }
            return;
        };
        let required = required(schema);
        out.open("xs:sequence");
        // Name order: the order switchboard writes fields in.
        let mut names: Vec<&String> = properties.keys().collect();
        names.sort();
        for name in names {
            let occurs = Occurs {
                optional: !required.contains(&name.as_str()),
                ..Occurs::default()
            };
            self.element(out, name, &properties[name.as_str()], occurs);
        }
        out.close("xs:sequence");
    }

    /// One variant of an enum with data: `{"properties": {"Circle": …}}`
    /// is the element `Circle`; a unit variant an empty element.
    fn variant(&self, out: &mut Xml, variant: &Value) {
        let variant = self.model.resolve(variant);
        if let Some(names) = string_values(variant) {
            for name in names {
                out.empty(&format!("xs:element name=\"{}\"", attr(&ncname(&name))));
            }
            return;
        }
        let properties = variant.get("properties").and_then(Value::as_object);
        if let Some((name, schema)) = properties.and_then(|p| p.iter().next()) {
            self.element(out, name, schema, Occurs::default());
        }
    }

    /// A simple type's `xs:restriction` with its facets.
    fn restriction(&self, out: &mut Xml, schema: &Value) {
        let base = simple_type(schema);
        let facets = facets(schema, base);
        if facets.is_empty() {
            out.empty(&format!("xs:restriction base=\"{base}\""));
            return;
        }
        out.open(&format!("xs:restriction base=\"{base}\""));
        for facet in facets {
            out.empty(&facet);
        }
        out.close("xs:restriction");
    }

    /// The name of the type `schema` is, when it needs no inline
    /// definition: a named type, or a built-in type without facets.
    fn type_name(&self, schema: &Value) -> Option<String> {
        if let Some(name) = self.model.definition_name(schema) {
            let target = self.model.resolve(schema);
            if target.is_object() || target == &Value::Bool(true) {
                return Some(format!("tns:{}", ncname(name)));
            }
        }
        if schema == &Value::Bool(true) || schema.as_object().is_some_and(Map::is_empty) {
            return Some("xs:anyType".to_owned());
        }
        if is_object(schema) || is_choice(schema) || schema_type(schema) == Some("array") {
            return None;
        }
        let base = simple_type(schema);
        facets(schema, base).is_empty().then(|| base.to_owned())
    }
}

impl Occurs {
    fn repeated() -> Self {
        Self {
            optional: true,
            nillable: false,
            repeated: true,
        }
    }
}

/// The schema's `type`, ignoring a `"null"` beside it.
fn schema_type(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(t) => Some(t),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ => None,
    }
}

/// `schema` without its `null` alternative, and whether it had one.
fn without_null(schema: &Value) -> (Value, bool) {
    if let Some(Value::Array(types)) = schema.get("type") {
        if types.iter().any(|t| t == "null") {
            let rest: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
            let mut schema = schema.clone();
            schema["type"] = match rest.as_slice() {
                [one] => one.clone(),
                _ => Value::Array(rest),
            };
            return (schema, true);
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(options)) = schema.get(key) {
            let is_null = |s: &Value| s.get("type").and_then(Value::as_str) == Some("null");
            if options.len() == 2 && options.iter().any(is_null) {
                let mut inner = options
                    .iter()
                    .find(|s| !is_null(s))
                    .cloned()
                    .unwrap_or(Value::Bool(true));
                if let (Some(doc), Some(object)) =
                    (schema.get("description"), inner.as_object_mut())
                {
                    object.insert("description".to_owned(), doc.clone());
                }
                return (inner, true);
            }
        }
    }
    (schema.clone(), false)
}

fn is_object(schema: &Value) -> bool {
    schema_type(schema) == Some("object")
}

fn is_choice(schema: &Value) -> bool {
    variants(schema).is_some()
}

/// The variants of an enum with data (`oneOf` whose members are not all
/// plain strings).
fn variants(schema: &Value) -> Option<&Vec<Value>> {
    let options = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))?
        .as_array()?;
    let all_strings = options.iter().all(|o| string_values(o).is_some());
    (!all_strings).then_some(options)
}

/// The values of a string enumeration (`enum`, `const`, or a `oneOf` of them).
fn string_values(schema: &Value) -> Option<Vec<String>> {
    if let Some(Value::Array(values)) = schema.get("enum") {
        return values
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect();
    }
    if let Some(Value::String(value)) = schema.get("const") {
        return Some(vec![value.clone()]);
    }
    let options = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))?
        .as_array()?;
    let mut all = Vec::new();
    for option in options {
        all.extend(string_values(option)?);
    }
    Some(all)
}

fn required(schema: &Value) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The built-in XSD type of a scalar schema.
fn simple_type(schema: &Value) -> &'static str {
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    match schema_type(schema) {
        Some("integer") => match format {
            "int8" => "xs:byte",
            "int16" => "xs:short",
            "int32" => "xs:int",
            "int64" | "int" => "xs:long",
            "uint8" => "xs:unsignedByte",
            "uint16" => "xs:unsignedShort",
            "uint32" => "xs:unsignedInt",
            "uint64" | "uint" => "xs:unsignedLong",
            _ => "xs:integer",
        },
        Some("number") if format == "float" => "xs:float",
        Some("number") => "xs:double",
        Some("boolean") => "xs:boolean",
        Some("string") => match (
            format,
            schema.get("contentEncoding").and_then(Value::as_str),
        ) {
            (_, Some("base64")) | ("byte", _) => "xs:base64Binary",
            ("date-time", _) => "xs:dateTime",
            ("date", _) => "xs:date",
            _ => "xs:string",
        },
        _ if string_values(schema).is_some() => "xs:string",
        _ => "xs:anyType",
    }
}

/// The facets `schema`'s constraints give on `base`.
fn facets(schema: &Value, base: &str) -> Vec<String> {
    let integer = base != "xs:double" && base != "xs:float" && base != "xs:string";
    let natural = natural_range(base);
    let number = |key: &str| schema.get(key).and_then(Value::as_f64);
    let mut facets = Vec::new();
    for (key, facet) in [
        ("minimum", "minInclusive"),
        ("exclusiveMinimum", "minExclusive"),
        ("maximum", "maxInclusive"),
        ("exclusiveMaximum", "maxExclusive"),
    ] {
        if let Some(value) = number(key) {
            // A bound the type itself has (0 for unsigned types, 255 for
            // `xs:unsignedByte`) says nothing more.
            let (low, high) = natural.unwrap_or((f64::NAN, f64::NAN));
            if (key == "minimum" && value == low) || (key == "maximum" && value == high) {
                continue;
            }
            facets.push(format!("xs:{facet} value=\"{}\"", bound(value, integer)));
        }
    }
    for key in ["minLength", "maxLength"] {
        if let Some(value) = schema.get(key).and_then(Value::as_u64) {
            facets.push(format!("xs:{key} value=\"{value}\""));
        }
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        facets.push(format!(
            "xs:pattern value=\"{}\"",
            attr(&xsd_pattern(pattern))
        ));
    }
    if let Some(values) = string_values(schema) {
        for value in values {
            facets.push(format!("xs:enumeration value=\"{}\"", attr(&value)));
        }
    }
    facets
}

/// The range an integer type has by itself.
#[allow(clippy::cast_precision_loss)]
fn natural_range(base: &str) -> Option<(f64, f64)> {
    Some(match base {
        "xs:byte" => (f64::from(i8::MIN), f64::from(i8::MAX)),
        "xs:short" => (f64::from(i16::MIN), f64::from(i16::MAX)),
        "xs:int" => (f64::from(i32::MIN), f64::from(i32::MAX)),
        "xs:long" => (i64::MIN as f64, i64::MAX as f64),
        "xs:unsignedByte" => (0.0, f64::from(u8::MAX)),
        "xs:unsignedShort" => (0.0, f64::from(u16::MAX)),
        "xs:unsignedInt" => (0.0, f64::from(u32::MAX)),
        "xs:unsignedLong" => (0.0, u64::MAX as f64),
        _ => return None,
    })
}

/// A bound as the base type writes it (`1`, not `1.0`, for integers).
fn bound(value: f64, integer: bool) -> String {
    if integer && value.fract() == 0.0 && value.abs() < 1e18 {
        // Integral and in range: the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        let whole = value as i64;
        whole.to_string()
    } else {
        format!("{value:?}")
    }
}

/// A JSON Schema (ECMA) pattern as an XSD pattern, which is anchored at
/// both ends: `^…$` loses its anchors, an unanchored one matches anywhere.
fn xsd_pattern(pattern: &str) -> String {
    match (pattern.strip_prefix('^'), pattern.ends_with('$')) {
        (Some(rest), true) => rest[..rest.len() - 1].to_owned(),
        (Some(rest), false) => format!("{rest}.*"),
        (None, true) => format!(".*{}", &pattern[..pattern.len() - 1]),
        (None, false) => format!(".*{pattern}.*"),
    }
}

fn has_documentation(schema: &Value) -> bool {
    schema
        .get("description")
        .and_then(Value::as_str)
        .is_some_and(|d| !d.trim().is_empty())
}

/// `xs:annotation/xs:documentation` from the schema's description.
pub(super) fn documentation(out: &mut Xml, schema: &Value) {
    if let Some(doc) = schema.get("description").and_then(Value::as_str) {
        xs_documentation(out, doc);
    }
}

/// `xs:annotation/xs:documentation` holding `doc`.
pub(super) fn xs_documentation(out: &mut Xml, doc: &str) {
    let doc = doc.trim();
    if doc.is_empty() {
        return;
    }
    out.open("xs:annotation");
    out.text_element("xs:documentation", doc);
    out.close("xs:annotation");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_anchored_the_xsd_way() {
        assert_eq!(xsd_pattern("^[a-z]+$"), "[a-z]+");
        assert_eq!(xsd_pattern("^a"), "a.*");
        assert_eq!(xsd_pattern("b$"), ".*b");
        assert_eq!(xsd_pattern("c"), ".*c.*");
    }

    #[test]
    fn scalars_map_to_builtin_types_and_facets() {
        let schema = serde_json::json!({"type": ["integer", "null"], "format": "uint32", "minimum": 1, "maximum": 1000});
        let (schema, null) = without_null(&schema);
        assert!(null);
        assert_eq!(simple_type(&schema), "xs:unsignedInt");
        assert_eq!(
            facets(&schema, "xs:unsignedInt"),
            [
                "xs:minInclusive value=\"1\"",
                "xs:maxInclusive value=\"1000\""
            ]
        );
        let seconds = serde_json::json!({"type": "number", "format": "double", "minimum": 0, "maximum": 3600});
        assert_eq!(
            facets(&seconds, "xs:double")[1],
            "xs:maxInclusive value=\"3600.0\""
        );
        let when = serde_json::json!({"type": "string", "format": "date-time"});
        assert_eq!(simple_type(&when), "xs:dateTime");
        let colour = serde_json::json!({"type": "string", "enum": ["red", "green"]});
        assert_eq!(facets(&colour, "xs:string").len(), 2);
    }
}
