//! Finding the method and params in a JSON document request.

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use switchboard::IncomingCall;
use switchboard::protocol::ProtocolError;

use super::call;
use crate::text::{first_significant, range_in};

/// The whole body is the params of `method` (named by the transport).
pub(super) fn bare_params(text: &str, method: &str) -> Result<IncomingCall, ProtocolError> {
    let body = match first_significant(text.as_bytes()) {
        None => None,
        Some(b'{' | b'[') => {
            let raw: &RawValue = serde_json::from_str(text)
                .map_err(|err| ProtocolError::Malformed(Box::new(err)))?;
            Some(range_in(text, raw.get()))
        }
        Some(_) => {
            // Valid JSON that is not params (a string, a number) is the
            // caller's mistake, invalid JSON a parse error.
            serde_json::from_str::<&RawValue>(text)
                .map_err(|err| ProtocolError::Malformed(Box::new(err)))?;
            return Err(ProtocolError::InvalidRequest(
                "the params must be a JSON object or array".to_owned(),
            ));
        }
    };
    Ok(call(method, body))
}

/// The body is `{"method": params}`.
pub(super) fn method_and_params(text: &str) -> Result<IncomingCall, ProtocolError> {
    let mut json = serde_json::Deserializer::from_str(text);
    let parsed = json.deserialize_any(OneMember { text });
    let parsed = parsed.and_then(|parsed| json.end().map(|()| parsed));
    match parsed {
        Ok(Ok((method, body))) => Ok(call(&method, body)),
        Ok(Err(why)) => Err(ProtocolError::InvalidRequest(why)),
        Err(err) if err.is_syntax() || err.is_eof() => Err(ProtocolError::Malformed(Box::new(err))),
        Err(err) => Err(ProtocolError::InvalidRequest(err.to_string())),
    }
}

type Parsed = Result<(String, Option<Range<usize>>), String>;

/// Accepts an object of exactly one member whose value is an object, an
/// array or `null`.
struct OneMember<'t> {
    text: &'t str,
}

const SHAPE: &str = "expected an object with one member, {\"method\": {params}}";

impl<'de> Visitor<'de> for OneMember<'de> {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(SHAPE)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let Some(method) = map.next_key::<String>()? else {
            return Ok(Err(SHAPE.to_owned()));
        };
        let params: &'de RawValue = map.next_value()?;
        if map.next_key::<de::IgnoredAny>()?.is_some() {
            // Drain the rest so the parser still sees the object's end.
            map.next_value::<de::IgnoredAny>()?;
            while map
                .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                .is_some()
            {}
            return Ok(Err(SHAPE.to_owned()));
        }
        let body = match params.get().as_bytes().first() {
            Some(b'{' | b'[') => Some(range_in(self.text, params.get())),
            _ if params.get() == "null" => None,
            _ => {
                return Ok(Err(
                    "the params must be a JSON object, array or null".to_owned()
                ));
            }
        };
        Ok(Ok((method, body)))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Parsed, E> {
        Ok(Err(SHAPE.to_owned()))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Parsed, E> {
        Ok(Err(SHAPE.to_owned()))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Parsed, E> {
        Ok(Err(SHAPE.to_owned()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Parsed, E> {
        Ok(Err(SHAPE.to_owned()))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Parsed, E> {
        Ok(Err(SHAPE.to_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Parsed, E> {
        Ok(Err(SHAPE.to_owned()))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Parsed, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Err(SHAPE.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_method_and_params() {
        let text = r#" {"echo": {"s": "hi"}} "#;
        let call = method_and_params(text).unwrap();
        assert_eq!(call.method, "echo");
        assert_eq!(&text[call.body.unwrap()], r#"{"s": "hi"}"#);
        assert_eq!(method_and_params(r#"{"ping": null}"#).unwrap().body, None);
    }

    #[test]
    fn rejects_other_shapes() {
        for text in [
            r#"{}"#,
            r#"{"a": {}, "b": {}}"#,
            r#"[1]"#,
            r#""echo""#,
            r#"{"a": 1}"#,
        ] {
            assert!(
                matches!(
                    method_and_params(text),
                    Err(ProtocolError::InvalidRequest(_))
                ),
                "{text}"
            );
        }
        assert!(matches!(
            method_and_params("{\"a\":"),
            Err(ProtocolError::Malformed(_))
        ));
        assert!(matches!(
            method_and_params("{} x"),
            Err(ProtocolError::Malformed(_))
        ));
    }

    #[test]
    fn bare_params_take_the_whole_body() {
        let call = bare_params(" {\"s\": 1} ", "echo").unwrap();
        assert_eq!(call.body, Some(1..9));
        assert_eq!(bare_params("  ", "ping").unwrap().body, None);
        assert!(matches!(
            bare_params("3", "m"),
            Err(ProtocolError::InvalidRequest(_))
        ));
        assert!(matches!(
            bare_params("{", "m"),
            Err(ProtocolError::Malformed(_))
        ));
    }
}
