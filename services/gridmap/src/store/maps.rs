//! Queries on maps, and the rule that a map never shrinks past its contents.

use rusqlite::{Connection, OptionalExtension, params};

use super::{StoreError, observers, obstacles, page, place};
use crate::model::{MapDetail, MapSummary};

/// A stored map.
#[derive(Debug, Clone)]
pub(crate) struct MapRow {
    /// The row id, which observers and obstacles refer to.
    pub(crate) id: i64,
    /// The map as the methods show it.
    pub(crate) map: MapSummary,
}

/// What an update changes; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub(crate) struct MapChange {
    /// A new name (the slug stays).
    pub(crate) name: Option<String>,
    /// A new width.
    pub(crate) width: Option<u32>,
    /// A new height.
    pub(crate) height: Option<u32>,
}

/// Every map, by slug.
/// Up to `limit` maps whose slugs come after `after`, by slug, and the
/// cursor of the next page if more follow.
pub(crate) fn page(
    db: &Connection,
    after: Option<&str>,
    limit: u32,
) -> Result<(Vec<MapSummary>, Option<String>), StoreError> {
    let mut statement = db.prepare_cached(
        "SELECT name, slug, width, height FROM maps WHERE slug > ?1 ORDER BY slug LIMIT ?2",
    )?;
    // One more than asked for tells whether another page follows.
    let rows = statement.query_map(params![after.unwrap_or(""), i64::from(limit) + 1], |row| {
        Ok(MapSummary {
            name: row.get(0)?,
            slug: row.get(1)?,
            width: row.get(2)?,
            height: row.get(3)?,
        })
    })?;
    let maps = rows.collect::<Result<Vec<_>, _>>()?;
    Ok(page::split(maps, limit, |map| map.slug.clone()))
}

/// Every map, by slug.
#[cfg(test)]
pub(crate) fn list(db: &Connection) -> Result<Vec<MapSummary>, StoreError> {
    let mut statement = db.prepare("SELECT name, slug, width, height FROM maps ORDER BY slug")?;
    let rows = statement.query_map([], |row| {
        Ok(MapSummary {
            name: row.get(0)?,
            slug: row.get(1)?,
            width: row.get(2)?,
            height: row.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Stores a new map; its slug must be free.
pub(crate) fn insert(db: &Connection, map: &MapSummary) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO maps (slug, name, width, height) VALUES (?1, ?2, ?3, ?4)",
        params![map.slug, map.name, map.width, map.height],
    )
    .map_err(|err| {
        place::taken(err, || {
            format!("a map with slug `{}` already exists", map.slug)
        })
    })?;
    Ok(())
}

/// The map with `slug`.
pub(crate) fn find(db: &Connection, slug: &str) -> Result<MapRow, StoreError> {
    db.query_row(
        "SELECT id, name, slug, width, height FROM maps WHERE slug = ?1",
        [slug],
        |row| {
            let map = MapSummary {
                name: row.get(1)?,
                slug: row.get(2)?,
                width: row.get(3)?,
                height: row.get(4)?,
            };
            Ok(MapRow {
                id: row.get(0)?,
                map,
            })
        },
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("no map `{slug}`")))
}

/// The map with `slug`, its observers and its obstacles.
pub(crate) fn detail(db: &Connection, slug: &str) -> Result<MapDetail, StoreError> {
    let row = find(db, slug)?;
    let observers = observers::list(db, &row)?;
    let obstacles = obstacles::list(db, &row)?;
    let MapSummary {
        name,
        slug,
        width,
        height,
    } = row.map;
    Ok(MapDetail {
        name,
        slug,
        width,
        height,
        observers,
        obstacles,
    })
}

/// Renames or resizes the map with `slug`; refuses a size that would leave an
/// observer or obstacle off the grid.
pub(crate) fn update(db: &Connection, slug: &str, change: MapChange) -> Result<(), StoreError> {
    let row = find(db, slug)?;
    let width = change.width.unwrap_or(row.map.width);
    let height = change.height.unwrap_or(row.map.height);
    if width < row.map.width || height < row.map.height {
        check_fits(db, &row, width, height)?;
    }
    let name = change.name.unwrap_or(row.map.name);
    db.execute(
        "UPDATE maps SET name = ?1, width = ?2, height = ?3 WHERE id = ?4",
        params![name, width, height, row.id],
    )?;
    Ok(())
}

/// Deletes the map with `slug` and everything on it.
pub(crate) fn delete(db: &Connection, slug: &str) -> Result<(), StoreError> {
    match db.execute("DELETE FROM maps WHERE slug = ?1", [slug])? {
        0 => Err(StoreError::NotFound(format!("no map `{slug}`"))),
        _ => Ok(()),
    }
}

/// Refuses `width` × `height` if something on the map lies outside it.
fn check_fits(db: &Connection, row: &MapRow, width: u32, height: u32) -> Result<(), StoreError> {
    let bounds = params![row.id, width, height];
    let observer: Option<(String, u32, u32)> = db
        .query_row(
            "SELECT slug, x, y FROM observers WHERE map_id = ?1 AND (x >= ?2 OR y >= ?3)
             ORDER BY y, x LIMIT 1",
            bounds,
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let obstacle = || {
        db.query_row(
            "SELECT x, y FROM obstacles WHERE map_id = ?1 AND (x >= ?2 OR y >= ?3)
             ORDER BY y, x LIMIT 1",
            bounds,
            |r| Ok((r.get::<_, u32>(0)?, r.get::<_, u32>(1)?)),
        )
        .optional()
    };
    let outside = match observer {
        Some((slug, x, y)) => format!("observer `{slug}` at ({x}, {y})"),
        None => match obstacle()? {
            Some((x, y)) => format!("the obstacle at ({x}, {y})"),
            None => return Ok(()),
        },
    };
    Err(StoreError::Conflict(format!(
        "map `{}` cannot shrink to {width}x{height}: {outside} would fall outside",
        row.map.slug
    )))
}
