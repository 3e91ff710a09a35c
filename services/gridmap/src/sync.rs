//! One-way sync between map files and a `gridmap` server, over any transport
//! and protocol: [`import`] makes the server's map equal to a file,
//! [`export`] reads a server's map as a file. Both use only typed calls.
//!
//! The map file's name picks the server's map by slug. An import onto an
//! existing map sends only what differs, in an order the server's rules
//! accept at every step:
//!
//! 1. delete observers that are gone or that move (a move is a delete and a
//!    create, so observers may swap cells or move onto vacated ones);
//! 2. delete obstacles that are gone;
//! 3. rename or resize the map (what is left fits the new size);
//! 4. create the new obstacles, update renamed observers and observers with
//!    a new range, create the new and moved observers.

mod plan;

use switchboard::{CallError, Client, code};

use super::model::{MapDetail, MapSummary};
use super::rpc::maps::GetMap;
use super::slug::slugify;
use super::text::{MapFile, ObserverSpec};
use plan::Plan;

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
///
/// # Errors
/// The first failed call: a fault if the file breaks a rule of the service
/// (an observer off the grid, two observers whose names give one slug, ...),
/// or a transport or protocol error. Calls made before it stay made.
pub async fn import(client: &Client, file: &MapFile) -> Result<MapSummary, CallError> {
    let slug = slugify(&file.name);
    let plan = match client.call(GetMap { slug: slug.clone() }).await {
        Ok(remote) => Plan::update(&remote, file),
        Err(err) if err.fault().is_some_and(|f| f.code() == code::NOT_FOUND) => {
            Plan::create(&slug, file)
        }
        Err(err) => return Err(err),
    };
    tracing::debug!(slug, calls = plan.len(), "importing map");
    plan.apply(client).await?;
    Ok(MapSummary {
        name: file.name.clone(),
        slug,
        width: file.width,
        height: file.height,
    })
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
