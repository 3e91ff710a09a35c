//! The whole system on the embedded SQLite backend, in this process: the
//! API over a real socket, workers on the queue file, the client following
//! the events file.

mod common;

use std::time::Duration;

use common::{System, TestResult, WAIT, assert_stats_of, values};
use http::{Method, StatusCode};
use serde_json::json;
use switchboard_sqlite_queue::{QueueAdmin, QueueOptions};
use switchboard_stats::Settings;

fn queue_admin(system: &System) -> Result<QueueAdmin, switchboard_sqlite_queue::QueueError> {
    QueueAdmin::open(
        system.dir.path().join("switchboard-queue.db"),
        QueueOptions::default(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn measure_get_wait_get_delete_recompute() -> TestResult {
    let system = System::start(Settings::embedded).await?;
    let _worker = system.worker("w1");
    let data = values(1000, 1);
    assert_eq!(system.client.measure("s1", &data).await?, 1000);

    let stats = system.client.get("s1", Some(WAIT)).await?;
    assert_stats_of(&stats, &data);
    // Stored: the next GET answers 200 at once, with the same statistics.
    let again = system.client.get_once("s1").await?;
    assert_eq!(again.as_ref(), Some(&stats));

    system.client.delete("s1").await?;
    let tasks_before = queue_admin(&system)?.status().await?.last_task_id;
    let recomputed = system.client.get("s1", Some(WAIT)).await?;
    assert_stats_of(&recomputed, &data);
    assert_eq!(
        queue_admin(&system)?.status().await?.last_task_id,
        tasks_before + 1
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_computation_is_enqueued_once() -> TestResult {
    let system = System::start(Settings::embedded).await?;
    system.client.measure("s1", &[1.0, 2.0]).await?;
    for _ in 0..3 {
        let reply = system
            .send(Method::GET, "/api/sensors/s1/stats/", None)
            .await?;
        assert_eq!(reply.status, StatusCode::ACCEPTED);
        assert!(reply.body.is_empty());
    }
    assert_eq!(queue_admin(&system)?.status().await?.last_task_id, 1);
    // A worker started late finds the one task.
    let _worker = system.worker("late");
    let stats = system.client.get("s1", Some(WAIT)).await?;
    assert_eq!(stats.mean, 1.5);
    assert_eq!(queue_admin(&system)?.status().await?.last_task_id, 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_pending_computation_is_enqueued_again() -> TestResult {
    let system = System::start(|dir| {
        Settings::embedded(dir).with_pending_timeout(Duration::from_millis(50))
    })
    .await?;
    system.client.measure("s1", &[3.0]).await?;
    let path = "/api/sensors/s1/stats/";
    assert_eq!(
        system.send(Method::GET, path, None).await?.status,
        StatusCode::ACCEPTED
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        system.send(Method::GET, path, None).await?.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(queue_admin(&system)?.status().await?.last_task_id, 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rest_resources_answer_as_the_course_api() -> TestResult {
    let system = System::start(Settings::embedded).await?;
    let created = system
        .send(
            Method::POST,
            "/api/sensors/",
            Some(json!({"name": "t 1", "model": "uo-therm"})),
        )
        .await?;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.location.as_deref(), Some("/api/sensors/t%201/"));
    let taken = system
        .send(
            Method::POST,
            "/api/sensors/",
            Some(json!({"name": "t 1", "model": "x"})),
        )
        .await?;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    let sensor = system
        .send(Method::GET, "/api/sensors/t%201/", None)
        .await?;
    let sensor: serde_json::Value = serde_json::from_slice(&sensor.body)?;
    assert_eq!(
        sensor,
        json!({"name": "t 1", "model": "uo-therm", "measurements": 0, "has_stats": false})
    );

    // Nothing to compute from, no sensor at all.
    let empty = system
        .send(Method::GET, "/api/sensors/t%201/stats/", None)
        .await?;
    assert_eq!(empty.status, StatusCode::CONFLICT);
    let missing = system
        .send(Method::GET, "/api/sensors/nope/stats/", None)
        .await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // A measurement for an unknown sensor creates it.
    let measured = system
        .send(
            Method::POST,
            "/api/sensors/new/measurements/",
            Some(json!({"value": 2.5, "time": "2025-06-02T09:14:05.5"})),
        )
        .await?;
    assert_eq!(measured.status, StatusCode::CREATED);
    let list = system.send(Method::GET, "/api/sensors/", None).await?;
    let list: serde_json::Value = serde_json::from_slice(&list.body)?;
    assert_eq!(
        list["sensors"][0],
        json!({"name": "new", "model": "unknown"})
    );
    let bad_time = system
        .send(
            Method::POST,
            "/api/sensors/new/measurements/",
            Some(json!({"value": 1, "time": "noon"})),
        )
        .await?;
    assert_eq!(bad_time.status, StatusCode::BAD_REQUEST);

    // Paging through measurements.
    system.client.measure("new", &[1.0, 2.0, 3.0]).await?;
    let page = system
        .send(Method::GET, "/api/sensors/new/measurements/?limit=3", None)
        .await?;
    let page: serde_json::Value = serde_json::from_slice(&page.body)?;
    assert_eq!(page["measurements"].as_array().map(Vec::len), Some(3));
    let next = page["next"].as_i64().expect("a next page");
    let rest = system
        .send(
            Method::GET,
            &format!("/api/sensors/new/measurements/?after={next}"),
            None,
        )
        .await?;
    let rest: serde_json::Value = serde_json::from_slice(&rest.body)?;
    assert_eq!(rest["measurements"][0]["value"], json!(3.0));
    assert!(rest.get("next").is_none());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_validates_against_the_schema_and_delete_answers_404_when_empty() -> TestResult {
    let system = System::start(Settings::embedded).await?;
    system.client.measure("s1", &[1.0]).await?;
    let path = "/api/sensors/s1/stats/";
    // The course's worker sends `generated` without an offset.
    let course = json!({"mean": 1.0, "generated": "2025-06-02T09:14:05.123456"});
    assert_eq!(
        system.send(Method::PUT, path, Some(course)).await?.status,
        StatusCode::NO_CONTENT
    );
    let stored = system.send(Method::GET, path, None).await?;
    assert_eq!(stored.status, StatusCode::OK);
    let stored: serde_json::Value = serde_json::from_slice(&stored.body)?;
    assert_eq!(
        stored,
        json!({"mean": 1.0, "generated": "2025-06-02T09:14:05.123456"})
    );

    for (body, names) in [
        (json!({"generated": "2025-06-02T09:14:05"}), "mean"),
        (
            json!({"mean": "high", "generated": "2025-06-02T09:14:05"}),
            "expected f64",
        ),
        (
            json!({"mean": 1.0, "generated": "last tuesday"}),
            "generated",
        ),
        (json!({"mean": 1.0}), "generated"),
        (
            json!({"mean": 1.0, "generated": "2025-06-02T09:14:05", "mode": 3}),
            "mode",
        ),
    ] {
        let reply = system.send(Method::PUT, path, Some(body.clone())).await?;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        let text = String::from_utf8_lossy(&reply.body);
        assert!(text.contains(names), "{body}: {text}");
    }
    let unknown = json!({"mean": 1.0, "generated": "2025-06-02T09:14:05"});
    let reply = system
        .send(Method::PUT, "/api/sensors/nope/stats/", Some(unknown))
        .await?;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);

    assert_eq!(
        system.send(Method::DELETE, path, None).await?.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        system.send(Method::DELETE, path, None).await?.status,
        StatusCode::NOT_FOUND
    );
    Ok(())
}

#[tokio::test]
async fn setup_raises_the_body_limit_and_keeps_the_other_limits() -> TestResult {
    let dir = tempfile::tempdir()?;
    let chosen = switchboard::Limits {
        max_body_bytes: 1024,
        max_batch_len: 3,
        max_depth: 9,
    };
    let builder = switchboard::Application::builder()
        .services([switchboard_stats::SERVICE])
        .limits(chosen);
    let settings = Settings::embedded(dir.path());
    let app =
        switchboard_stats::setup_with(builder, &dir.path().join("state.db"), settings)?.build()?;
    let limits = app.limits();
    assert_eq!(limits.max_body_bytes, switchboard_stats::MAX_REQUEST_BYTES);
    assert_eq!((limits.max_batch_len, limits.max_depth), (3, 9));
    Ok(())
}
