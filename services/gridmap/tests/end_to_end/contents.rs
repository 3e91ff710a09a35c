//! Observers and obstacles on map `m`: happy paths, each rule's fault, and
//! what an observer sees.

use switchboard_gridmap::{
    Cell, DeleteMap, DeleteObserver, DeleteObstacle, GetVisibleCells, ListObservers, ListObstacles,
    Observer, Obstacle,
};

use super::{CONFLICT, NOT_FOUND, TestResult, VALIDATION, assert_fault, fault_code, fixture};
use super::{create_map, create_observer, create_obstacle, get_map, get_observer, update_observer};

fn list_observers(limit: Option<u32>, after: Option<String>) -> ListObservers {
    let map = "m".to_owned();
    ListObservers { map, limit, after }
}

fn list_obstacles(limit: Option<u32>, after: Option<String>) -> ListObstacles {
    let map = "m".to_owned();
    ListObstacles { map, limit, after }
}

fn delete_obstacle(x: u32, y: u32) -> DeleteObstacle {
    let map = "m".to_owned();
    DeleteObstacle { map, x, y }
}

#[tokio::test]
async fn observers_are_created_listed_read_updated_and_deleted() -> TestResult {
    let client = fixture()?.client;
    client.call(create_map("M", 8, 8)).await?;
    let scout = client.call(create_observer("Scout One", (5, 2), 4)).await?;
    let expected = Observer {
        map: "m".into(),
        slug: "scout-one".into(),
        name: "Scout One".into(),
        x: 5,
        y: 2,
        range: 4,
    };
    assert_eq!(scout, expected);
    client.call(create_observer("Early", (7, 0), 1)).await?;
    let listed = client.call(list_observers(None, None)).await?;
    let slugs: Vec<&str> = listed.observers.iter().map(|o| o.slug.as_str()).collect();
    assert_eq!(slugs, ["early", "scout-one"], "reading order");
    assert_eq!(client.call(get_observer("scout-one")).await?, expected);

    let mut change = update_observer("scout-one");
    change.name = Some("Scout Two".into());
    (change.x, change.range) = (Some(0), Some(64));
    client.call(change).await?;
    let changed = client.call(get_observer("scout-one")).await?;
    let (slug, name) = (changed.slug.as_str(), changed.name.as_str());
    assert_eq!((slug, name), ("scout-one", "Scout Two"), "slug kept");
    assert_eq!((changed.x, changed.y, changed.range), (0, 2, 64), "y kept");

    let (map, observer) = ("m".to_owned(), "scout-one".to_owned());
    client.call(DeleteObserver { map, observer }).await?;
    assert_eq!(
        fault_code(client.call(get_observer("scout-one")).await),
        NOT_FOUND
    );
    Ok(())
}

#[tokio::test]
async fn obstacles_are_created_listed_and_deleted() -> TestResult {
    let client = fixture()?.client;
    client.call(create_map("M", 4, 4)).await?;
    let rock = client.call(create_obstacle(3, 1)).await?;
    let map = "m".to_owned();
    assert_eq!(rock, Obstacle { map, x: 3, y: 1 });
    client.call(create_obstacle(0, 2)).await?;
    client.call(create_obstacle(2, 0)).await?;
    let listed = client.call(list_obstacles(None, None)).await?;
    let cells: Vec<(u32, u32)> = listed.obstacles.iter().map(|o| (o.x, o.y)).collect();
    assert_eq!(cells, [(2, 0), (3, 1), (0, 2)], "reading order");

    client.call(delete_obstacle(3, 1)).await?;
    let again = client.call(delete_obstacle(3, 1)).await;
    assert_fault(again, NOT_FOUND, "(3, 1)");
    assert_eq!(client.call(get_map("m")).await?.obstacles.len(), 2);
    Ok(())
}

#[tokio::test]
async fn observers_keep_to_the_grid_and_to_free_cells() -> TestResult {
    let client = fixture()?.client;
    client.call(create_map("M", 4, 3)).await?;
    client.call(create_observer("A", (0, 0), 3)).await?;
    client.call(create_obstacle(1, 1)).await?;
    let mut elsewhere = create_observer("B", (2, 2), 1);
    elsewhere.map = "moon".into();
    let calls = [
        (
            create_observer("B", (4, 0), 3),
            VALIDATION,
            "(4, 0) is outside",
        ),
        (
            create_observer("B", (0, 3), 3),
            VALIDATION,
            "(0, 3) is outside",
        ),
        (create_observer("B", (1, 1), 3), CONFLICT, "obstacle"),
        (create_observer("B", (0, 0), 3), CONFLICT, "observer `a`"),
        (create_observer("a!", (2, 2), 3), CONFLICT, "observer `a`"),
        (create_observer("B", (2, 2), 0), VALIDATION, "`range`"),
        (create_observer("B", (2, 2), 65), VALIDATION, "`range`"),
        (create_observer("", (2, 2), 1), VALIDATION, "`name`"),
        (create_observer("--", (2, 2), 1), VALIDATION, "`--`"),
        (elsewhere, NOT_FOUND, "`moon`"),
    ];
    for (call, code, needle) in calls {
        assert_fault(client.call(call).await, code, needle);
    }
    client.call(create_observer("B", (3, 2), 1)).await?;
    let mut onto_rock = update_observer("b");
    (onto_rock.x, onto_rock.y) = (Some(1), Some(1));
    let mut onto_a = update_observer("b");
    (onto_a.x, onto_a.y) = (Some(0), Some(0));
    let mut off = update_observer("b");
    off.x = Some(9);
    let mut far = update_observer("b");
    far.range = Some(99);
    let moves = [
        (onto_rock, CONFLICT, "obstacle"),
        (onto_a, CONFLICT, "`a`"),
        (off, VALIDATION, "outside"),
        (far, VALIDATION, "`range`"),
        (update_observer("zed"), NOT_FOUND, "`zed`"),
    ];
    for (call, code, needle) in moves {
        assert_fault(client.call(call).await, code, needle);
    }
    Ok(())
}

