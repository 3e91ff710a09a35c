//! The walk of `steps` through the 14 gridmap methods, on a fresh server
//! each time: at `POST /jsonrpc` (JSON-RPC 2.0), at `POST /json` (method
//! in the body), at `POST /json/{method}` (bare params) and over the REST
//! routes (201 + `Location` for creations, 204 for `null`, 200 otherwise).

use std::collections::BTreeSet;
use std::error::Error;

use reqwest::Method;
use serde_json::{Map, Value, json};
use switchboard_http::HttpConfig;

use super::steps::{Step, walk};
use super::{Running, TestResult, start};

/// How the walk reaches the server.
#[derive(Debug, Clone, Copy)]
enum Way {
    JsonRpc,
    Json,
    JsonMethod,
    Rest,
}

async fn walk_through(way: Way) -> TestResult {
    let running = start(HttpConfig::default()).await?;
    for (id, step) in walk().iter().enumerate() {
        match way {
            Way::Rest => over_rest(&running, step).await?,
            _ => at_endpoint(&running, way, step, id).await?,
        }
    }
    running.shutdown().await
}

/// Calls `step` at an RPC endpoint: always `200` and the result.
async fn at_endpoint(running: &Running, way: Way, step: &Step, id: usize) -> TestResult {
    let (method, params, result) = (step.method, &step.params, &step.result);
    let (path, body, expected) = match way {
        Way::JsonRpc => (
            "/jsonrpc".to_owned(),
            json!({"jsonrpc": "2.0", "method": method, "params": params, "id": id}),
            json!({"jsonrpc": "2.0", "result": result, "id": id}),
        ),
        Way::Json => (
            "/json".to_owned(),
            json!({ method: params }),
            result.clone(),
        ),
        Way::JsonMethod | Way::Rest => (format!("/json/{method}"), params.clone(), result.clone()),
    };
    let reply = running.post(&path, &body).await?;
    assert_eq!(
        (reply.status, reply.json()?),
        (200, expected),
        "{way:?} {method}"
    );
    Ok(())
}

/// Calls `step` on its REST route: path params in the path, the others in
/// the body.
async fn over_rest(running: &Running, step: &Step) -> TestResult {
    let (verb, template) = step.route.split_once(' ').ok_or("a route has a verb")?;
    let verb: Method = verb.parse()?;
    let mut params = step.params.as_object().cloned().ok_or("params are named")?;
    let path = fill(template, &mut params)?;
    let body = match verb {
        Method::POST | Method::PUT => Some(serde_json::to_vec(&params)?),
        _ if params.is_empty() => None,
        _ => return Err(format!("{}: no query params expected", step.method).into()),
    };
    let reply = running.send(verb, &path, "application/json", body).await?;
    let what = format!("{} as {path}", step.route);
    match (step.location, &step.result) {
        (Some(location), result) => {
            let got = (reply.status, reply.location.as_deref(), reply.json()?);
            assert_eq!(got, (201, Some(location), result.clone()), "{what}");
        }
        (None, Value::Null) => {
            assert_eq!((reply.status, reply.body.as_str()), (204, ""), "{what}");
        }
        (None, result) => assert_eq!(
            (reply.status, reply.json()?),
            (200, result.clone()),
            "{what}"
        ),
    }
    Ok(())
}

/// `template` with each `{name}` segment taken out of `params`.
fn fill(template: &str, params: &mut Map<String, Value>) -> Result<String, Box<dyn Error>> {
    let mut segments = Vec::new();
    for segment in template.split('/') {
        let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            segments.push(segment.to_owned());
            continue;
        };
        match params.remove(name) {
            Some(Value::String(text)) => segments.push(text),
            Some(other) => segments.push(other.to_string()),
            None => return Err(format!("no `{name}` param for {template}").into()),
        }
    }
    Ok(segments.join("/"))
}

#[tokio::test]
async fn every_gridmap_method_answers_at_jsonrpc() -> TestResult {
    walk_through(Way::JsonRpc).await
}

#[tokio::test]
async fn every_gridmap_method_answers_at_json() -> TestResult {
    walk_through(Way::Json).await
}

#[tokio::test]
async fn every_gridmap_method_answers_at_json_slash_method() -> TestResult {
    walk_through(Way::JsonMethod).await
}

#[tokio::test]
async fn every_gridmap_method_answers_on_its_rest_route() -> TestResult {
    walk_through(Way::Rest).await
}

#[test]
fn the_walk_calls_all_14_gridmap_methods_on_their_declared_routes() -> TestResult {
    let dir = tempfile::tempdir()?;
    let app = switchboard_cli::application_of(&["gridmap"], &dir.path().join("maps.db"), None)?;
    let declared: BTreeSet<(&str, &str)> = app
        .methods()
        .filter(|m| m.service == "gridmap")
        .map(|m| (m.name, m.http.unwrap_or("(none)")))
        .collect();
    let walked: BTreeSet<(&str, &str)> = walk().iter().map(|s| (s.method, s.route)).collect();
    assert_eq!(declared.len(), 14);
    assert_eq!(walked, declared);
    Ok(())
}

#[tokio::test]
async fn the_rest_map_list_pages_through_query_parameters() -> TestResult {
    let running = start(HttpConfig::default()).await?;
    for name in ["Alpha", "Beta", "Gamma"] {
        let created = running
            .post(
                "/api/maps/",
                &json!({"name": name, "width": 3, "height": 3}),
            )
            .await?;
        assert_eq!(created.status, 201, "{}", created.body);
    }
    let page = running
        .send(Method::GET, "/api/maps/?limit=2", "", None)
        .await?;
    assert_eq!(page.status, 200, "{}", page.body);
    let page = page.json()?;
    assert_eq!(page["maps"].as_array().map(Vec::len), Some(2), "{page}");
    assert_eq!(page["next"], "beta", "{page}");
    let rest = running
        .send(Method::GET, "/api/maps/?limit=2&after=beta", "", None)
        .await?
        .json()?;
    assert_eq!(
        rest,
        json!({"maps": [{"name": "Gamma", "slug": "gamma", "width": 3, "height": 3}]})
    );
    let refused = running
        .send(Method::GET, "/api/maps/?limit=5000", "", None)
        .await?;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("limit"), "{}", refused.body);
    running.shutdown().await
}
