//! Schemas as people read them: a type label (`integer`, `array of Map`,
//! `string or null`) and the constraints (`1 ≤ value ≤ 1024`, `length
//! 1–100`, `pattern ^[a-z]+$`), and what kind of input a try-it field is.

use serde_json::Value;
use switchboard::interface::InterfaceModel;

/// A short label of the type `schema` describes.
pub(super) fn type_label(model: &InterfaceModel, schema: &Value) -> String {
    if let Some(name) = model.definition_name(schema) {
        return name.to_owned();
    }
    for combinator in ["anyOf", "oneOf"] {
        if let Some(choices) = schema.get(combinator).and_then(Value::as_array) {
            let labels: Vec<String> = choices.iter().map(|c| type_label(model, c)).collect();
            return labels.join(" or ");
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values.iter().map(Value::to_string).collect();
        return format!("one of {}", values.join(", "));
    }
    if let Some(value) = schema.get("const") {
        return value.to_string();
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => return "any JSON value".to_owned(),
    };
    let labels: Vec<String> = types
        .into_iter()
        .map(|t| match (t, schema.get("items")) {
            ("array", Some(items)) => format!("array of {}", type_label(model, items)),
            (t, _) => t.to_owned(),
        })
        .collect();
    labels.join(" or ")
}

/// The constraints `schema` declares, one phrase each.
pub(super) fn constraints(schema: &Value) -> Vec<String> {
    let number = |key: &str| schema.get(key).map(Value::to_string);
    let mut out = Vec::new();
    match (number("minimum"), number("maximum")) {
        (Some(min), Some(max)) => out.push(format!("{min} ≤ value ≤ {max}")),
        (Some(min), None) => out.push(format!("value ≥ {min}")),
        (None, Some(max)) => out.push(format!("value ≤ {max}")),
        (None, None) => {}
    }
    if let Some(min) = number("exclusiveMinimum") {
        out.push(format!("value > {min}"));
    }
    if let Some(max) = number("exclusiveMaximum") {
        out.push(format!("value < {max}"));
    }
    for (min, max, what) in [
        ("minLength", "maxLength", "length"),
        ("minItems", "maxItems", "items"),
    ] {
        match (number(min), number(max)) {
            (Some(min), Some(max)) => out.push(format!("{what} {min}–{max}")),
            (Some(min), None) => out.push(format!("{what} ≥ {min}")),
            (None, Some(max)) => out.push(format!("{what} ≤ {max}")),
            (None, None) => {}
        }
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        out.push(format!("pattern {pattern}"));
    }
    // Numeric formats (`uint32`, `double`) repeat the type; string ones
    // (`uuid`, `date-time`) say something.
    if let Some(format) = schema.get("format").and_then(Value::as_str)
        && !["int", "uint", "double", "float"]
            .iter()
            .any(|numeric| format.starts_with(numeric))
    {
        out.push(format!("format {format}"));
    }
    out
}

/// How the try-it form reads a field: `string` as typed, `number` and
/// `boolean` parsed, `json` as a JSON value.
pub(super) fn input_kind(model: &InterfaceModel, schema: &Value) -> &'static str {
    let schema = model.resolve(schema);
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let non_null: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
    match non_null.as_slice() {
        ["string"] => "string",
        ["integer"] | ["number"] => "number",
        ["boolean"] => "boolean",
        _ => "json",
    }
}
