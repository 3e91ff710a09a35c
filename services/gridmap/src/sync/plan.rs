//! The calls that make a server's map equal to a map file, grouped in steps
//! that the service's rules accept in order.

use std::collections::{HashMap, HashSet};

use switchboard::{CallError, Client, Method};

use crate::model::{MapDetail, Observer};
use crate::rpc::maps::{CreateMap, UpdateMap};
use crate::rpc::observers::{CreateObserver, DeleteObserver, UpdateObserver};
use crate::rpc::obstacles::{CreateObstacle, DeleteObstacle};
use crate::slug::slugify;
use crate::text::{MapFile, ObserverSpec};

/// The calls of one import, by step.
#[derive(Default)]
pub(super) struct Plan {
    pub(super) create_map: Option<CreateMap>,
    pub(super) delete_observers: Vec<DeleteObserver>,
    pub(super) delete_obstacles: Vec<DeleteObstacle>,
    pub(super) update_map: Option<UpdateMap>,
    pub(super) create_obstacles: Vec<CreateObstacle>,
    pub(super) update_observers: Vec<UpdateObserver>,
    pub(super) create_observers: Vec<CreateObserver>,
}

impl Plan {
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
            ..Self::default()
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
            ..Self::default()
        };
        plan.diff_observers(slug, &remote.observers, &file.observers);
        plan
    }

    /// Matches observers by slug: deletes the unmatched remote ones, creates
    /// the unmatched local ones, changes the matched ones.
    fn diff_observers(&mut self, slug: &str, remote: &[Observer], local: &[ObserverSpec]) {
        let by_slug: HashMap<&str, &Observer> =
            remote.iter().map(|o| (o.slug.as_str(), o)).collect();
        let mut matched = HashSet::new();
        for spec in local {
            match by_slug.get(slugify(&spec.name).as_str()) {
                Some(old) if matched.insert(old.slug.as_str()) => self.change_observer(old, spec),
                // New, or a second local observer whose name gives the same
                // slug: the server refuses that one with a conflict.
                _ => self.create_observers.push(create_observer(slug, spec)),
            }
        }
        let gone = remote.iter().filter(|o| !matched.contains(o.slug.as_str()));
        self.delete_observers.extend(gone.map(delete_observer));
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

    /// How many calls the plan makes.
    pub(super) fn len(&self) -> usize {
        usize::from(self.create_map.is_some())
            + self.delete_observers.len()
            + self.delete_obstacles.len()
            + usize::from(self.update_map.is_some())
            + self.create_obstacles.len()
            + self.update_observers.len()
            + self.create_observers.len()
    }

    /// Makes the calls, step by step; stops at the first failure.
    pub(super) async fn apply(self, client: &Client) -> Result<(), CallError> {
        call_all(client, self.create_map).await?;
        call_all(client, self.delete_observers).await?;
        call_all(client, self.delete_obstacles).await?;
        call_all(client, self.update_map).await?;
        call_all(client, self.create_obstacles).await?;
        call_all(client, self.update_observers).await?;
        call_all(client, self.create_observers).await
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
