//! [`Address`]: where a transport serves or sends, as one string:
//! `http://127.0.0.1:8080`, `amqp://user@host:5672/%2f?queue=demo`,
//! `sqlite:queue.db?worker=w1&group=g`.
//!
//! The scheme picks the transport; the part after it (the target) is the
//! transport's own business; the query holds options, which the transport
//! takes one by one and refuses when it does not know one, so a typo
//! (`?qeue=demo`) is an error, not a silent default.

use std::fmt;
use std::str::FromStr;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// Characters escaped in an option's key or value when an address is written.
const OPTION: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'=')
    .add(b'?');

/// The option a password travels in when not in the target
/// (`amqp://broker?user=u&password=p`): shown as `***`, as one in the
/// target is.
pub const PASSWORD_OPTION: &str = "password";

/// Why an address could not be read or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// The text has no `scheme:` at its start.
    #[error("`{0}` is not an address: expected scheme:target, e.g. http://127.0.0.1:8080")]
    NoScheme(String),
    /// An option's value is not valid UTF-8 once percent-decoded.
    #[error("option `{key}` of `{address}` is not valid UTF-8 once decoded")]
    Encoding {
        /// The address, password masked.
        address: String,
        /// The option.
        key: String,
    },
    /// No transport linked into this binary serves or sends to the scheme.
    #[error("no transport for `{scheme}:` addresses (known: {known})")]
    UnknownScheme {
        /// The scheme.
        scheme: String,
        /// The schemes known, comma-separated.
        known: String,
    },
    /// The transport does not know an option of the address.
    #[error("unknown option `{key}` in `{address}` (known: {known})")]
    UnknownOption {
        /// The address, password masked.
        address: String,
        /// The option.
        key: String,
        /// The options the transport takes, comma-separated.
        known: String,
    },
    /// An option's value does not parse, or a required part is missing.
    #[error("`{address}`: {message}")]
    Invalid {
        /// The address, password masked.
        address: String,
        /// What is wrong.
        message: String,
    },
}

/// A transport address: `scheme:target?key=value&...`.
///
/// ```
/// use switchboard::catalog::Address;
///
/// let address: Address = "amqp://guest:secret@broker:5672/%2f?queue=demo&prefetch=8".parse()?;
/// assert_eq!(address.scheme(), "amqp");
/// assert_eq!(address.option("queue"), Some("demo"));
/// assert_eq!(address.parse_option::<u16>("prefetch")?, Some(8));
/// assert_eq!(address.without_options(), "amqp://guest:secret@broker:5672/%2f");
/// // Shown without its password.
/// assert_eq!(address.to_string(), "amqp://guest:***@broker:5672/%2f?queue=demo&prefetch=8");
/// // A transport refuses the options it does not take.
/// assert!(address.check_options(&["queue"]).is_err());
/// # Ok::<(), switchboard::catalog::AddressError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Address {
    scheme: String,
    target: String,
    options: Vec<(String, String)>,
}

impl Address {
    /// The address `scheme:target`, without options, the target taken
    /// whole (a file path with `?` in it stays one path). For addresses a
    /// program builds from parts; `scheme` is a constant such as `sqlite`,
    /// which a transport's entry names.
    ///
    /// ```
    /// use switchboard::catalog::Address;
    ///
    /// let address = Address::new("sqlite", "/tmp/why?/queue.db").with_option("events", "e.db");
    /// assert_eq!(address.path(), "/tmp/why?/queue.db");
    /// assert_eq!(address.option("events"), Some("e.db"));
    /// ```
    pub fn new(scheme: &'static str, target: impl Into<String>) -> Self {
        Self {
            scheme: scheme.to_ascii_lowercase(),
            target: target.into(),
            options: Vec::new(),
        }
    }

