//! [`CarriedHeaders`]: the few request headers switchboard itself defines
//! (a call's signature, where its reply goes as a call), carried beside the
//! body by every transport: HTTP request headers, AMQP message headers, the
//! SQLite queue's `headers` column.
//!
//! The set is closed ([`CARRIED`]): a serving transport reads exactly these
//! names and nothing else of what the caller sent, so a new feature that
//! needs one more header adds its name here and every transport carries it.

use std::fmt;

/// The header carrying a signed call's signature.
pub const SIGNATURE_HEADER: &str = "switchboard-signature";

/// The header asking for the reply to come back as a call of the
/// caller's own service.
pub const THEN_HEADER: &str = "switchboard-then";

/// Every header transports carry, in the order they are read.
pub const CARRIED: &[&str] = &[SIGNATURE_HEADER, THEN_HEADER];

/// The longest value a serving transport accepts for a carried header;
/// a longer one is left out (the call then fails where it is needed,
/// as if the header were missing).
pub const MAX_CARRIED_LEN: usize = 8 * 1024;

/// Carried headers of one request, by name.
///
/// Empty by default, with nothing allocated: most requests carry none.
///
/// ```
/// use switchboard::{CarriedHeaders, SIGNATURE_HEADER};
///
/// let mut headers = CarriedHeaders::default();
/// headers.set(SIGNATURE_HEADER, "v1,t=1,sig=ab".to_owned());
/// assert_eq!(headers.get(SIGNATURE_HEADER), Some("v1,t=1,sig=ab"));
/// // Read back the way a serving transport reads them: by the known names.
/// let read = CarriedHeaders::read(|name| headers.get(name));
/// assert_eq!(read, headers);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CarriedHeaders(Vec<(&'static str, String)>);

impl CarriedHeaders {
    /// Reads every carried header from `lookup` (the transport's own
    /// headers by name), leaving out values longer than
    /// [`MAX_CARRIED_LEN`].
    pub fn read<'a>(mut lookup: impl FnMut(&str) -> Option<&'a str>) -> Self {
        let mut headers = Self::default();
        for &name in CARRIED {
            if let Some(value) = lookup(name).filter(|value| value.len() <= MAX_CARRIED_LEN) {
                headers.0.push((name, value.to_owned()));
            }
        }
        headers
    }

    /// The value of `name`, if carried.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Sets `name` (one of [`CARRIED`]) to `value`, replacing any value.
    pub fn set(&mut self, name: &'static str, value: String) {
        match self.0.iter_mut().find(|(key, _)| *key == name) {
            Some(entry) => entry.1 = value,
            None => {
                // Kept in the order of `CARRIED`, as `read` gives them.
                let rank = |name: &str| CARRIED.iter().position(|known| *known == name);
                self.0.push((name, value));
                self.0.sort_by_key(|(name, _)| rank(name));
            }
        }
    }

    /// Removes `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let at = self.0.iter().position(|(key, _)| *key == name)?;
        Some(self.0.remove(at).1)
    }

    /// Whether no header is carried.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every header as `(name, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(name, value)| (*name, value.as_str()))
    }

    /// The headers as one JSON object (`{}` when empty), for transports
    /// that keep them in one field (the SQLite queue's column).
    pub fn to_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .iter()
            .map(|(name, value)| (name.to_owned(), value.into()))
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    /// The carried headers in a JSON object written by
    /// [`to_json`](Self::to_json); anything else gives none.
    pub fn from_json(text: &str) -> Self {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_str(text) else {
            return Self::default();
        };
        Self::read(|name| map.get(name).and_then(serde_json::Value::as_str))
    }
}

impl fmt::Debug for CarriedHeaders {
    /// Names only: a signature is no secret, but it has no place in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_names_of_bounded_length_are_read() {
        let long = "x".repeat(MAX_CARRIED_LEN + 1);
        let headers = CarriedHeaders::read(|name| match name {
            SIGNATURE_HEADER => Some("sig"),
            THEN_HEADER => Some(long.as_str()),
            _ => Some("anything"),
        });
        assert_eq!(
            headers.iter().collect::<Vec<_>>(),
            [(SIGNATURE_HEADER, "sig")]
        );
    }

    #[test]
    fn json_round_trips_and_garbage_gives_nothing() {
        let mut headers = CarriedHeaders::default();
        headers.set(THEN_HEADER, "{\"to\":\"x\"}".to_owned());
        headers.set(SIGNATURE_HEADER, "s".to_owned());
        assert_eq!(
            CarriedHeaders::from_json(&headers.to_json()),
            headers.clone()
        );
        assert!(CarriedHeaders::from_json("[1]").is_empty());
        assert!(CarriedHeaders::from_json("{\"switchboard-then\": 3}").is_empty());
        assert_eq!(headers.remove(SIGNATURE_HEADER).as_deref(), Some("s"));
        assert_eq!(format!("{headers:?}"), "[\"switchboard-then\"]");
    }
}
