//! ISO 8601 date-times as the course system writes them: Python's
//! `datetime.isoformat()`, with or without a UTC offset
//! (`2025-06-02T09:14:05.123456`, `...+03:00`, `...Z`). A time without an
//! offset is taken as UTC. Only what `isoformat` writes is read: a date, a
//! `T` (or a space), hours, minutes, seconds, an optional fraction of up to
//! nine digits and an optional offset.

use std::time::{SystemTime, UNIX_EPOCH};

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
    parse_parts(text.as_bytes()).ok_or_else(|| NotIsoTime {
        text: text.chars().take(64).collect(),
    })
}

fn parse_parts(b: &[u8]) -> Option<i64> {
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        digits.iter().try_fold(0_i64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
        })
    };
    let sep = |at: usize, chars: &[u8]| b.get(at).is_some_and(|c| chars.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut at = 19;
    let mut micros = 0;
    if sep(at, b".,") {
        let digits = b[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 || digits > 9 {
            return None;
        }
        let fraction = num(at + 1..at + 1 + digits)?;
        micros = fraction * 1_000_000 / 10_i64.pow(u32::try_from(digits).ok()?);
        at += 1 + digits;
    }
    let offset_minutes = match b.get(at..)? {
        [] => 0,
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let hours = parse_pair(*h1, *h2)?;
            let minutes = parse_pair(*m1, *m2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let total = hours * 60 + minutes;
            if *sign == b'-' { -total } else { total }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000_000 + micros)
}

fn parse_pair(a: u8, b: u8) -> Option<i64> {
    (a.is_ascii_digit() && b.is_ascii_digit())
        .then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `micros` since the epoch as `2025-06-02T09:14:05.123456+00:00`: what
/// Python's `datetime.isoformat()` writes for an aware UTC time, which
/// every `fromisoformat` reads.
pub fn format(micros: i64) -> String {
    let seconds = micros.div_euclid(1_000_000);
    let fraction = micros.rem_euclid(1_000_000);
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    let (hour, minute, second) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{fraction:06}+00:00")
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
