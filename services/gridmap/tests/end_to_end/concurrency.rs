//! Many creations at once, on a multi-threaded runtime: every call gets its
//! answer, SQLite's "database is locked" never surfaces.

use tokio::task::JoinSet;

use super::{TestResult, create_map, fixture};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_distinct_maps_are_created_at_once() -> TestResult {
    let fixture = fixture()?;
    let mut tasks = JoinSet::new();
    for i in 0..200 {
        let client = fixture.client.clone();
        tasks.spawn(async move { client.call(create_map(&format!("Map {i}"), 8, 8)).await });
    }
    while let Some(joined) = tasks.join_next().await {
        joined??;
    }
    let maps = crate::all_maps(&fixture.client).await?;
    assert_eq!(maps.len(), 200);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_of_fifty_creations_of_one_name_wins() -> TestResult {
    let fixture = fixture()?;
    let mut tasks = JoinSet::new();
    for _ in 0..50 {
        let client = fixture.client.clone();
        tasks.spawn(async move { client.call(create_map("Contested", 8, 8)).await });
    }
    let (mut won, mut conflicts) = (0, 0);
    while let Some(joined) = tasks.join_next().await {
        match joined? {
            Ok(_) => won += 1,
            Err(err) => {
                let fault = err.fault().ok_or_else(|| format!("not a fault: {err}"))?;
                assert_eq!(fault.code(), "Client.Conflict", "{fault}");
                conflicts += 1;
            }
        }
    }
    assert_eq!((won, conflicts), (1, 49));
    assert_eq!(crate::all_maps(&fixture.client).await?.len(), 1);
    Ok(())
}
