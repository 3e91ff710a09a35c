//! The `created = "/books/{id}"` template of a creation: which of its
//! placeholders the method's result must fill, and whether it can.
//!
//! The HTTP transport fills a placeholder from the *serialized* result's
//! field of that name, else from the route's path parameter. Serde decides
//! the field names (`#[serde(rename)]`, `flatten`, `skip`), and a proc macro
//! cannot see them, so `#[rpc]` checks at compile time only what it can know
//! for sure (a `created` without a route, a malformed template, a result
//! such as `()` that has no fields) and the rest is checked here, when the
//! application is built, against the result's JSON Schema: schemars reads
//! the same serde attributes, so a renamed field is found by its wire name.
//!
//! The check refuses a placeholder only when the schema says for sure that
//! the result has no such field: a schema that allows other properties (a
//! map, `serde_json::Value`, a hand-written schema without `properties`)
//! passes.

use std::collections::BTreeSet;

use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

use crate::method::MethodDescriptor;

/// How many `$ref`s and combinators deep the check follows before it gives
/// up and lets the placeholder pass.
const MAX_DEPTH: usize = 32;

/// A placeholder the result cannot fill.
#[derive(Debug)]
pub(crate) struct Unfilled {
    /// The placeholder's name, without braces.
    pub(crate) placeholder: String,
    /// The fields the result's schema lists, sorted.
    pub(crate) fields: Vec<String>,
}

/// The placeholders of `method.created` that neither its route nor its
/// result can fill; the first one, if any.
pub(crate) fn unfilled(method: &MethodDescriptor) -> Option<Unfilled> {
    let template = method.created?;
    let route = method
        .http
        .and_then(|route| route.split_once(' '))
        .map_or("", |(_, path)| path);
    let route_params: Vec<&str> = placeholders(route)
        .map(|name| name.trim_start_matches('*'))
        .collect();
    let mut rest = placeholders(template).filter(|name| !route_params.contains(name));
    let first = rest.next()?;
    let settings = SchemaSettings::default().for_serialize();
    let mut generator = SchemaGenerator::new(settings);
    let schema = (method.returns)(&mut generator).to_value();
    let fields = Fields::of(&schema, generator.definitions(), 0)?;
    std::iter::once(first)
        .chain(rest)
        .find(|name| !fields.0.contains(*name))
        .map(|name| Unfilled {
            placeholder: name.to_owned(),
            fields: fields.0.into_iter().collect(),
        })
}

/// The `{name}` placeholders of a template, in order.
pub(crate) fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
}

/// The top-level fields a value of a schema may have, when the schema says
/// for sure; `None` when other fields may appear too.
struct Fields(BTreeSet<String>);

impl Fields {
    fn of(schema: &Value, definitions: &Map<String, Value>, depth: usize) -> Option<Self> {
        if depth > MAX_DEPTH {
            return None;
        }
        let schema = match schema {
            Value::Bool(false) => return Some(Self(BTreeSet::new())),
            Value::Object(schema) => schema,
            _ => return None,
        };
        let open = ["patternProperties", "if", "dependentSchemas", "not"]
            .iter()
            .any(|key| schema.contains_key(*key))
            || ["additionalProperties", "unevaluatedProperties"]
                .iter()
                .any(|key| schema.get(*key).is_some_and(|v| v != &Value::Bool(false)));
        if open || !Self::is_constrained(schema) {
            return None;
        }
        let mut fields = BTreeSet::new();
        if let Some(Value::Object(properties)) = schema.get("properties") {
            fields.extend(properties.keys().cloned());
        }
        if let Some(reference) = schema.get("$ref") {
            let target = reference
                .as_str()
                .and_then(|r| r.rsplit_once('/'))
                .and_then(|(_, name)| definitions.get(name))?;
            fields.extend(Self::of(target, definitions, depth + 1)?.0);
        }
        // A value of `allOf` has every branch's fields; one of `anyOf` or
        // `oneOf` has one branch's, any of them: either way, their union.
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = schema.get(key) {
                for branch in branches {
                    fields.extend(Self::of(branch, definitions, depth + 1)?.0);
                }
            }
        }
        Some(Self(fields))
    }

    /// Whether the schema says what its values are: a non-object type,
    /// listed properties, a reference, a combinator or fixed values. A
    /// schema of only `{"type": "object"}`, or only a description, admits
    /// any field.
    fn is_constrained(schema: &Map<String, Value>) -> bool {
        let object_type = match schema.get("type") {
            None => false,
            Some(Value::String(ty)) => ty == "object",
            Some(Value::Array(types)) => types.iter().any(|ty| ty == "object"),
            Some(_) => true,
        };
        let has_type = schema.contains_key("type");
        (has_type && !object_type)
            || [
                "properties",
                "$ref",
                "allOf",
                "anyOf",
                "oneOf",
                "enum",
                "const",
            ]
            .iter()
            .any(|key| schema.contains_key(*key))
    }
}

#[cfg(test)]
mod tests {
    use schemars::json_schema;

    use super::*;

    fn fields_of(schema: &Value) -> Option<Vec<String>> {
        Fields::of(schema, &Map::new(), 0).map(|f| f.0.into_iter().collect())
    }

    #[test]
    fn placeholders_are_read_in_order() {
        let names: Vec<_> = placeholders("/maps/{map}/o/{x}/{y}/").collect();
        assert_eq!(names, ["map", "x", "y"]);
        assert_eq!(placeholders("/plain/").count(), 0);
    }

    #[test]
    fn objects_list_their_properties() {
        let schema = json_schema!({
            "type": "object",
            "properties": {"bookId": {"type": "string"}, "title": {"type": "string"}}
        });
        assert_eq!(
            fields_of(&schema.to_value()),
            Some(vec!["bookId".to_owned(), "title".to_owned()])
        );
    }

    #[test]
    fn scalars_have_no_fields() {
        let schema = json_schema!({"type": "string"});
        assert_eq!(fields_of(&schema.to_value()), Some(Vec::new()));
    }

    #[test]
    fn open_schemas_may_have_any_field() {
        for schema in [
            json_schema!({}),
            json_schema!(true),
            json_schema!({"type": "object", "additionalProperties": {"type": "integer"}}),
            json_schema!({"type": "object", "properties": {"a": true}, "patternProperties": {"^x": true}}),
            json_schema!({"anyOf": [{"type": "object", "properties": {"a": true}}, {}]}),
            json_schema!({"type": "object"}),
            json_schema!({"description": "anything"}),
        ] {
            let schema = schema.to_value();
            assert_eq!(fields_of(&schema), None, "{schema}");
        }
    }

    #[test]
    fn unions_offer_every_branch_fields() {
        let schema = json_schema!({
            "oneOf": [
                {"type": "object", "properties": {"a": true}},
                {"allOf": [{"properties": {"b": true}}, {"properties": {"c": true}}]},
                {"type": "null"}
            ]
        });
        assert_eq!(
            fields_of(&schema.to_value()),
            Some(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()])
        );
    }

    #[test]
    fn references_are_followed() {
        let definitions = Map::from_iter([(
            "Book".to_owned(),
            serde_json::json!({"type": "object", "properties": {"id": true}}),
        )]);
        let schema = serde_json::json!({"anyOf": [{"$ref": "#/$defs/Book"}, {"type": "null"}]});
        let fields = Fields::of(&schema, &definitions, 0).map(|f| f.0);
        assert_eq!(fields, Some(BTreeSet::from(["id".to_owned()])));
        let dangling = serde_json::json!({"$ref": "#/$defs/Nope"});
        assert!(Fields::of(&dangling, &definitions, 0).is_none());
    }
}
