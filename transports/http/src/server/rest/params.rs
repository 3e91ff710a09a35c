//! Typing path and query values by the parameter's schema.

use schemars::SchemaGenerator;
use serde_json::{Map, Number, Value};
use switchboard::{Fault, ParamDescriptor, code};

use super::Binding;

/// What a path or query value must parse as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamKind {
    /// Signed or unsigned integers.
    Integer,
    /// Any JSON number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A UUID in its hyphenated form.
    Uuid,
    /// Any text.
    Text,
    /// Anything else: read as JSON when it parses, else as text.
    Other,
}

impl ParamKind {
    /// The kind of a parameter, from its JSON Schema.
    pub(crate) fn of(param: &ParamDescriptor) -> Self {
        let schema = (param.schema)(&mut SchemaGenerator::default());
        let value = schema.as_value();
        let types: Vec<&str> = match value.get("type") {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let non_null: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
        match (
            non_null.as_slice(),
            value.get("format").and_then(Value::as_str),
        ) {
            (["string"], Some("uuid")) => Self::Uuid,
            (["string"], _) => Self::Text,
            (["integer"], _) => Self::Integer,
            (["number"], _) => Self::Number,
            (["boolean"], _) => Self::Boolean,
            _ => Self::Other,
        }
    }

    /// What a value of this kind looks like, for fault messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Integer => "an integer",
            Self::Number => "a number",
            Self::Boolean => "`true` or `false`",
            Self::Uuid => "a hyphenated UUID",
            Self::Text | Self::Other => "text",
        }
    }

    /// The value as JSON, or `None` if it does not parse as this kind.
    pub(crate) fn parse(self, text: &str) -> Option<Value> {
        match self {
            Self::Integer => text
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| text.parse::<u64>().map(Value::from))
                .ok(),
            Self::Number => text
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number),
            Self::Boolean => text.parse::<bool>().ok().map(Value::Bool),
            Self::Uuid => is_uuid(text).then(|| Value::from(text)),
            Self::Text => Some(Value::from(text)),
            Self::Other => Some(serde_json::from_str(text).unwrap_or_else(|_| Value::from(text))),
        }
    }
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    groups.len() == 5
        && groups
            .iter()
            .zip(lengths)
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The path parameters as JSON.
///
/// # Errors
/// `Client.InvalidParams` naming the first parameter that does not parse
/// as its kind and what it should be.
pub(crate) fn from_path(
    binding: &Binding,
    segments: &[(String, String)],
) -> Result<Map<String, Value>, Fault> {
    let mut out = Map::new();
    for (name, text) in segments {
        let kind = binding
            .kinds
            .get(name.as_str())
            .copied()
            .unwrap_or(ParamKind::Text);
        let Some(value) = kind.parse(text) else {
            return Err(Fault::new(
                code::INVALID_PARAMS,
                format!("path parameter `{name}` must be {}", kind.describe()),
            ));
        };
        out.insert(name.clone(), value);
    }
    Ok(out)
}

/// The query string's parameters as JSON. A value that does not parse as
/// its parameter's kind is passed as text, for the decoder to refuse with a
/// message naming the field.
pub(crate) fn from_query(
    binding: &Binding,
    query: Option<&str>,
) -> Result<Map<String, Value>, Fault> {
    let Some(query) = query else {
        return Ok(Map::new());
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|err| Fault::new(code::MALFORMED, format!("malformed query string: {err}")))?;
    let mut out = Map::new();
    for (name, text) in pairs {
        let kind = binding
            .kinds
            .get(name.as_str())
            .copied()
            .unwrap_or(ParamKind::Text);
        let value = kind.parse(&text).unwrap_or(Value::String(text));
        out.insert(name, value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_or_refuse() {
        assert_eq!(ParamKind::Integer.parse("-12"), Some(Value::from(-12)));
        assert_eq!(ParamKind::Integer.parse("abc"), None);
        assert_eq!(ParamKind::Integer.parse("1.5"), None);
        assert_eq!(ParamKind::Number.parse("1.5"), Some(Value::from(1.5)));
        assert_eq!(ParamKind::Number.parse("NaN"), None);
        assert_eq!(ParamKind::Boolean.parse("true"), Some(Value::Bool(true)));
        assert!(
            ParamKind::Uuid
                .parse("67e55044-10b1-426f-9247-bb680e5fe0c8")
                .is_some()
        );
        assert_eq!(ParamKind::Uuid.parse("67e55044"), None);
        assert_eq!(ParamKind::Text.parse("a/b"), Some(Value::from("a/b")));
    }
}
