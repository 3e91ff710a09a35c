//! Pages of a list: one row more than asked for tells whether another page
//! follows, and the last row kept gives the cursor of the next one.
//! Observers and obstacles are paged by cell in reading order, with the
//! cursor written `x,y` (the cell of the page's last entry).

use super::StoreError;
use crate::model::Cell;

/// Keeps the first `limit` of `rows` (fetched with `limit + 1`) and, when
/// more followed, the cursor of the next page: `key` of the last one kept.
pub(crate) fn split<T>(
    mut rows: Vec<T>,
    limit: u32,
    key: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() <= limit {
        return (rows, None);
    }
    rows.truncate(limit);
    let next = rows.last().map(key);
    (rows, next)
}

/// The cursor of a cell: `x,y`.
pub(crate) fn cell_cursor(x: u32, y: u32) -> String {
    format!("{x},{y}")
}

/// Reads an `x,y` cursor; the start of the list when there is none.
///
/// # Errors
/// [`StoreError::Invalid`] if it is not two whole numbers.
pub(crate) fn after_cell(after: Option<&str>) -> Result<Option<Cell>, StoreError> {
    let Some(after) = after else {
        return Ok(None);
    };
    let cell = after
        .split_once(',')
        .and_then(|(x, y)| Some(Cell::new(x.trim().parse().ok()?, y.trim().parse().ok()?)));
    cell.map(Some).ok_or_else(|| {
        StoreError::Invalid(format!(
            "`after` must be the `next` of an earlier page, `x,y` (two whole numbers), not `{after}`"
        ))
    })
}

/// The SQL condition "after the cursor's cell in reading order" on columns
/// `x` and `y`, with the cursor's column bound to `?2` and its row to `?3`.
pub(crate) const AFTER_CELL: &str = "(y > ?3 OR (y = ?3 AND x > ?2))";

/// The row and column a page starts after, as bound parameters: before
/// the first cell when there is no cursor.
pub(crate) fn cell_bounds(after: Option<Cell>) -> (i64, i64) {
    match after {
        Some(cell) => (i64::from(cell.x), i64::from(cell.y)),
        None => (-1, -1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_page_names_the_next_and_a_short_one_does_not() {
        let (rows, next) = split(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!((rows, next), (vec![1, 2], Some("2".to_owned())));
        let (rows, next) = split(vec![1, 2], 2, |n| n.to_string());
        assert_eq!((rows, next), (vec![1, 2], None));
    }

    #[test]
    fn cursors_read_back_and_bad_ones_are_refused() {
        let cursor = cell_cursor(3, 14);
        assert_eq!(
            after_cell(Some(&cursor)).ok().flatten(),
            Some(Cell::new(3, 14))
        );
        assert!(matches!(after_cell(None), Ok(None)));
        for bad in ["", "3", "3,", "a,b", "-1,2", "1,2,3"] {
            assert!(
                matches!(after_cell(Some(bad)), Err(StoreError::Invalid(_))),
                "{bad}"
            );
        }
    }
}
