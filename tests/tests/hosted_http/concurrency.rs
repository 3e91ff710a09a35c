//! Many `POST /api/maps/` at once, on a multi-threaded runtime through one
//! shared HTTP client: every request gets its answer, never a 500 and
//! never SQLite's "database is locked".

use std::collections::BTreeSet;
use std::error::Error;

use reqwest::Method;
use serde_json::json;
use switchboard_http::HttpConfig;
use tokio::task::JoinSet;

use super::{Reply, Running, TestResult, start};

/// Posts a map of each name at once; the replies in the order they came.
async fn post_maps(
    running: &Running,
    names: impl IntoIterator<Item = String>,
) -> Result<Vec<Reply>, Box<dyn Error>> {
    let mut tasks = JoinSet::new();
    for name in names {
        let (http, url) = (running.http.clone(), running.url("/api/maps/"));
        let body = json!({"name": name, "width": 8, "height": 8});
        tasks.spawn(async move {
            let response = http.post(url).json(&body).send().await?;
            let status = response.status().as_u16();
            let location = response.headers().get("location");
            let location = location.and_then(|v| v.to_str().ok()).map(str::to_owned);
            let body = response.text().await?;
            Ok::<_, reqwest::Error>(Reply {
                status,
                location,
                body,
            })
        });
    }
    let mut replies = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let reply = joined??;
        assert_ne!(reply.status, 500, "{reply:?}");
        assert!(!reply.body.contains("database is locked"), "{reply:?}");
        replies.push(reply);
    }
    Ok(replies)
}

/// The names of the maps `GET /api/maps/` lists, page after page.
async fn listed_names(running: &Running) -> Result<BTreeSet<String>, Box<dyn Error>> {
    let mut names = BTreeSet::new();
    let mut path = "/api/maps/".to_owned();
    loop {
        let reply = running.send(Method::GET, &path, "", None).await?;
        assert_eq!(reply.status, 200, "{reply:?}");
        let list = reply.json()?;
        let maps = list["maps"].as_array().ok_or("`maps` is a list")?;
        names.extend(
            maps.iter()
                .filter_map(|m| m["name"].as_str())
                .map(str::to_owned),
        );
        match list["next"].as_str() {
            Some(next) => path = format!("/api/maps/?after={next}"),
            None => return Ok(names),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_distinct_maps_posted_at_once_are_all_created() -> TestResult {
    let running = start(HttpConfig::default()).await?;
    let names: BTreeSet<String> = (0..200).map(|i| format!("Map {i}")).collect();
    let replies = post_maps(&running, names.clone()).await?;
    assert_eq!(replies.len(), 200);
    for reply in &replies {
        assert_eq!(reply.status, 201, "{reply:?}");
        let slug = reply.json()?["slug"].as_str().map(str::to_owned);
        let slug = slug.ok_or("a created map has a slug")?;
        assert_eq!(reply.location, Some(format!("/api/maps/{slug}/")));
    }
    assert_eq!(listed_names(&running).await?, names);
    running.shutdown().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_of_fifty_posts_of_one_name_wins_the_others_conflict() -> TestResult {
    let running = start(HttpConfig::default()).await?;
    let replies = post_maps(&running, vec!["Contested".to_owned(); 50]).await?;
    let (mut won, mut conflicts) = (0, 0);
    for reply in &replies {
        match reply.status {
            201 => won += 1,
            409 => {
                assert_eq!(reply.json()?["faultcode"], "Client.Conflict", "{reply:?}");
                conflicts += 1;
            }
            _ => return Err(format!("neither created nor a conflict: {reply:?}").into()),
        }
    }
    assert_eq!((won, conflicts), (1, 49));
    let names = listed_names(&running).await?;
    assert_eq!(names, BTreeSet::from(["Contested".to_owned()]));
    running.shutdown().await
}