    /// Reads `text`. Only the scheme is checked here; the transport the
    /// scheme names checks the rest when it binds or connects.
    ///
    /// # Errors
    /// [`AddressError::NoScheme`] without a `scheme:` prefix,
    /// [`AddressError::Encoding`] for an option that is not UTF-8.
    pub fn parse(text: &str) -> Result<Self, AddressError> {
        let text = text.trim();
        let no_scheme = || AddressError::NoScheme(text.to_owned());
        let (scheme, rest) = text.split_once(':').ok_or_else(no_scheme)?;
        let valid_scheme = scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !valid_scheme {
            return Err(no_scheme());
        }
        let (target, query) = match rest.split_once('?') {
            Some((target, query)) => (target, query),
            None => (rest, ""),
        };
        let mut address = Self {
            scheme: scheme.to_ascii_lowercase(),
            target: target.to_owned(),
            options: Vec::new(),
        };
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = address.decode(key, key)?;
            let value = address.decode(&key, value)?;
            address.options.push((key, value));
        }
        Ok(address)
    }

    fn decode(&self, key: &str, text: &str) -> Result<String, AddressError> {
        let spaced = text.replace('+', " ");
        percent_decode_str(&spaced)
            .decode_utf8()
            .map(|decoded| decoded.into_owned())
            .map_err(|_| AddressError::Encoding {
                address: self.to_string(),
                key: key.to_owned(),
            })
    }

    /// The scheme, lower-cased: `http`, `amqp`, `sqlite`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// What follows `scheme:`, without the options: `//127.0.0.1:8080`,
    /// `queue.db`.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The target without a leading `//` (`sqlite://queue.db` and
    /// `sqlite:queue.db` both give `queue.db`; `sqlite:///tmp/q.db` gives
    /// `/tmp/q.db`).
    pub fn path(&self) -> &str {
        self.target.strip_prefix("//").unwrap_or(&self.target)
    }

    /// The address without its options: `scheme:target`.
    pub fn without_options(&self) -> String {
        format!("{}:{}", self.scheme, self.target)
    }

    /// The value of option `key` (the last one, if given twice).
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every option, in order.
    pub fn options(&self) -> impl Iterator<Item = (&str, &str)> {
        self.options.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The address with option `key` set to `value` (replacing any).
    #[must_use]
    pub fn with_option(mut self, key: &str, value: impl Into<String>) -> Self {
        self.options.retain(|(k, _)| k != key);
        self.options.push((key.to_owned(), value.into()));
        self
    }

    /// The address without option `key`.
    #[must_use]
    pub fn without_option(mut self, key: &str) -> Self {
        self.options.retain(|(k, _)| k != key);
        self
    }

    /// The address with option `key` set to `value` unless it has one.
    #[must_use]
    pub fn with_default_option(self, key: &str, value: impl Into<String>) -> Self {
        if self.option(key).is_some() {
            self
        } else {
            self.with_option(key, value)
        }
    }

    /// Option `key` parsed as a `T`.
    ///
    /// # Errors
    /// [`AddressError::Invalid`] if it is given and does not parse.
    pub fn parse_option<T>(&self, key: &str) -> Result<Option<T>, AddressError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        self.option(key)
            .map(|value| {
                value
                    .parse()
                    .map_err(|err| self.invalid(format!("option `{key}={value}`: {err}")))
            })
            .transpose()
    }

    /// Refuses any option not in `known`.
    ///
    /// # Errors
    /// [`AddressError::UnknownOption`] naming the first unknown option.
    pub fn check_options(&self, known: &[&str]) -> Result<(), AddressError> {
        match self
            .options
            .iter()
            .find(|(k, _)| !known.contains(&k.as_str()))
        {
            Some((key, _)) => Err(AddressError::UnknownOption {
                address: self.to_string(),
                key: key.clone(),
                known: if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                },
            }),
            None => Ok(()),
        }
    }

    /// An [`AddressError::Invalid`] about this address.
    pub fn invalid(&self, message: impl Into<String>) -> AddressError {
        AddressError::Invalid {
            address: self.to_string(),
            message: message.into(),
        }
    }

    /// The target with any password in it replaced by `***`.
    fn masked_target(&self) -> String {
        let Some(rest) = self.target.strip_prefix("//") else {
            return self.target.clone();
        };
        let authority_end = rest.find('/').unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        match authority.rsplit_once('@') {
            Some((userinfo, host)) => match userinfo.split_once(':') {
                Some((user, _)) => format!("//{user}:***@{host}{}", &rest[authority_end..]),
                None => self.target.clone(),
            },
            None => self.target.clone(),
        }
    }
}

