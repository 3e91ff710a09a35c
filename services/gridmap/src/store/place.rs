//! Where observers and obstacles may stand: on the grid, one thing per cell.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use super::maps::MapRow;

/// Refuses a cell off the map's grid.
pub(crate) fn check_inside(row: &MapRow, x: u32, y: u32) -> Result<(), StoreError> {
    let map = &row.map;
    if x < map.width && y < map.height {
        return Ok(());
    }
    Err(StoreError::Invalid(format!(
        "({x}, {y}) is outside map `{}`, which is {}x{} (x < {}, y < {})",
        map.slug, map.width, map.height, map.width, map.height
    )))
}

/// Refuses a cell that holds an obstacle.
pub(crate) fn check_no_obstacle(
    db: &Connection,
    row: &MapRow,
    x: u32,
    y: u32,
) -> Result<(), StoreError> {
    let found = db
        .query_row(
            "SELECT 1 FROM obstacles WHERE map_id = ?1 AND x = ?2 AND y = ?3",
            params![row.id, x, y],
            |_| Ok(()),
        )
        .optional()?;
    match found {
        None => Ok(()),
        Some(()) => Err(StoreError::Conflict(format!(
            "an obstacle stands at ({x}, {y}) on map `{}`",
            row.map.slug
        ))),
    }
}

/// Refuses a cell that holds an observer, other than the one with slug
/// `except` (which is being moved).
pub(crate) fn check_no_observer(
    db: &Connection,
    row: &MapRow,
    x: u32,
    y: u32,
    except: Option<&str>,
) -> Result<(), StoreError> {
    let found: Option<String> = db
        .query_row(
            "SELECT slug FROM observers WHERE map_id = ?1 AND x = ?2 AND y = ?3",
            params![row.id, x, y],
            |r| r.get(0),
        )
        .optional()?;
    match found {
        Some(slug) if Some(slug.as_str()) != except => Err(StoreError::Conflict(format!(
            "observer `{slug}` stands at ({x}, {y}) on map `{}`",
            row.map.slug
        ))),
        _ => Ok(()),
    }
}

/// Turns a UNIQUE violation into a conflict with `message`; other errors
/// pass through.
pub(crate) fn taken(err: rusqlite::Error, message: impl FnOnce() -> String) -> StoreError {
    if err.sqlite_extended_error_code() == Some(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE) {
        StoreError::Conflict(message())
    } else {
        StoreError::Sqlite(err)
    }
}
