//! ISO 8601 date-times as the course system writes them: Python's
//! `datetime.isoformat()`, with or without a UTC offset
//! (`2025-06-02T09:14:05.123456`, `...+03:00`, `...Z`). A time without an
//! offset is taken as UTC. Only what `isoformat` writes is read: a date, a
//! `T` (or a space), hours, minutes, seconds, an optional fraction (of any
//! length, as `fromisoformat` reads it; kept to the microsecond) and an
//! optional offset. The calendar is the `time` crate's.

use std::time::{SystemTime, UNIX_EPOCH};

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::parsing::Parsed;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// What `isoformat` writes: `T` (or a space) between date and time, a
/// fraction after `.` (or `,`), then `Z` or an offset with or without its
/// colon, or nothing. The offset's sign is mandatory, so that digits after
/// the seconds are never read as one.
const ISO_TIME: &[BorrowedFormatItem<'static>] = format_description!(
    version = 2,
    "[year]-[month]-[day][first [T][t][ ]][hour]:[minute]:[second]\
     [optional [[first [.][,]][subsecond]]]\
     [optional [[first [Z][z][[offset_hour sign:mandatory][optional [:]][offset_minute]]]]]"
);

/// What [`format()`] writes: microseconds, and the UTC offset spelled out.
const ISO_UTC: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]+00:00");

/// Why a text is not an ISO 8601 date-time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{text}` is not an ISO 8601 date and time (like 2025-06-02T09:14:05 or 2025-06-02T09:14:05.5+00:00)"
)]
pub struct NotIsoTime {
    text: String,
}

/// Microseconds since the Unix epoch of an ISO 8601 date-time.
///
/// # Errors
/// [`NotIsoTime`] if `text` is not one.
pub fn parse(text: &str) -> Result<i64, NotIsoTime> {
    parse_micros(text).ok_or_else(|| NotIsoTime {
        text: text.chars().take(64).collect(),
    })
}

fn parse_micros(text: &str) -> Option<i64> {
    // `[year]` would also take a sign (`+2025-…`), which `isoformat` never
    // writes.
    if !text.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut parsed = Parsed::new();
    let rest = parsed.parse_items(text.as_bytes(), ISO_TIME).ok()?;
    if !rest.is_empty() {
        return None;
    }
    let local = PrimitiveDateTime::try_from(parsed).ok()?;
    let offset = match parsed.offset_hour() {
        // `UtcOffset` goes to ±25 hours; `isoformat` stays below a day.
        Some(hours) if hours.abs() > 23 => return None,
        Some(_) => UtcOffset::try_from(parsed).ok()?,
        None => UtcOffset::UTC,
    };
    let nanos = local.assume_offset(offset).unix_timestamp_nanos();
    i64::try_from(nanos.div_euclid(1000)).ok()
}

/// `micros` since the epoch as `2025-06-02T09:14:05.123456+00:00`: what
/// Python's `datetime.isoformat()` writes for an aware UTC time, which
/// every `fromisoformat` reads. Times outside the years -9999 to 9999 are
/// written as the nearest of those bounds.
pub fn format(micros: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000).unwrap_or(
        if micros < 0 {
            PrimitiveDateTime::MIN.assume_utc()
        } else {
            PrimitiveDateTime::MAX.assume_utc()
        },
    );
    // Formatting fails only for a component the value lacks, and an
    // `OffsetDateTime` has every one `ISO_UTC` names.
    at.format(ISO_UTC)
        .expect("a date-time has a date, a time and an offset")
}

/// Now, in microseconds since the epoch.
pub fn now_micros() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_micros()).unwrap_or(i64::MAX)
}

/// Now, formatted by [`format()`].
pub fn now() -> String {
    format(now_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_python_writes_with_and_without_offsets() -> Result<(), NotIsoTime> {
        let naive = parse("2025-06-02T09:14:05.123456")?;
        assert_eq!(naive, 1_748_855_645_123_456);
        assert_eq!(parse("2025-06-02T09:14:05.123456+00:00")?, naive);
        assert_eq!(parse("2025-06-02T12:14:05.123456+03:00")?, naive);
        assert_eq!(parse("2025-06-02T09:14:05.123456Z")?, naive);
        assert_eq!(parse("2025-06-02 09:14:05")?, naive - 123_456);
        assert_eq!(
            parse("2024-02-29T00:00:00-0130")?,
            parse("2024-02-29T01:30:00")?
        );
        Ok(())
    }

    #[test]
    fn refuses_what_is_not_a_date_time() {
        for bad in [
            "",
            "2025-06-02",
            "2025-13-01T00:00:00",
            "2025-02-29T00:00:00",
            "2025-06-02T24:00:00",
            "2025-06-02T09:14:05.",
            "2025-06-02T09:14:05+3",
            "2025-06-02T09:14:05 junk",
            "yesterday",
            "２０２５-06-02T09:14:05",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_long_fraction_is_cut_and_a_signed_year_refused() -> Result<(), NotIsoTime> {
        assert_eq!(
            parse("2025-06-02T09:14:05.1234567891")?,
            parse("2025-06-02T09:14:05.123456")?
        );
        assert!(parse("+2025-06-02T09:14:05").is_err());
        assert!(parse("2025-06-02T09:14:05+24:00").is_err());
        Ok(())
    }

    #[test]
    fn formats_and_reads_back() -> Result<(), NotIsoTime> {
        for micros in [
            0,
            1_748_855_645_123_456,
            -86_400_000_001,
            4_102_444_800_000_000,
        ] {
            let text = format(micros);
            assert_eq!(parse(&text)?, micros, "{text}");
        }
        assert_eq!(format(0), "1970-01-01T00:00:00.000000+00:00");
        Ok(())
    }
}