impl FromStr for Address {
    type Err = AddressError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// The address as written, with any password masked (in the target's
/// user info, or an option named [`PASSWORD_OPTION`]): safe for logs and
/// error messages.
impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.scheme, self.masked_target())?;
        for (i, (key, value)) in self.options.iter().enumerate() {
            let sep = if i == 0 { '?' } else { '&' };
            let shown = if key == PASSWORD_OPTION { "***" } else { value };
            let key = utf8_percent_encode(key, OPTION);
            let value = utf8_percent_encode(shown, OPTION);
            write!(f, "{sep}{key}={value}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_paths() -> Result<(), AddressError> {
        let sqlite = Address::parse("sqlite:queue.db?worker=w1&group=g")?;
        assert_eq!(sqlite.scheme(), "sqlite");
        assert_eq!(sqlite.path(), "queue.db");
        assert_eq!(sqlite.option("worker"), Some("w1"));
        assert_eq!(Address::parse("sqlite:///tmp/q.db")?.path(), "/tmp/q.db");
        assert_eq!(Address::parse("SQLITE://q.db")?.path(), "q.db");
        let http = Address::parse("http://127.0.0.1:8080")?;
        assert_eq!(http.path(), "127.0.0.1:8080");
        assert_eq!(http.options().count(), 0);
        Ok(())
    }

    #[test]
    fn options_are_decoded_and_written_back() -> Result<(), AddressError> {
        let address = Address::parse("amqp://h/%2f?queue=a%26b&x=1+2&flag")?;
        assert_eq!(address.option("queue"), Some("a&b"));
        assert_eq!(address.option("x"), Some("1 2"));
        assert_eq!(address.option("flag"), Some(""));
        assert_eq!(
            address.to_string(),
            "amqp://h/%2f?queue=a%26b&x=1%202&flag="
        );
        let again = Address::parse(&address.to_string())?;
        assert_eq!(again, address);
        let replaced = again
            .with_option("queue", "c")
            .with_default_option("queue", "d");
        assert_eq!(replaced.option("queue"), Some("c"));
        Ok(())
    }

    #[test]
    fn bad_addresses_are_refused_with_what_is_wrong() -> Result<(), AddressError> {
        for text in ["", "127.0.0.1:8080", "queue.db", "1http://x", ":x"] {
            assert!(
                matches!(Address::parse(text), Err(AddressError::NoScheme(_))),
                "{text}"
            );
        }
        let address = Address::parse("sqlite:q.db?wroker=w1&poll=x")?;
        let err = address.check_options(&["worker", "poll"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown option `wroker` in `sqlite:q.db?wroker=w1&poll=x` (known: worker, poll)"
        );
        let err = address.parse_option::<u32>("poll").unwrap_err();
        assert!(err.to_string().contains("option `poll=x`"), "{err}");
        Ok(())
    }

    #[test]
    fn passwords_are_masked() -> Result<(), AddressError> {
        let address = Address::parse("amqps://u:p%40ss@h:5671/v?queue=q")?;
        assert_eq!(address.to_string(), "amqps://u:***@h:5671/v?queue=q");
        assert_eq!(address.without_options(), "amqps://u:p%40ss@h:5671/v");
        assert!(!format!("{address:?}").contains("p%40ss"));
        let option = Address::parse("amqp://h?user=u&password=s3cret")?;
        assert_eq!(option.to_string(), "amqp://h?user=u&password=***");
        assert_eq!(option.option("password"), Some("s3cret"));
        Ok(())
    }

    #[test]
    fn built_addresses_keep_their_target_whole() -> Result<(), AddressError> {
        let address = Address::new("SQLite", "dir?/q.db").with_option("events", "e&.db");
        assert_eq!(address.scheme(), "sqlite");
        assert_eq!(address.path(), "dir?/q.db");
        assert_eq!(address.option("events"), Some("e&.db"));
        assert_eq!(address.to_string(), "sqlite:dir?/q.db?events=e%26.db");
        Ok(())
    }
}
