//! A method asking for another success status at run time
//! (`HttpFacts::answer_with`): `202 Accepted` on a REST binding, with or
//! without a body; faults keep their status; RPC endpoints ignore it. And
//! `RestClient`, which sees each status as it comes.

mod common;

use common::{server, start};
use http::{Method, StatusCode};
use switchboard::{Application, Fault, MethodContext, rpc};
use switchboard_http::{HttpConfig, HttpFacts, RestClient};

/// A report: `ready` gives it, otherwise it is queued (202, no body).
#[rpc(service = "accepted", http = "GET /reports/{name}/")]
fn report(ctx: &MethodContext, name: String, ready: Option<bool>) -> Result<Option<String>, Fault> {
    if name == "missing" {
        return Err(Fault::not_found("no such report"));
    }
    if ready == Some(true) {
        return Ok(Some(format!("report {name}")));
    }
    if let Some(http) = ctx.facts::<HttpFacts>() {
        assert!(http.answer_with(StatusCode::ACCEPTED));
        assert!(
            !http.answer_with(StatusCode::CREATED),
            "the first status wins"
        );
        assert_eq!(http.answer_status(), Some(StatusCode::ACCEPTED));
    }
    Ok(None)
}

/// A job accepted with a receipt in the body.
#[rpc(service = "accepted", http = "POST /jobs/")]
fn start_job(ctx: &MethodContext, name: String) -> String {
    if let Some(http) = ctx.facts::<HttpFacts>() {
        http.answer_with(StatusCode::ACCEPTED);
    }
    format!("job {name}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_method_answers_202_at_run_time() -> Result<(), Box<dyn std::error::Error + Send + Sync>>
{
    let app = Application::builder().services(["accepted"]).build()?;
    let running = start(server(app, HttpConfig::default())).await;
    let client = RestClient::new(running.url(""))?;

    let queued = client.send(Method::GET, "/reports/r1/", None).await?;
    assert_eq!(
        (queued.status, queued.body.len()),
        (StatusCode::ACCEPTED, 0)
    );
    let ready = client
        .send(Method::GET, "/reports/r1/?ready=true", None)
        .await?;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(&ready.body[..], br#""report r1""#);
    let missing = client.send(Method::GET, "/reports/missing/", None).await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let job = client
        .send(Method::POST, "/jobs/", Some(br#"{"name": "j"}"#.to_vec()))
        .await?;
    assert_eq!(job.status, StatusCode::ACCEPTED);
    assert_eq!(&job.body[..], br#""job j""#);

    // The RPC endpoint's reply carries its own outcome: 200 as ever.
    let rpc = client
        .send(
            Method::POST,
            "/json/start_job",
            Some(br#"{"name": "j"}"#.to_vec()),
        )
        .await?;
    assert_eq!(rpc.status, StatusCode::OK);
    running.shutdown().await;
    Ok(())
}
