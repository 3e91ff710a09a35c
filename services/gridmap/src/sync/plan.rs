//! The calls that make a server's map equal to a map file, grouped in steps
//! that the service's rules accept in order, and how each is shown.

use std::collections::{HashMap, HashSet};
use std::fmt;

use switchboard::{CallError, Client, Method};

use crate::model::{MapDetail, MapSummary, Observer};
use crate::rpc::maps::{CreateMap, UpdateMap};
use crate::rpc::observers::{CreateObserver, DeleteObserver, UpdateObserver};
use crate::rpc::obstacles::{CreateObstacle, DeleteObstacle};
use crate::slug::slugify;
use crate::text::{MapFile, ObserverSpec};

/// What an import changes on the server's map: the calls it makes, by
/// step. Made by [`plan`](super::plan()), which only reads; nothing is
/// written until [`apply`](Self::apply).
pub struct Plan {
    /// The map as it is once the plan is applied.
    map: MapSummary,
    pub(super) create_map: Option<CreateMap>,
    pub(super) delete_observers: Vec<DeleteObserver>,
    pub(super) delete_obstacles: Vec<DeleteObstacle>,
    pub(super) update_map: Option<UpdateMap>,
    pub(super) create_obstacles: Vec<CreateObstacle>,
    pub(super) update_observers: Vec<UpdateObserver>,
    pub(super) create_observers: Vec<CreateObserver>,
}

impl Plan {
    /// No call yet, for `map`.
    fn new(map: MapSummary) -> Self {
        Self {
            map,
            create_map: None,
            delete_observers: Vec::new(),
            delete_obstacles: Vec::new(),
            update_map: None,
            create_obstacles: Vec::new(),
            update_observers: Vec::new(),
            create_observers: Vec::new(),
        }
    }

    /// Creates the map of `file`, with slug `slug`, and everything on it.
    pub(super) fn create(slug: &str, file: &MapFile) -> Self {
        let create_map = CreateMap {
            name: file.name.clone(),
            width: file.width,
            height: file.height,
        };
        let obstacles = file
            .obstacles
            .iter()
            .map(|&(x, y)| create_obstacle(slug, x, y));
        let observers = file
            .observers
            .iter()
            .map(|spec| create_observer(slug, spec));
        Self {
            create_map: Some(create_map),
            create_obstacles: obstacles.collect(),
            create_observers: observers.collect(),
            ..Self::new(summary(slug, file))
        }
    }

    /// Changes the map `remote` until it equals `file`.
    pub(super) fn update(remote: &MapDetail, file: &MapFile) -> Self {
        let slug = remote.slug.as_str();
        let wanted: HashSet<(u32, u32)> = file.obstacles.iter().copied().collect();
        let present: HashSet<(u32, u32)> = remote.obstacles.iter().map(|o| (o.x, o.y)).collect();
        let gone = remote
            .obstacles
            .iter()
            .filter(|o| !wanted.contains(&(o.x, o.y)));
        let gone = gone.map(|o| DeleteObstacle {
            map: o.map.clone(),
            x: o.x,
            y: o.y,
        });
        let new = file.obstacles.iter().filter(|cell| !present.contains(cell));
        let mut plan = Self {
            delete_obstacles: gone.collect(),
            update_map: map_change(remote, file),
            create_obstacles: new.map(|&(x, y)| create_obstacle(slug, x, y)).collect(),
            ..Self::new(summary(slug, file))
        };
        plan.diff_observers(slug, &remote.observers, &file.observers);
        plan
    }

    /// Matches observers by slug, then the rest by cell: changes the
    /// matched ones, deletes the unmatched remote ones, creates the
    /// unmatched local ones.
    fn diff_observers(&mut self, slug: &str, remote: &[Observer], local: &[ObserverSpec]) {
        let mut matched = HashSet::new();
        let unmatched = self.match_by_slug(slug, remote, local, &mut matched);
        self.match_by_cell(slug, remote, unmatched, &mut matched);
        let gone = remote.iter().filter(|o| !matched.contains(o.slug.as_str()));
        self.delete_observers.extend(gone.map(delete_observer));
    }

