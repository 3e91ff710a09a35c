//! Durations on the command line, one parser for every duration flag: a
//! bare number in the flag's own unit (so `--timeout 30` means seconds and
//! `--poll-max 100` milliseconds), or a number with a unit: `500ms`,
//! `1.5s`, `2m`, `1h`. Fractions are allowed; NaN, infinities, values
//! below the flag's minimum and values over [`MAX`] are not.

use std::time::Duration;

use clap::builder::{StringValueParser, TypedValueParser};

/// The units a value may carry, longest suffix first (`ms` before `s`).
const UNITS: [(&str, f64); 4] = [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)];

/// The longest duration any flag takes, about 31 years: far beyond any
/// timeout, lease or poll, and far below what makes `Instant + duration`
/// overflow (which panics).
pub const MAX: Duration = Duration::from_secs(1_000_000_000);

/// What a duration flag's help says about the forms it takes.
pub(crate) const FORMS: &str = "a number with a unit (500ms, 1.5s, 2m, 1h)";

/// The unit of a bare number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Millis,
}

impl Unit {
    fn seconds(self) -> f64 {
        match self {
            Self::Seconds => 1.0,
            Self::Millis => 0.001,
        }
    }

    /// How a bare number of this unit is described.
    fn bare(self) -> &'static str {
        match self {
            Self::Seconds => "a number of seconds",
            Self::Millis => "a number of milliseconds",
        }
    }
}

/// The least value a flag takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Least {
    /// Zero or more.
    Zero,
    /// More than zero.
    AboveZero,
    /// At least this much.
    Is(Duration),
}

/// How one flag reads durations: its bare unit and its minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spec {
    /// The unit of a bare number.
    pub(crate) unit: Unit,
    /// The least value taken.
    pub(crate) least: Least,
}

