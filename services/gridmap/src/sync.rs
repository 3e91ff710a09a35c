//! One-way sync between map files and a `gridmap` server, over any transport
//! and protocol: [`plan()`] works out what an import would change, [`import`]
//! makes the server's map equal to a file, [`export`] reads a server's map
//! as a file and [`all_maps`] lists what there is to export. All use only
//! typed calls, and only reads until a [`Plan`] is applied.
//!
//! The map file's name picks the server's map by slug. A map renamed since
//! it was created keeps its slug, which its new name no longer gives: the
//! slug a file is saved under (`export --all` names files by slug) finds it
//! when it holds the file's very name. An import onto an existing map sends
//! only what differs, in an order the server's rules accept at every step:
//!
//! 1. delete observers that are gone or that move (a move is a delete and a
//!    create, so observers may swap cells or move onto vacated ones);
//! 2. delete obstacles that are gone;
//! 3. rename or resize the map (what is left fits the new size);
//! 4. create the new obstacles, update renamed observers and observers with
//!    a new range, create the new and moved observers.
//!
//! Observers are matched by the slug of their name, then, for names whose
//! slug no observer has, by cell: an observer renamed in place keeps its
//! slug, so a file exported after the rename imports as no change.

mod plan;

use switchboard::{CallError, Client, code};

use super::model::{MapDetail, MapSummary};
use super::rpc::maps::{GetMap, ListMaps};
use super::slug::slugify;
use super::text::{MapFile, ObserverSpec};
pub use plan::Plan;

/// The letters observers get on export, in reading order.
pub const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Why a map could not be exported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// A call to the server failed.
    #[error("reading the map from the server failed")]
    Call(#[from] CallError),
    /// The map has more observers than a map file has letters for.
    #[error("map `{slug}` has {count} observers; a map file holds at most 52 (a-z, A-Z)")]
    TooManyObservers {
        /// The map.
        slug: String,
        /// How many observers it has.
        count: usize,
    },
}

/// Makes the server's map equal to `file`: creates it if no map has the
/// slug of the file's name, else renames, resizes and creates, updates or
/// deletes observers and obstacles until it matches. Returns the map.
/// Same as [`plan()`] without `saved_as`, then [`Plan::apply`].
///
/// # Errors
/// The first failed call: a fault if the file breaks a rule of the service
/// (an observer off the grid, two observers whose names give one slug, ...),
/// or a transport or protocol error. Calls made before it stay made.
pub async fn import(client: &Client, file: &MapFile) -> Result<MapSummary, CallError> {
    plan(client, file, None).await?.apply(client).await
}

/// What an import of `file` would change on the server, read but not
/// applied. The map is the one with the slug of the file's name; if there
/// is none, the one with slug `saved_as` (the slug the file is saved under)
/// if its name is the file's; else a new one.
///
/// # Errors
/// A failed read (a transport or protocol error, a fault other than
/// `Client.NotFound`).
pub async fn plan(
    client: &Client,
    file: &MapFile,
    saved_as: Option<&str>,
) -> Result<Plan, CallError> {
    let slug = slugify(&file.name);
    if let Some(remote) = find(client, &slug).await? {
        return Ok(Plan::update(&remote, file));
    }
    // Only a slug can name a renamed map; anything else is a file name.
    let saved_as = saved_as.filter(|saved| *saved != slug && slugify(saved) == *saved);
    if let Some(saved) = saved_as {
        let renamed = find(client, saved).await?;
        if let Some(remote) = renamed.filter(|remote| remote.name == file.name) {
            return Ok(Plan::update(&remote, file));
        }
    }
    Ok(Plan::create(&slug, file))
}

/// The map with `slug`, or `None` if there is none.
async fn find(client: &Client, slug: &str) -> Result<Option<MapDetail>, CallError> {
    let slug = slug.to_owned();
    match client.call(GetMap { slug }).await {
        Ok(remote) => Ok(Some(remote)),
        Err(err) if err.fault().is_some_and(|f| f.code() == code::NOT_FOUND) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Every map on the server, by slug, walking the pages of `list_maps`.
///
/// # Errors
/// The first failed call.
pub async fn all_maps(client: &Client) -> Result<Vec<MapSummary>, CallError> {
    let mut maps = Vec::new();
    let mut after = None;
    loop {
        let page = client.call(ListMaps { limit: None, after }).await?;
        maps.extend(page.maps);
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(maps),
        }
    }
}

/// Reads the map with `slug` as a map file, observers lettered in reading
/// order (`a` to `z`, then `A` to `Z`).
///
/// # Errors
/// [`ExportError::Call`] if the map cannot be read (a `Client.NotFound`
/// fault if there is none), [`ExportError::TooManyObservers`] past 52.
pub async fn export(client: &Client, slug: &str) -> Result<MapFile, ExportError> {
    let detail = client
        .call(GetMap {
            slug: slug.to_owned(),
        })
        .await?;
    to_map_file(detail)
}

/// The map file of a map's detail.
fn to_map_file(detail: MapDetail) -> Result<MapFile, ExportError> {
    let MapDetail {
        name,
        slug,
        width,
        height,
        mut observers,
        obstacles,
    } = detail;
    if observers.len() > LETTERS.len() {
        let count = observers.len();
        return Err(ExportError::TooManyObservers { slug, count });
    }
    observers.sort_by_key(|o| (o.y, o.x));
    let observers = observers.into_iter().zip(LETTERS.chars());
    let observers = observers.map(|(o, letter)| ObserverSpec {
        letter,
        name: o.name,
        x: o.x,
        y: o.y,
        range: o.range,
    });
    let mut obstacles: Vec<(u32, u32)> = obstacles.iter().map(|o| (o.x, o.y)).collect();
    obstacles.sort_by_key(|&(x, y)| (y, x));
    Ok(MapFile {
        name,
        width,
        height,
        observers: observers.collect(),
        obstacles,
    })
}

#[cfg(test)]
mod tests;
