use super::*;
use crate::model::{Observer, Obstacle};
use crate::text::MapFileError;

fn observer(slug: &str, name: &str, x: u32, y: u32, range: u32) -> Observer {
    Observer {
        map: "m".to_owned(),
        slug: slug.to_owned(),
        name: name.to_owned(),
        x,
        y,
        range,
    }
}

fn detail(observers: Vec<Observer>, obstacles: &[(u32, u32)]) -> MapDetail {
    let obstacles = obstacles.iter().map(|&(x, y)| Obstacle {
        map: "m".to_owned(),
        x,
        y,
    });
    MapDetail {
        name: "M".to_owned(),
        slug: "m".to_owned(),
        width: 4,
        height: 3,
        observers,
        obstacles: obstacles.collect(),
    }
}

#[test]
fn export_letters_observers_in_reading_order() -> Result<(), Box<dyn std::error::Error>> {
    let remote = detail(
        vec![
            observer("late", "Late", 0, 2, 5),
            observer("early", "Early", 3, 0, 2),
        ],
        &[(1, 1), (0, 0)],
    );
    let file = to_map_file(remote)?;
    assert_eq!(file.to_text(), "M\n#..a\n.#..\nb...\na,Early,2\nb,Late,5\n");
    assert_eq!(MapFile::parse(&file.to_text())?, file);
    Ok(())
}

#[test]
fn export_refuses_more_observers_than_letters() -> Result<(), MapFileError> {
    let many = (0..53)
        .map(|i| observer(&format!("o{i}"), "O", i % 4, i / 4, 1))
        .collect();
    match to_map_file(detail(many, &[])) {
        Err(ExportError::TooManyObservers { count: 53, .. }) => Ok(()),
        other => panic!("expected too many observers, got {other:?}"),
    }
}

#[test]
fn an_unchanged_map_needs_no_calls() -> Result<(), MapFileError> {
    let remote = detail(vec![observer("a", "A", 1, 1, 3)], &[(0, 0)]);
    let file = MapFile::parse("M\n#...\n.a..\n....\na,A,3\n")?;
    assert_eq!(Plan::update(&remote, &file).len(), 0);
    Ok(())
}

#[test]
fn an_update_plans_only_the_differences() -> Result<(), MapFileError> {
    let remote = detail(
        vec![
            observer("stays", "Stays", 0, 0, 3),
            observer("renamed", "Renamed", 1, 0, 3),
            observer("moves", "Moves", 2, 0, 3),
            observer("gone", "Gone", 3, 0, 3),
        ],
        &[(0, 2), (1, 2)],
    );
    // Wider, "moves" goes down a row, "renamed" gets a new name (same slug)
    // and range, "new" arrives, one obstacle goes and one comes.
    let file =
        MapFile::parse("M\nsr...\n..m..\n.#.#n\ns,Stays,3\nr,renamed!,4\nm,Moves,3\nn,New,1\n")?;
    let plan = Plan::update(&remote, &file);
    let deleted: Vec<&str> = plan
        .delete_observers
        .iter()
        .map(|c| c.observer.as_str())
        .collect();
    assert_eq!(deleted, ["moves", "gone"]);
    let obstacles: Vec<_> = plan.delete_obstacles.iter().map(|c| (c.x, c.y)).collect();
    assert_eq!(obstacles, [(0, 2)]);
    let resize = plan
        .update_map
        .as_ref()
        .map(|c| (c.name.clone(), c.width, c.height));
    assert_eq!(resize, Some((None, Some(5), None)));
    let created: Vec<_> = plan.create_obstacles.iter().map(|c| (c.x, c.y)).collect();
    assert_eq!(created, [(3, 2)]);
    let updated: Vec<_> = plan
        .update_observers
        .iter()
        .map(|c| (c.observer.as_str(), c.name.as_deref(), c.range))
        .collect();
    assert_eq!(updated, [("renamed", Some("renamed!"), Some(4))]);
    let created: Vec<_> = plan
        .create_observers
        .iter()
        .map(|c| (c.name.as_str(), c.x, c.y))
        .collect();
    assert_eq!(created, [("Moves", 2, 1), ("New", 4, 2)]);
    Ok(())
}

#[test]
fn each_change_is_one_line_in_the_order_calls_are_made() -> Result<(), MapFileError> {
    let remote = detail(
        vec![
            observer("stays", "Stays", 0, 0, 3),
            observer("moves", "Moves", 2, 0, 3),
        ],
        &[(0, 2)],
    );
    let file = MapFile::parse("Renamed\ns....\n..m..\n.#...\ns,Stays,5\nm,Moves,3\n")?;
    let plan = Plan::update(&remote, &file);
    let expected = [
        "delete observer moves",
        "delete obstacle (0, 2)",
        "update map m: name \"Renamed\", width 5",
        "create obstacle (1, 2)",
        "update observer stays: range 5",
        "create observer \"Moves\" at (2, 1), range 3",
    ];
    assert_eq!(plan.changes(), expected);
    assert_eq!((plan.len(), plan.is_new()), (6, false));
    assert_eq!(plan.map().slug, "m");
    let new = Plan::create("tiny", &MapFile::parse("Tiny\n#a\na,Eye,1\n")?);
    let expected = [
        "create map \"Tiny\", 2 x 1",
        "create obstacle (0, 0)",
        "create observer \"Eye\" at (1, 0), range 1",
    ];
    assert_eq!(new.changes(), expected);
    assert!(new.is_new());
    Ok(())
}

#[test]
fn an_observer_renamed_in_place_keeps_its_slug() -> Result<(), MapFileError> {
    // Renamed on the server: its slug no longer follows from its name, and
    // the file (as exported) holds the name only.
    let remote = detail(vec![observer("guard", "Night Watch", 1, 1, 3)], &[]);
    let exported = MapFile::parse("M\n....\n.a..\n....\na,Night Watch,3\n")?;
    assert!(Plan::update(&remote, &exported).is_empty());

    // Renamed in the file: an update, not a delete and a create.
    let edited = MapFile::parse("M\n....\n.a..\n....\na,Lookout,3\n")?;
    let plan = Plan::update(&remote, &edited);
    assert_eq!(plan.changes(), ["update observer guard: name \"Lookout\""]);
    Ok(())
}

#[test]
fn a_cell_matches_only_an_observer_no_slug_matched() -> Result<(), MapFileError> {
    // `b` stands where `a` was, under a new name; `a` moved away by slug.
    let remote = detail(vec![observer("a", "A", 1, 1, 3)], &[]);
    let file = MapFile::parse("M\n...a\n.b..\n....\na,A,3\nb,B,3\n")?;
    let plan = Plan::update(&remote, &file);
    let expected = [
        "delete observer a",
        "create observer \"A\" at (3, 0), range 3",
        "create observer \"B\" at (1, 1), range 3",
    ];
    assert_eq!(plan.changes(), expected);
    Ok(())
}
