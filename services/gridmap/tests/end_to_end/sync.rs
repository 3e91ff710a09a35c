//! Map files imported and exported through the typed client.

use switchboard_gridmap::sync::{ExportError, all_maps, export, import, plan};
use switchboard_gridmap::{MapFile, MapSummary};

use super::{TestResult, all_maps as walk, create_map, fault_code, fixture, get_map, update_map};

/// The course's Fancy Map, reshaped into rows (shared fixture).
const FANCY: &str = include_str!("../../../../examples/maps/fancy-map.txt");

/// The same map, narrower and taller: A and B trade places (B's old cell
/// is off the new grid), A's range shrinks, C steps onto a former obstacle,
/// an obstacle takes C's old cell, D goes, E comes.
const FANCY_EDITED: &str = "\
Fancy Map
.....#....
.a...#..b.
.....c....
........##
.#........
....##....
...d......
a,Fancy Observer B,6
b,Fancy Observer A,5
c,Fancy Observer C,6
d,Fancy Observer E,3
";

#[tokio::test]
async fn an_imported_map_exports_as_the_same_text() -> TestResult {
    let client = fixture()?.client;
    let summary = import(&client, &MapFile::parse(FANCY)?).await?;
    let expected = MapSummary {
        name: "Fancy Map".into(),
        slug: "fancy-map".into(),
        width: 12,
        height: 6,
    };
    assert_eq!(summary, expected);
    let detail = client.call(get_map("fancy-map")).await?;
    assert_eq!((detail.observers.len(), detail.obstacles.len()), (4, 9));
    assert_eq!(export(&client, "fancy-map").await?.to_text(), FANCY);
    Ok(())
}

#[tokio::test]
async fn importing_onto_a_map_makes_it_equal_to_the_file() -> TestResult {
    let client = fixture()?.client;
    import(&client, &MapFile::parse(FANCY)?).await?;
    let summary = import(&client, &MapFile::parse(FANCY_EDITED)?).await?;
    assert_eq!(
        (summary.slug.as_str(), summary.width, summary.height),
        ("fancy-map", 10, 7)
    );
    assert_eq!(export(&client, "fancy-map").await?.to_text(), FANCY_EDITED);

    // A renamed map (same slug) with one observer changed in place.
    let renamed = FANCY_EDITED
        .replace("Fancy Map", "fancy map")
        .replace("Fancy Observer E,3", "fancy observer E!,4");
    import(&client, &MapFile::parse(&renamed)?).await?;
    assert_eq!(export(&client, "fancy-map").await?.to_text(), renamed);

    // Importing the same file again changes nothing.
    import(&client, &MapFile::parse(&renamed)?).await?;
    assert_eq!(export(&client, "fancy-map").await?.to_text(), renamed);
    Ok(())
}

#[tokio::test]
async fn a_file_that_breaks_a_rule_is_refused_by_the_server() -> TestResult {
    let client = fixture()?.client;
    let twins = MapFile::parse("Twins\nab\na,Eye,1\nb,eye!,1\n")?;
    assert_eq!(fault_code(import(&client, &twins).await), "Client.Conflict");
    let nameless = MapFile::parse("???\n.\n")?;
    assert_eq!(
        fault_code(import(&client, &nameless).await),
        "Client.Validation"
    );
    Ok(())
}

#[tokio::test]
async fn exporting_a_missing_map_names_the_fault() -> TestResult {
    let client = fixture()?.client;
    match export(&client, "moon").await {
        Err(ExportError::Call(err)) => assert_eq!(fault_code::<()>(Err(err)), "Client.NotFound"),
        other => panic!("expected a not-found fault, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn a_map_renamed_on_the_server_is_found_by_the_slug_it_is_saved_under() -> TestResult {
    let client = fixture()?.client;
    import(&client, &MapFile::parse(FANCY)?).await?;
    let rename = update_map("fancy-map");
    let name = Some("Plain Map".to_owned());
    client
        .call(switchboard_gridmap::UpdateMap { name, ..rename })
        .await?;
    let exported = export(&client, "fancy-map").await?;

    // By its name alone, the file is a new map `plain-map`.
    let by_name = plan(&client, &exported, None).await?;
    assert_eq!(
        (by_name.is_new(), by_name.map().slug.as_str()),
        (true, "plain-map")
    );
    // Saved as `fancy-map`, it is that map, unchanged.
    let saved = plan(&client, &exported, Some("fancy-map")).await?;
    assert!(saved.is_empty(), "{saved:?}");
    assert_eq!(saved.map().slug, "fancy-map");
    assert_eq!(saved.apply(&client).await?.slug, "fancy-map");

    // A file saved under a map's slug but naming another map is that other map.
    let other = MapFile::parse(&FANCY.replace("Fancy Map", "Other Map"))?;
    let new = plan(&client, &other, Some("fancy-map")).await?;
    assert_eq!((new.is_new(), new.map().slug.as_str()), (true, "other-map"));
    Ok(())
}

#[tokio::test]
async fn a_plan_writes_nothing_until_applied() -> TestResult {
    let client = fixture()?.client;
    let file = MapFile::parse(FANCY)?;
    let planned = plan(&client, &file, None).await?;
    assert_eq!(planned.len(), 1 + 9 + 4);
    assert_eq!(
        fault_code(client.call(get_map("fancy-map")).await),
        "Client.NotFound"
    );
    planned.apply(&client).await?;
    assert!(plan(&client, &file, None).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn all_maps_walks_every_page() -> TestResult {
    let client = fixture()?.client;
    for i in 0..105 {
        client
            .call(create_map(&format!("Map {i:03}"), 1, 1))
            .await?;
    }
    let maps = all_maps(&client).await?;
    assert_eq!(maps.len(), 105);
    assert_eq!(maps, walk(&client).await?);
    Ok(())
}