#[tokio::test]
async fn obstacles_keep_to_the_grid_and_to_free_cells() -> TestResult {
    let client = fixture()?.client;
    client.call(create_map("M", 4, 3)).await?;
    client.call(create_observer("A", (0, 0), 3)).await?;
    client.call(create_obstacle(1, 1)).await?;
    let mut elsewhere = create_obstacle(1, 1);
    elsewhere.map = "moon".into();
    let calls = [
        (create_obstacle(4, 0), VALIDATION, "outside"),
        (create_obstacle(0, 0), CONFLICT, "observer `a`"),
        (create_obstacle(1, 1), CONFLICT, "already"),
        (elsewhere, NOT_FOUND, "`moon`"),
    ];
    for (call, code, needle) in calls {
        assert_fault(client.call(call).await, code, needle);
    }
    assert_fault(
        client.call(delete_obstacle(2, 2)).await,
        NOT_FOUND,
        "(2, 2)",
    );
    Ok(())
}

#[tokio::test]
async fn a_deleted_map_takes_its_contents_along() -> TestResult {
    let client = fixture()?.client;
    client.call(create_map("M", 4, 4)).await?;
    client.call(create_observer("A", (0, 0), 3)).await?;
    client.call(create_obstacle(1, 1)).await?;
    client.call(DeleteMap { slug: "m".into() }).await?;
    client.call(create_map("M", 4, 4)).await?;
    let detail = client.call(get_map("m")).await?;
    assert!(
        detail.observers.is_empty() && detail.obstacles.is_empty(),
        "{detail:?}"
    );
    Ok(())
}

fn visible_from(observer: &str) -> GetVisibleCells {
    let (map, observer) = ("m".to_owned(), observer.to_owned());
    GetVisibleCells { map, observer }
}

#[tokio::test]
async fn visible_cells_follow_range_and_obstacles() -> TestResult {
    let client = fixture()?.client;
    // A 7x7 map, a lookout in the middle with range 3 and a pillar to its
    // right: the disc of radius 3 (29 cells) less the 4 cells the pillar hides.
    client.call(create_map("M", 7, 7)).await?;
    client.call(create_observer("Lookout", (3, 3), 3)).await?;
    client.call(create_obstacle(4, 3)).await?;
    let seen = client.call(visible_from("lookout")).await?;
    assert_eq!(seen.observer, "lookout");
    assert_eq!(seen.cells.len(), 25);
    let hidden = [(5, 2), (5, 3), (6, 3), (5, 4)].map(|(x, y)| Cell { x, y });
    assert!(
        hidden.iter().all(|cell| !seen.cells.contains(cell)),
        "{seen:?}"
    );
    assert!(
        seen.cells.contains(&Cell { x: 4, y: 3 }),
        "the pillar is seen"
    );
    let mut sorted = seen.cells.clone();
    sorted.sort_by_key(|c| (c.y, c.x));
    assert_eq!(seen.cells, sorted, "reading order");

    let missing = client.call(visible_from("nobody")).await;
    assert_fault(missing, NOT_FOUND, "`nobody`");
    Ok(())
}

#[tokio::test]
async fn observers_and_obstacles_come_a_page_at_a_time_in_reading_order() -> TestResult {
    let client = fixture()?.client;
    client.call(create_map("M", 16, 16)).await?;
    // Observers on even columns, obstacles on odd ones, of rows 0..=6:
    // 56 of each, in reading order by construction.
    let mut cells = Vec::new();
    for y in 0..7 {
        for x in (0..16).step_by(2) {
            client
                .call(create_observer(&format!("o {x} {y}"), (x, y), 1))
                .await?;
            client.call(create_obstacle(x + 1, y)).await?;
            cells.push((x, y));
        }
    }
    let first = client.call(list_observers(None, None)).await?;
    assert_eq!(first.observers.len(), 56, "all fit the default page");
    assert_eq!(first.next, None);

    let (mut observers, mut obstacles) = (Vec::new(), Vec::new());
    let (mut after, mut pages) = (None, 0);
    loop {
        let page = client.call(list_observers(Some(10), after.clone())).await?;
        assert!(page.observers.len() <= 10);
        observers.extend(page.observers.iter().map(|o| (o.x, o.y)));
        pages += 1;
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 6);
    assert_eq!(observers, cells, "every observer once, in reading order");
    let mut after = None;
    loop {
        let page = client.call(list_obstacles(Some(7), after.clone())).await?;
        obstacles.extend(page.obstacles.iter().map(|o| (o.x - 1, o.y)));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(obstacles, cells, "every obstacle once, in reading order");

    let bad = client
        .call(list_obstacles(None, Some("seven".into())))
        .await;
    assert_fault(bad, VALIDATION, "`after`");
    let too_many = client.call(list_observers(Some(1001), None)).await;
    assert_eq!(fault_code(too_many), VALIDATION);
    Ok(())
}
