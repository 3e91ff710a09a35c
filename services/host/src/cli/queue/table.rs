//! Plain-text tables for the queue commands: columns padded to their widest
//! cell, numbers right-aligned, two spaces between columns.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Renders `rows` under `headers`; columns of numbers (and `-` for none)
/// are right-aligned. Each line ends with a newline, without trailing spaces.
pub(super) fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..headers.len())
        .map(|col| {
            rows.iter()
                .filter_map(|row| row.get(col))
                .map(|cell| cell.chars().count())
                .chain([headers[col].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let numeric: Vec<bool> = (0..headers.len())
        .map(|col| {
            let mut cells = rows.iter().filter_map(|row| row.get(col));
            let is_number = |cell: &String| cell.parse::<i64>().is_ok();
            cells.clone().any(is_number) && cells.all(|cell| cell == "-" || is_number(cell))
        })
        .collect();
    let header: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(col, cell)| match numeric.get(col) {
                Some(true) => format!("{cell:>width$}", width = widths[col]),
                _ => format!(
                    "{cell:<width$}",
                    width = widths.get(col).copied().unwrap_or(0)
                ),
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// Unix milliseconds as `YYYY-MM-DD HH:MM:SSZ` (UTC); times outside the
/// years -9999 to 9999 print as the nearest of those bounds.
pub(super) fn utc(unix_ms: i64) -> String {
    const UTC: &[BorrowedFormatItem<'static>] =
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000).unwrap_or(
        if unix_ms < 0 {
            PrimitiveDateTime::MIN.assume_utc()
        } else {
            PrimitiveDateTime::MAX.assume_utc()
        },
    );
    // Formatting fails only for a component the value lacks, and an
    // `OffsetDateTime` has every one `UTC` names.
    at.format(UTC).expect("a date-time has a date and a time")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_numbers_go_right() {
        let rows = vec![
            vec!["a".to_owned(), "5".to_owned(), "x".to_owned()],
            vec!["worker-2".to_owned(), "12".to_owned(), "yz".to_owned()],
        ];
        let text = render(&["WORKER", "LAG", "NOTE"], &rows);
        assert_eq!(
            text,
            "WORKER    LAG  NOTE\na           5  x\nworker-2   12  yz\n"
        );
    }

    #[test]
    fn times_print_in_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00:00Z");
        assert_eq!(utc(951_782_400_000 + 3_723_000), "2000-02-29 01:02:03Z");
        assert_eq!(utc(1_735_689_599_999), "2024-12-31 23:59:59Z");
    }
}
