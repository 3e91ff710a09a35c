//! Queries on obstacles. An obstacle stands on the grid, on a cell with no
//! observer and no other obstacle.

use std::ops::RangeInclusive;

use rusqlite::{Connection, params};

use super::maps::MapRow;
use super::{StoreError, page, place};
use crate::model::{Cell, Obstacle};

/// The obstacles on a map, in reading order.
pub(crate) fn list(db: &Connection, map: &MapRow) -> Result<Vec<Obstacle>, StoreError> {
    let cells = within(db, map, 0..=u32::MAX, 0..=u32::MAX)?;
    let slug = &map.map.slug;
    let obstacles = cells.into_iter().map(|Cell { x, y }| Obstacle {
        map: slug.clone(),
        x,
        y,
    });
    Ok(obstacles.collect())
}

/// A page of a map's obstacles in reading order: at most `limit` after the
/// cell of the cursor `after` (`x,y`), and the cursor of the next page
/// when more follow.
pub(crate) fn page(
    db: &Connection,
    map: &MapRow,
    after: Option<&str>,
    limit: u32,
) -> Result<(Vec<Obstacle>, Option<String>), StoreError> {
    let (column, row) = page::cell_bounds(page::after_cell(after)?);
    let sql = format!(
        "SELECT x, y FROM obstacles WHERE map_id = ?1 AND {} ORDER BY y, x LIMIT ?4",
        page::AFTER_CELL
    );
    let mut statement = db.prepare_cached(&sql)?;
    let slug = &map.map.slug;
    let rows = statement.query_map(params![map.id, column, row, i64::from(limit) + 1], |row| {
        Ok(Obstacle {
            map: slug.clone(),
            x: row.get(0)?,
            y: row.get(1)?,
        })
    })?;
    let obstacles = rows.collect::<Result<Vec<_>, _>>()?;
    Ok(page::split(obstacles, limit, |o| {
        page::cell_cursor(o.x, o.y)
    }))
}

/// The obstacle cells of a map within the given columns and rows, in reading
/// order.
pub(crate) fn within(
    db: &Connection,
    map: &MapRow,
    columns: RangeInclusive<u32>,
    rows: RangeInclusive<u32>,
) -> Result<Vec<Cell>, StoreError> {
    let mut statement = db.prepare(
        "SELECT x, y FROM obstacles
         WHERE map_id = ?1 AND x BETWEEN ?2 AND ?3 AND y BETWEEN ?4 AND ?5
         ORDER BY y, x",
    )?;
    let bounds = params![
        map.id,
        columns.start(),
        columns.end(),
        rows.start(),
        rows.end()
    ];
    let cells = statement.query_map(bounds, |row| Ok(Cell::new(row.get(0)?, row.get(1)?)))?;
    Ok(cells.collect::<Result<_, _>>()?)
}

/// Places an obstacle; its cell must be on the grid and free.
pub(crate) fn insert(db: &Connection, map: &MapRow, x: u32, y: u32) -> Result<(), StoreError> {
    place::check_inside(map, x, y)?;
    place::check_no_observer(db, map, x, y, None)?;
    db.execute(
        "INSERT INTO obstacles (map_id, x, y) VALUES (?1, ?2, ?3)",
        params![map.id, x, y],
    )
    .map_err(|err| {
        place::taken(err, || {
            format!(
                "an obstacle already stands at ({x}, {y}) on map `{}`",
                map.map.slug
            )
        })
    })?;
    Ok(())
}

/// Removes the obstacle at `(x, y)` from a map.
pub(crate) fn delete(db: &Connection, map: &MapRow, x: u32, y: u32) -> Result<(), StoreError> {
    let sql = "DELETE FROM obstacles WHERE map_id = ?1 AND x = ?2 AND y = ?3";
    match db.execute(sql, params![map.id, x, y])? {
        0 => Err(StoreError::NotFound(format!(
            "no obstacle at ({x}, {y}) on map `{}`",
            map.map.slug
        ))),
        _ => Ok(()),
    }
}