    /// Changes the remote observers that a local one names by slug; returns
    /// the local ones whose slug no remote observer has.
    fn match_by_slug<'a, 'r>(
        &mut self,
        slug: &str,
        remote: &'r [Observer],
        local: &'a [ObserverSpec],
        matched: &mut HashSet<&'r str>,
    ) -> Vec<&'a ObserverSpec> {
        let by_slug: HashMap<&str, &Observer> =
            remote.iter().map(|o| (o.slug.as_str(), o)).collect();
        let mut unmatched = Vec::new();
        for spec in local {
            match by_slug.get(slugify(&spec.name).as_str()) {
                Some(old) if matched.insert(old.slug.as_str()) => self.change_observer(old, spec),
                // A second local observer whose name gives the same slug:
                // the server refuses it with a conflict.
                Some(_) => self.create_observers.push(create_observer(slug, spec)),
                None => unmatched.push(spec),
            }
        }
        unmatched
    }

    /// Changes the unmatched remote observer on the cell of each local one
    /// (renamed: its slug stayed), creates the local ones on no such cell.
    fn match_by_cell<'r>(
        &mut self,
        slug: &str,
        remote: &'r [Observer],
        local: Vec<&ObserverSpec>,
        matched: &mut HashSet<&'r str>,
    ) {
        let left = remote.iter().filter(|o| !matched.contains(o.slug.as_str()));
        let by_cell: HashMap<(u32, u32), &Observer> = left.map(|o| ((o.x, o.y), o)).collect();
        for spec in local {
            match by_cell.get(&(spec.x, spec.y)) {
                Some(old) if matched.insert(old.slug.as_str()) => self.change_observer(old, spec),
                _ => self.create_observers.push(create_observer(slug, spec)),
            }
        }
    }

    fn change_observer(&mut self, old: &Observer, new: &ObserverSpec) {
        if (old.x, old.y) != (new.x, new.y) {
            self.delete_observers.push(delete_observer(old));
            self.create_observers.push(create_observer(&old.map, new));
            return;
        }
        let name = (old.name != new.name).then(|| new.name.clone());
        let range = (old.range != new.range).then_some(new.range);
        if name.is_some() || range.is_some() {
            self.update_observers.push(UpdateObserver {
                map: old.map.clone(),
                observer: old.slug.clone(),
                name,
                x: None,
                y: None,
                range,
            });
        }
    }

    /// The map as it is once the plan is applied.
    pub fn map(&self) -> &MapSummary {
        &self.map
    }

    /// Whether the plan creates the map (no map matched the file).
    pub fn is_new(&self) -> bool {
        self.create_map.is_some()
    }

    /// How many calls the plan makes, each a write.
    pub fn len(&self) -> usize {
        usize::from(self.create_map.is_some())
            + self.delete_observers.len()
            + self.delete_obstacles.len()
            + usize::from(self.update_map.is_some())
            + self.create_obstacles.len()
            + self.update_observers.len()
            + self.create_observers.len()
    }

    /// Whether the server's map already equals the file.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One line per call, in the order [`apply`](Self::apply) makes them:
    /// `create map "Fancy Map", 12 x 6`, `delete observer tower-guard`,
    /// `create obstacle (5, 1)`, `update observer a: name "A", range 3`, ...
    /// A moved observer is deleted and created again.
    pub fn changes(&self) -> Vec<String> {
        let mut lines = Vec::with_capacity(self.len());
        lines.extend(self.create_map.iter().map(show::create_map));
        lines.extend(self.delete_observers.iter().map(show::delete_observer));
        lines.extend(self.delete_obstacles.iter().map(show::delete_obstacle));
        lines.extend(self.update_map.iter().map(show::update_map));
        lines.extend(self.create_obstacles.iter().map(show::create_obstacle));
        lines.extend(self.update_observers.iter().map(show::update_observer));
        lines.extend(self.create_observers.iter().map(show::create_observer));
        lines
    }

    /// Makes the calls, step by step; stops at the first failure. Returns
    /// the map.
    ///
    /// # Errors
    /// The first failed call: a fault if the file breaks a rule of the
    /// service, or a transport or protocol error. Calls made before it stay
    /// made.
    pub async fn apply(self, client: &Client) -> Result<MapSummary, CallError> {
        tracing::debug!(slug = self.map.slug, calls = self.len(), "importing map");
        call_all(client, self.create_map).await?;
        call_all(client, self.delete_observers).await?;
        call_all(client, self.delete_obstacles).await?;
        call_all(client, self.update_map).await?;
        call_all(client, self.create_obstacles).await?;
        call_all(client, self.update_observers).await?;
        call_all(client, self.create_observers).await?;
        Ok(self.map)
    }
}

