//! `name=value` parameters, as `call` and `enqueue` take them: a value
//! that parses as JSON is sent as JSON (`width=10`, `tags=["a"]`), anything
//! else as a string. Parsed by clap, so a malformed one is a usage error.

use serde_json::{Map, Value};

/// One `name=value` parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Param {
    name: String,
    value: Value,
}

/// Why a parameter is not `name=value`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ParamError {
    /// There is no `=`.
    #[error("expected name=value")]
    NoEquals,
    /// Nothing comes before the `=`.
    #[error("the name before `=` is empty")]
    NoName,
}

/// Reads one `name=value` (the clap value parser of the parameters).
///
/// # Errors
/// [`ParamError`] if there is no `=` or no name before it.
pub(crate) fn parse(pair: &str) -> Result<Param, ParamError> {
    let (name, value) = pair.split_once('=').ok_or(ParamError::NoEquals)?;
    if name.is_empty() {
        return Err(ParamError::NoName);
    }
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
    Ok(Param {
        name: name.to_owned(),
        value,
    })
}

/// The parameters as one JSON object; a name given twice keeps its last value.
pub(crate) fn object(params: &[Param]) -> Value {
    let map: Map<String, Value> = params
        .iter()
        .map(|p| (p.name.clone(), p.value.clone()))
        .collect();
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_as_json_where_they_can() -> Result<(), ParamError> {
        let params = ["a=1", "b=hello", "c=[1,2]", "d=", "e=\"2\"", "f=x=y"]
            .into_iter()
            .map(parse)
            .collect::<Result<Vec<_>, _>>()?;
        assert_eq!(
            object(&params),
            serde_json::json!({"a": 1, "b": "hello", "c": [1, 2], "d": "", "e": "2", "f": "x=y"})
        );
        assert_eq!(parse("novalue"), Err(ParamError::NoEquals));
        assert_eq!(parse("=1"), Err(ParamError::NoName));
        Ok(())
    }
}
