//! Declared constraints, checked before a function runs.
//!
//! Constraints are written once, with `schemars`' own attributes, so the
//! interface documents show exactly what is enforced:
//!
//! | attribute | applies to | checks |
//! |---|---|---|
//! | `#[schemars(range(min = a, max = b))]` | numbers | `a <= value <= b` (either bound optional) |
//! | `#[schemars(length(min = a, max = b))]` | strings (in chars), lists, maps | `a <= len <= b` |
//! | `#[schemars(regex(pattern = "re"))]` or `#[schemars(pattern("re"))]` | strings | the regex matches somewhere (anchor it with `^…$`) |
//! | `#[validate(nested)]` | fields of types that derive [`Validate`] | their own constraints |
//!
//! `Option` values are checked only when present. On an `#[rpc]` function
//! the same attributes go on the parameters.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Serialize;

use crate::Fault;

/// One broken constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The parameter or field, as a dotted path (`map.width`, `points[2].x`).
    pub field: String,
    /// What is wrong, in words (`must be at most 1024`).
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.field, self.message)
    }
}

/// Every broken constraint of a value; empty when it is valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Violations(pub Vec<Violation>);

impl Violations {
    /// Records one violation at `field`.
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(Violation {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Whether nothing was violated.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` if empty, else a `Client.Validation` fault naming every field.
    ///
    /// # Errors
    /// The fault, when anything was violated.
    pub fn into_result(self) -> Result<(), Fault> {
        if self.0.is_empty() {
            return Ok(());
        }
        let message = self
            .0
            .iter()
            .map(Violation::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        let detail = serde_json::json!({ "violations": self.0 });
        Err(Fault::validation(format!("invalid parameters: {message}")).with_detail(detail))
    }
}

/// A value whose declared constraints can be checked.
///
/// Derive it with `#[derive(Validate)]`; `#[rpc]` implements it for the
/// argument structs it generates.
pub trait Validate {
    /// Adds every violation of `self` to `out`, with field paths under `path`.
    fn validate_into(&self, path: &str, out: &mut Violations);

    /// Checks `self`, as a `Client.Validation` fault on failure.
    ///
    /// # Errors
    /// The fault naming every violated field.
    fn validate(&self) -> Result<(), Fault> {
        let mut out = Violations::default();
        self.validate_into("", &mut out);
        out.into_result()
    }
}

/// Joins a parent path and a field name.
pub fn join_path(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_into(&self, path: &str, out: &mut Violations) {
        if let Some(value) = self {
            value.validate_into(path, out);
        }
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate_into(&self, path: &str, out: &mut Violations) {
        (**self).validate_into(path, out);
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_into(&self, path: &str, out: &mut Violations) {
        for (i, item) in self.iter().enumerate() {
            item.validate_into(&format!("{path}[{i}]"), out);
        }
    }
}

impl<K: fmt::Display, V: Validate> Validate for HashMap<K, V> {
    fn validate_into(&self, path: &str, out: &mut Violations) {
        for (key, value) in self {
            value.validate_into(&join_path(path, &key.to_string()), out);
        }
    }
}

impl<K: fmt::Display, V: Validate> Validate for BTreeMap<K, V> {
    fn validate_into(&self, path: &str, out: &mut Violations) {
        for (key, value) in self {
            value.validate_into(&join_path(path, &key.to_string()), out);
        }
    }
}

/// Helpers the generated validation code calls. Not a stable API.
#[doc(hidden)]
pub mod check {
    use std::collections::{BTreeMap, HashMap};

    use super::Violations;

    /// A value with a numeric magnitude, for `range`.
    pub trait Ranged {
        /// The value as `f64`, or `None` to skip the check (absent option).
        fn as_f64(&self) -> Option<f64>;
    }

    macro_rules! ranged {
        ($($t:ty),*) => {$(
            impl Ranged for $t {
                #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
                fn as_f64(&self) -> Option<f64> { Some(*self as f64) }
            }
        )*};
    }
    ranged!(
        u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64
    );

    impl<T: Ranged> Ranged for Option<T> {
        fn as_f64(&self) -> Option<f64> {
            self.as_ref()?.as_f64()
        }
    }

    /// A value with a length, for `length`.
    pub trait Measured {
        /// The length (chars for strings), or `None` to skip the check.
        fn length(&self) -> Option<usize>;
    }

    impl Measured for String {
        fn length(&self) -> Option<usize> {
            Some(self.chars().count())
        }
    }
    impl Measured for str {
        fn length(&self) -> Option<usize> {
            Some(self.chars().count())
        }
    }
    impl<T> Measured for Vec<T> {
        fn length(&self) -> Option<usize> {
            Some(self.len())
        }
    }
    impl<K, V, S> Measured for HashMap<K, V, S> {
        fn length(&self) -> Option<usize> {
            Some(self.len())
        }
    }
    impl<K, V> Measured for BTreeMap<K, V> {
        fn length(&self) -> Option<usize> {
            Some(self.len())
        }
    }
    impl<T: Measured> Measured for Option<T> {
        fn length(&self) -> Option<usize> {
            self.as_ref()?.length()
        }
    }

    /// A value with text, for `regex`/`pattern`.
    pub trait Text {
        /// The text, or `None` to skip the check.
        fn text(&self) -> Option<&str>;
    }

    impl Text for String {
        fn text(&self) -> Option<&str> {
            Some(self)
        }
    }
    impl<T: Text> Text for Option<T> {
        fn text(&self) -> Option<&str> {
            self.as_ref()?.text()
        }
    }

    /// Checks a `range` constraint.
    pub fn range(
        value: &impl Ranged,
        min: Option<f64>,
        max: Option<f64>,
        field: (&str, &str),
        out: &mut Violations,
    ) {
        let Some(value) = value.as_f64() else { return };
        match (min, max) {
            (Some(min), Some(max)) if !(min..=max).contains(&value) => {
                out.push(
                    super::join_path(field.0, field.1),
                    format!("must be between {min} and {max}"),
                );
            }
            (Some(min), None) if value < min || value.is_nan() => {
                out.push(
                    super::join_path(field.0, field.1),
                    format!("must be at least {min}"),
                );
            }
            (None, Some(max)) if value > max || value.is_nan() => {
                out.push(
                    super::join_path(field.0, field.1),
                    format!("must be at most {max}"),
                );
            }
            _ => {}
        }
    }

    /// Checks a `length` constraint.
    pub fn length(
        value: &(impl Measured + ?Sized),
        min: Option<usize>,
        max: Option<usize>,
        field: (&str, &str),
        out: &mut Violations,
    ) {
        let Some(len) = value.length() else { return };
        let too_short = min.is_some_and(|min| len < min);
        let too_long = max.is_some_and(|max| len > max);
        if !(too_short || too_long) {
            return;
        }
        let message = match (min, max) {
            (Some(min), Some(max)) => format!("must have a length between {min} and {max}"),
            (Some(min), None) => format!("must have a length of at least {min}"),
            (None, Some(max)) => format!("must have a length of at most {max}"),
            (None, None) => return,
        };
        out.push(super::join_path(field.0, field.1), message);
    }

    /// Checks a `regex` constraint against a compiled pattern.
    pub fn pattern(
        value: &impl Text,
        regex: &regex::Regex,
        field: (&str, &str),
        out: &mut Violations,
    ) {
        if let Some(text) = value.text() {
            if !regex.is_match(text) {
                out.push(
                    super::join_path(field.0, field.1),
                    format!("must match the pattern `{}`", regex.as_str()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use super::*;

    #[test]
    fn range_length_and_pattern_report_the_field() {
        let mut out = Violations::default();
        check::range(&0u32, Some(1.0), Some(1024.0), ("", "width"), &mut out);
        check::range(&Some(5i64), Some(1.0), None, ("", "ok"), &mut out);
        check::length("", Some(1), None, ("", "name"), &mut out);
        check::length(&"ééé".to_owned(), None, Some(3), ("", "ok"), &mut out);
        let re = regex::Regex::new("^[a-z]+$").unwrap();
        check::pattern(&"Fancy".to_owned(), &re, ("map", "slug"), &mut out);
        check::pattern(&None::<String>, &re, ("", "ok"), &mut out);
        let fields: Vec<_> = out.0.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["width", "name", "map.slug"]);
        let fault = out.into_result().unwrap_err();
        assert_eq!(fault.code(), "Client.Validation");
        assert!(
            fault
                .message()
                .contains("`width` must be between 1 and 1024")
        );
    }

    #[test]
    fn nan_is_out_of_every_range() {
        let mut out = Violations::default();
        check::range(&f64::NAN, Some(0.0), Some(1.0), ("", "x"), &mut out);
        check::range(&f64::NAN, Some(0.0), None, ("", "y"), &mut out);
        assert_eq!(out.0.len(), 2);
    }
}
