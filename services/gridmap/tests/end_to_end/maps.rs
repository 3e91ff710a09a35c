//! The map methods: happy paths, then each rule's fault.

use switchboard_gridmap::{CreateMap, DeleteMap, ListMaps, MapDetail, MapSummary};

use super::{CONFLICT, NOT_FOUND, TestResult, VALIDATION, assert_fault, fault_code, fixture};
use super::{create_map, create_observer, create_obstacle, get_map, update_map};

fn delete_map(slug: &str) -> DeleteMap {
    let slug = slug.to_owned();
    DeleteMap { slug }
}

#[tokio::test]
async fn maps_are_created_listed_read_updated_and_deleted() -> TestResult {
    let client = fixture()?.client;
    let fancy = client.call(create_map("Fancy Map", 12, 6)).await?;
    let expected = MapSummary {
        name: "Fancy Map".into(),
        slug: "fancy-map".into(),
        width: 12,
        height: 6,
    };
    assert_eq!(fancy, expected);
    client.call(create_map("Another one", 1, 1)).await?;
    let listed = client
        .call(ListMaps {
            limit: None,
            after: None,
        })
        .await?
        .maps;
    let slugs: Vec<&str> = listed.iter().map(|m| m.slug.as_str()).collect();
    assert_eq!(slugs, ["another-one", "fancy-map"]);

    let empty = MapDetail {
        name: "Fancy Map".into(),
        slug: "fancy-map".into(),
        width: 12,
        height: 6,
        observers: vec![],
        obstacles: vec![],
    };
    assert_eq!(client.call(get_map("fancy-map")).await?, empty);

    let mut rename = update_map("fancy-map");
    (rename.name, rename.width) = (Some("Plain Map".into()), Some(20));
    client.call(rename).await?;
    let renamed = client.call(get_map("fancy-map")).await?;
    let slug = renamed.slug.as_str();
    assert_eq!((renamed.name.as_str(), slug), ("Plain Map", "fancy-map"));
    assert_eq!((renamed.width, renamed.height), (20, 6), "height kept");

    client.call(delete_map("fancy-map")).await?;
    assert_eq!(
        fault_code(client.call(get_map("fancy-map")).await),
        NOT_FOUND
    );
    assert_eq!(crate::all_maps(&client).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn names_and_sizes_are_checked_before_anything_is_stored() -> TestResult {
    let client = fixture()?.client;
    let long = "x".repeat(101);
    let cases = [
        (create_map("", 4, 4), "`name`"),
        (create_map(&long, 4, 4), "`name`"),
        (create_map("?!", 4, 4), "no ASCII letter or digit"),
        (create_map("Two\nlines", 4, 4), "control character"),
        (create_map("Flat", 0, 4), "`width`"),
        (create_map("Wide", 1025, 4), "`width`"),
        (create_map("Tall", 4, 1025), "`height`"),
    ];
    for (call, needle) in cases {
        assert_fault(client.call(call).await, VALIDATION, needle);
    }
    client
        .call(create_map(&"x".repeat(100), 1024, 1024))
        .await?;
    assert_eq!(crate::all_maps(&client).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_taken_slug_is_a_conflict() -> TestResult {
    let client = fixture()?.client;
    client.call(create_map("Fancy Map", 4, 4)).await?;
    let again = client.call(create_map("fancy  map!", 8, 8)).await;
    assert_fault(again, CONFLICT, "`fancy-map`");
    Ok(())
}

#[tokio::test]
async fn missing_maps_are_not_found() -> TestResult {
    let client = fixture()?.client;
    assert_fault(client.call(get_map("moon")).await, NOT_FOUND, "`moon`");
    assert_fault(client.call(update_map("moon")).await, NOT_FOUND, "`moon`");
    assert_fault(client.call(delete_map("moon")).await, NOT_FOUND, "`moon`");
    Ok(())
}

#[tokio::test]
async fn updates_are_checked_like_creations() -> TestResult {
    let client = fixture()?.client;
    client.call(create_map("M", 4, 4)).await?;
    let mut bad_name = update_map("m");
    bad_name.name = Some("...".into());
    assert_fault(client.call(bad_name).await, VALIDATION, "`...`");
    let mut too_wide = update_map("m");
    too_wide.width = Some(2000);
    assert_fault(client.call(too_wide).await, VALIDATION, "`width`");
    Ok(())
}

#[tokio::test]
async fn a_map_cannot_shrink_past_its_contents() -> TestResult {
    let client = fixture()?.client;
    client.call(create_map("M", 6, 6)).await?;
    client.call(create_observer("Eye", (4, 1), 3)).await?;
    client.call(create_obstacle(1, 5)).await?;
    let mut narrow = update_map("m");
    narrow.width = Some(4);
    assert_fault(
        client.call(narrow).await,
        CONFLICT,
        "observer `eye` at (4, 1)",
    );
    let mut low = update_map("m");
    low.height = Some(5);
    assert_fault(client.call(low).await, CONFLICT, "obstacle at (1, 5)");
    // Down to exactly what the contents need is fine.
    let mut fitting = update_map("m");
    (fitting.width, fitting.height) = (Some(5), Some(6));
    client.call(fitting).await?;
    let detail = client.call(get_map("m")).await?;
    assert_eq!((detail.width, detail.height), (5, 6));
    Ok(())
}

#[test]
fn the_limits_are_declared_in_the_schema() -> TestResult {
    let schema = serde_json::to_value(schemars::schema_for!(CreateMap))?;
    let properties = &schema["properties"];
    assert_eq!(properties["width"]["minimum"], 1);
    assert_eq!(properties["height"]["maximum"], 1024);
    assert_eq!(properties["name"]["maxLength"], 100);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_map_list_comes_a_page_at_a_time() -> TestResult {
    let fixture = fixture()?;
    let client = &fixture.client;
    for i in 0..250 {
        client
            .call(CreateMap {
                name: format!("Map {i:03}"),
                width: 4,
                height: 4,
            })
            .await?;
    }
    let first = client
        .call(ListMaps {
            limit: None,
            after: None,
        })
        .await?;
    assert_eq!(
        first.maps.len(),
        usize::try_from(switchboard_gridmap::DEFAULT_PAGE)?
    );
    assert_eq!(first.next.as_deref(), Some("map-099"));

    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = client
            .call(ListMaps {
                limit: Some(60),
                after,
            })
            .await?;
        assert!(page.maps.len() <= 60);
        seen.extend(page.maps.into_iter().map(|m| m.slug));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let expected: Vec<String> = (0..250).map(|i| format!("map-{i:03}")).collect();
    assert_eq!(seen, expected, "every map once, by slug");

    let last = client
        .call(ListMaps {
            limit: Some(10),
            after: Some("map-245".into()),
        })
        .await?;
    assert_eq!(last.maps.len(), 4);
    assert_eq!(last.next, None, "the last page has no next");
    for limit in [0, 1001] {
        let refused = client
            .call(ListMaps {
                limit: Some(limit),
                after: None,
            })
            .await;
        assert_eq!(fault_code(refused), "Client.Validation", "limit {limit}");
    }
    Ok(())
}
