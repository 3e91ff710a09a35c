//! A process's [`Fingerprint`] on the broker: its JSON form as the
//! `fingerprint` client property of the connection (`rabbitmqctl
//! list_connections name client_properties` shows it), and a `fingerprint`
//! table in the headers of every message it publishes, one text field per
//! key, so a pika consumer reads `properties.headers["fingerprint"]["name"]`.

use lapin::types::{AMQPValue, FieldTable, LongString};
use switchboard::Fingerprint;

use crate::server::failure::text;

/// The header (and client property) holding the fingerprint.
pub const FINGERPRINT_HEADER: &str = "fingerprint";

/// The fingerprint as a table of text fields.
pub(crate) fn table(fingerprint: &Fingerprint) -> FieldTable {
    let mut table = FieldTable::default();
    // The JSON form is an object of strings: one field per key.
    if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(fingerprint) {
        for (key, value) in fields {
            if let serde_json::Value::String(value) = value {
                table.insert(
                    key.as_str().into(),
                    AMQPValue::LongString(LongString::from(value)),
                );
            }
        }
    }
    table
}

/// Headers holding just the fingerprint.
pub(crate) fn headers(fingerprint: &Fingerprint) -> FieldTable {
    let mut headers = FieldTable::default();
    headers.insert(
        FINGERPRINT_HEADER.into(),
        AMQPValue::FieldTable(table(fingerprint)),
    );
    headers
}

/// The sender's fingerprint in `headers`: a table as [`headers`] writes it,
/// or its JSON form as text; `None` when absent or unreadable.
pub(crate) fn from_headers(headers: Option<&FieldTable>) -> Option<Fingerprint> {
    match headers?.inner().get(FINGERPRINT_HEADER)? {
        AMQPValue::FieldTable(table) => {
            let fields: serde_json::Map<String, serde_json::Value> = table
                .inner()
                .iter()
                .map(|(key, value)| (key.as_str().to_owned(), text(value).into()))
                .collect();
            let json = serde_json::to_vec(&fields).ok()?;
            Fingerprint::from_peer(&json)
        }
        AMQPValue::LongString(json) => Fingerprint::from_peer(json.as_bytes()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_goes_through_the_headers_and_back() {
        let me = Fingerprint::new("sender", "worker", "1.0").with_vhost("/");
        assert_eq!(from_headers(Some(&headers(&me))), Some(me.clone()));
        let mut as_text = FieldTable::default();
        as_text.insert(
            FINGERPRINT_HEADER.into(),
            AMQPValue::LongString(LongString::from(me.to_json())),
        );
        assert_eq!(from_headers(Some(&as_text)), Some(me));
    }

    #[test]
    fn no_or_bad_header_is_an_unknown_sender() {
        assert_eq!(from_headers(None), None);
        let mut bad = FieldTable::default();
        bad.insert(FINGERPRINT_HEADER.into(), AMQPValue::Boolean(true));
        assert_eq!(from_headers(Some(&bad)), None);
        bad.insert(
            FINGERPRINT_HEADER.into(),
            AMQPValue::FieldTable(FieldTable::default()),
        );
        assert_eq!(from_headers(Some(&bad)), None);
    }
}
