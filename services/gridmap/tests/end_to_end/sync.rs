//! Map files imported and exported through the typed client.

use switchboard_gridmap::sync::{ExportError, export, import};
use switchboard_gridmap::{MapFile, MapSummary};

use super::{TestResult, fault_code, fixture, get_map};

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