/// Why a value is not a duration; each message says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DurationError {
    /// Not a number (with a unit or not).
    #[error("not a duration: expected {0} or {FORMS}")]
    Garbage(&'static str),
    /// NaN or an infinity.
    #[error("not a finite number: expected {0} or {FORMS}")]
    NotFinite(&'static str),
    /// Below zero.
    #[error("negative: expected {0} or {FORMS}")]
    Negative(&'static str),
    /// Zero where the flag needs more.
    #[error("must be more than zero")]
    Zero,
    /// Below the flag's minimum.
    #[error("must be at least {0:?}")]
    BelowLeast(Duration),
    /// Over [`MAX`].
    #[error("too large: expected at most {} seconds (about 31 years)", MAX.as_secs())]
    TooLarge,
}

impl Spec {
    /// Reads `text`.
    ///
    /// # Errors
    /// [`DurationError`] saying what is wrong and what is accepted.
    pub(crate) fn parse(self, text: &str) -> Result<Duration, DurationError> {
        let text = text.trim();
        let bare = self.unit.bare();
        let (number, scale) = UNITS
            .iter()
            .find_map(|(suffix, scale)| Some((text.strip_suffix(suffix)?, *scale)))
            .unwrap_or((text, self.unit.seconds()));
        let number = number.trim_end();
        // `f64` also reads `inf`, `NaN` and `1e3`: the checks below sort them.
        let value: f64 = number.parse().map_err(|_| DurationError::Garbage(bare))?;
        if !value.is_finite() {
            return Err(DurationError::NotFinite(bare));
        }
        if value < 0.0 {
            return Err(DurationError::Negative(bare));
        }
        let duration = Duration::try_from_secs_f64(value * scale)
            .ok()
            .filter(|duration| *duration <= MAX)
            .ok_or(DurationError::TooLarge)?;
        match self.least {
            Least::AboveZero if duration.is_zero() => Err(DurationError::Zero),
            Least::Is(least) if duration < least => Err(DurationError::BelowLeast(least)),
            _ => Ok(duration),
        }
    }

    /// A clap value parser for this spec.
    pub(crate) fn parser(self) -> impl TypedValueParser<Value = Duration> {
        StringValueParser::new().try_map(move |text| self.parse(&text))
    }
}

/// A value parser for a flag whose bare numbers are seconds.
pub fn seconds(least: Least) -> impl TypedValueParser<Value = Duration> {
    Spec {
        unit: Unit::Seconds,
        least,
    }
    .parser()
}

/// A value parser for a flag whose bare numbers are milliseconds.
pub fn millis(least: Least) -> impl TypedValueParser<Value = Duration> {
    Spec {
        unit: Unit::Millis,
        least,
    }
    .parser()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECONDS: Spec = Spec {
        unit: Unit::Seconds,
        least: Least::Zero,
    };
    const MILLIS: Spec = Spec {
        unit: Unit::Millis,
        least: Least::Is(Duration::from_millis(1)),
    };

    #[test]
    fn bare_numbers_are_in_the_flags_unit() -> Result<(), DurationError> {
        assert_eq!(SECONDS.parse("30")?, Duration::from_secs(30));
        assert_eq!(SECONDS.parse("0.5")?, Duration::from_millis(500));
        assert_eq!(SECONDS.parse("0")?, Duration::ZERO);
        assert_eq!(SECONDS.parse(" 2 ")?, Duration::from_secs(2));
        assert_eq!(MILLIS.parse("100")?, Duration::from_millis(100));
        assert_eq!(MILLIS.parse("1")?, Duration::from_millis(1));
        Ok(())
    }

    #[test]
    fn a_unit_overrides_the_flags_unit() -> Result<(), DurationError> {
        for spec in [SECONDS, MILLIS] {
            assert_eq!(spec.parse("500ms")?, Duration::from_millis(500));
            assert_eq!(spec.parse("1.5s")?, Duration::from_millis(1500));
            assert_eq!(spec.parse("2m")?, Duration::from_secs(120));
            assert_eq!(spec.parse("1h")?, Duration::from_secs(3600));
            assert_eq!(spec.parse("0.25 s")?, Duration::from_millis(250));
            assert_eq!(spec.parse("1e3ms")?, Duration::from_secs(1));
        }
        Ok(())
    }

    #[test]
    fn what_is_not_a_duration_says_what_is() {
        for text in ["", "ms", "abc", "1x", "1 h m", "5sec", "--1", "0x10"] {
            let err = SECONDS.parse(text);
            assert!(
                matches!(err, Err(DurationError::Garbage(_))),
                "{text:?}: {err:?}"
            );
        }
        for text in ["NaN", "nan", "inf", "-inf", "infinity", "NaNs"] {
            let err = SECONDS.parse(text);
            assert!(
                matches!(err, Err(DurationError::NotFinite(_))),
                "{text:?}: {err:?}"
            );
        }
        for text in ["-1", "-0.5s", "-1e300"] {
            let err = SECONDS.parse(text);
            assert!(
                matches!(err, Err(DurationError::Negative(_))),
                "{text:?}: {err:?}"
            );
        }
        assert_eq!(SECONDS.parse("1e9"), Ok(MAX));
        for text in ["1e300", "1e20", "1e300h", "1000000001", "1e13ms", "300000h"] {
            let err = SECONDS.parse(text);
            assert!(
                matches!(err, Err(DurationError::TooLarge)),
                "{text:?}: {err:?}"
            );
        }
        let message = SECONDS.parse("abc").map_err(|e| e.to_string());
        assert_eq!(
            message,
            Err("not a duration: expected a number of seconds or a number with a unit (500ms, 1.5s, 2m, 1h)".to_owned())
        );
    }

    #[test]
    fn each_flag_has_its_least_value() {
        let positive = Spec {
            unit: Unit::Seconds,
            least: Least::AboveZero,
        };
        assert_eq!(positive.parse("0"), Err(DurationError::Zero));
        assert_eq!(positive.parse("0ms"), Err(DurationError::Zero));
        assert_eq!(positive.parse("1ms"), Ok(Duration::from_millis(1)));
        let least = Duration::from_millis(1);
        assert_eq!(MILLIS.parse("0"), Err(DurationError::BelowLeast(least)));
        assert_eq!(MILLIS.parse("0.5"), Err(DurationError::BelowLeast(least)));
        assert_eq!(SECONDS.parse("-0"), Ok(Duration::ZERO));
    }
}
