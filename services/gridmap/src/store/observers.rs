//! Queries on observers. An observer stands on the grid, on a cell with no
//! obstacle and no other observer; its slug is unique on its map.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::maps::MapRow;
use super::{StoreError, page, place};
use crate::model::Observer;

/// What an update changes; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub(crate) struct ObserverChange {
    /// A new name (the slug stays).
    pub(crate) name: Option<String>,
    /// A new column.
    pub(crate) x: Option<u32>,
    /// A new row.
    pub(crate) y: Option<u32>,
    /// A new vision range.
    pub(crate) range: Option<u32>,
}

const COLUMNS: &str = "slug, name, x, y, vision_range";

fn from_row(map: &MapRow, row: &Row<'_>) -> rusqlite::Result<Observer> {
    Ok(Observer {
        map: map.map.slug.clone(),
        slug: row.get(0)?,
        name: row.get(1)?,
        x: row.get(2)?,
        y: row.get(3)?,
        range: row.get(4)?,
    })
}

/// The observers on a map, in reading order.
pub(crate) fn list(db: &Connection, map: &MapRow) -> Result<Vec<Observer>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM observers WHERE map_id = ?1 ORDER BY y, x");
    let mut statement = db.prepare(&sql)?;
    let rows = statement.query_map([map.id], |row| from_row(map, row))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A page of a map's observers in reading order: at most `limit` after the
/// cell of the cursor `after` (`x,y`), and the cursor of the next page
/// when more follow.
pub(crate) fn page(
    db: &Connection,
    map: &MapRow,
    after: Option<&str>,
    limit: u32,
) -> Result<(Vec<Observer>, Option<String>), StoreError> {
    let (column, row) = page::cell_bounds(page::after_cell(after)?);
    let sql = format!(
        "SELECT {COLUMNS} FROM observers WHERE map_id = ?1 AND {} ORDER BY y, x LIMIT ?4",
        page::AFTER_CELL
    );
    let mut statement = db.prepare_cached(&sql)?;
    let rows = statement.query_map(params![map.id, column, row, i64::from(limit) + 1], |row| {
        from_row(map, row)
    })?;
    let observers = rows.collect::<Result<Vec<_>, _>>()?;
    Ok(page::split(observers, limit, |o| {
        page::cell_cursor(o.x, o.y)
    }))
}

/// The observer with `slug` on a map.
pub(crate) fn find(db: &Connection, map: &MapRow, slug: &str) -> Result<Observer, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM observers WHERE map_id = ?1 AND slug = ?2");
    db.query_row(&sql, params![map.id, slug], |row| from_row(map, row))
        .optional()?
        .ok_or_else(|| {
            StoreError::NotFound(format!("no observer `{slug}` on map `{}`", map.map.slug))
        })
}

/// Places a new observer; its slug and cell must be free.
pub(crate) fn insert(db: &Connection, map: &MapRow, new: &Observer) -> Result<(), StoreError> {
    check_cell(db, map, new.x, new.y, None)?;
    db.execute(
        "INSERT INTO observers (map_id, slug, name, x, y, vision_range)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![map.id, new.slug, new.name, new.x, new.y, new.range],
    )
    .map_err(|err| {
        place::taken(err, || {
            format!(
                "map `{}` already has an observer `{}`",
                map.map.slug, new.slug
            )
        })
    })?;
    Ok(())
}

/// Renames, moves or changes the range of the observer with `slug`.
pub(crate) fn update(
    db: &Connection,
    map: &MapRow,
    slug: &str,
    change: ObserverChange,
) -> Result<(), StoreError> {
    let old = find(db, map, slug)?;
    let (x, y) = (change.x.unwrap_or(old.x), change.y.unwrap_or(old.y));
    if (x, y) != (old.x, old.y) {
        check_cell(db, map, x, y, Some(slug))?;
    }
    let name = change.name.unwrap_or(old.name);
    let range = change.range.unwrap_or(old.range);
    db.execute(
        "UPDATE observers SET name = ?1, x = ?2, y = ?3, vision_range = ?4
         WHERE map_id = ?5 AND slug = ?6",
        params![name, x, y, range, map.id, slug],
    )?;
    Ok(())
}

/// Removes the observer with `slug` from a map.
pub(crate) fn delete(db: &Connection, map: &MapRow, slug: &str) -> Result<(), StoreError> {
    let sql = "DELETE FROM observers WHERE map_id = ?1 AND slug = ?2";
    match db.execute(sql, params![map.id, slug])? {
        0 => Err(StoreError::NotFound(format!(
            "no observer `{slug}` on map `{}`",
            map.map.slug
        ))),
        _ => Ok(()),
    }
}

/// Refuses a cell off the grid, on an obstacle, or taken by another observer.
fn check_cell(
    db: &Connection,
    map: &MapRow,
    x: u32,
    y: u32,
    moving: Option<&str>,
) -> Result<(), StoreError> {
    place::check_inside(map, x, y)?;
    place::check_no_obstacle(db, map, x, y)?;
    place::check_no_observer(db, map, x, y, moving)
}