impl fmt::Debug for Plan {
    // The call structs have no `Debug`: show the lines `changes` gives.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plan")
            .field("map", &self.map)
            .field("changes", &self.changes())
            .finish()
    }
}

async fn call_all<M: Method>(
    client: &Client,
    calls: impl IntoIterator<Item = M>,
) -> Result<(), CallError> {
    for call in calls {
        client.call(call).await?;
    }
    Ok(())
}

/// The map's new name and size, if any differ.
fn map_change(remote: &MapDetail, file: &MapFile) -> Option<UpdateMap> {
    let name = (remote.name != file.name).then(|| file.name.clone());
    let width = (remote.width != file.width).then_some(file.width);
    let height = (remote.height != file.height).then_some(file.height);
    let changed = name.is_some() || width.is_some() || height.is_some();
    changed.then(|| UpdateMap {
        slug: remote.slug.clone(),
        name,
        width,
        height,
    })
}

/// The map `file` describes, under `slug`.
fn summary(slug: &str, file: &MapFile) -> MapSummary {
    MapSummary {
        name: file.name.clone(),
        slug: slug.to_owned(),
        width: file.width,
        height: file.height,
    }
}

fn create_obstacle(map: &str, x: u32, y: u32) -> CreateObstacle {
    let map = map.to_owned();
    CreateObstacle { map, x, y }
}

fn create_observer(map: &str, spec: &ObserverSpec) -> CreateObserver {
    CreateObserver {
        map: map.to_owned(),
        name: spec.name.clone(),
        x: spec.x,
        y: spec.y,
        range: spec.range,
    }
}

fn delete_observer(old: &Observer) -> DeleteObserver {
    DeleteObserver {
        map: old.map.clone(),
        observer: old.slug.clone(),
    }
}

/// Each call as a line of [`Plan::changes`].
mod show {
    use crate::rpc::maps::{CreateMap, UpdateMap};
    use crate::rpc::observers::{CreateObserver, DeleteObserver, UpdateObserver};
    use crate::rpc::obstacles::{CreateObstacle, DeleteObstacle};

    pub(super) fn create_map(call: &CreateMap) -> String {
        format!(
            "create map {:?}, {} x {}",
            call.name, call.width, call.height
        )
    }

    pub(super) fn update_map(call: &UpdateMap) -> String {
        let name = call.name.as_ref().map(|name| format!("name {name:?}"));
        let width = call.width.map(|width| format!("width {width}"));
        let height = call.height.map(|height| format!("height {height}"));
        let what = [name, width, height].into_iter().flatten();
        format!(
            "update map {}: {}",
            call.slug,
            what.collect::<Vec<_>>().join(", ")
        )
    }

    pub(super) fn delete_obstacle(call: &DeleteObstacle) -> String {
        format!("delete obstacle ({}, {})", call.x, call.y)
    }

    pub(super) fn create_obstacle(call: &CreateObstacle) -> String {
        format!("create obstacle ({}, {})", call.x, call.y)
    }

    pub(super) fn delete_observer(call: &DeleteObserver) -> String {
        format!("delete observer {}", call.observer)
    }

    pub(super) fn create_observer(call: &CreateObserver) -> String {
        let CreateObserver {
            name, x, y, range, ..
        } = call;
        format!("create observer {name:?} at ({x}, {y}), range {range}")
    }

    /// Only what an import changes: the name and the range.
    pub(super) fn update_observer(call: &UpdateObserver) -> String {
        let name = call.name.as_ref().map(|name| format!("name {name:?}"));
        let range = call.range.map(|range| format!("range {range}"));
        let what = [name, range].into_iter().flatten();
        let what = what.collect::<Vec<_>>().join(", ");
        format!("update observer {}: {what}", call.observer)
    }
}
