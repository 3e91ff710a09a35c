//! Serves the `demo` service over the in-process loopback transport, in
//! JSON-RPC 2.0, and calls every method with the typed client: every call
//! goes through the full byte pipeline (encode, decode, dispatch, encode,
//! decode) without a network.
//!
//! Run with `cargo run -p example-loopback`.

use std::error::Error;
use std::sync::Arc;

use switchboard::local::{self, LocalClient, LocalListener};
use switchboard::{Application, BuildError, Client, Server, ServerTransport};
use switchboard_demo::{Echo, Fail, Sleep, Subtract, Sum};
use switchboard_json::JsonRpc;
use tokio::sync::oneshot;

/// The server: the demo service read and answered in JSON-RPC 2.0.
fn app() -> Result<Server, BuildError> {
    let app = Application::builder()
        .services([switchboard_demo::SERVICE])
        .build()?;
    Ok(Server::new(app, JsonRpc))
}

/// Calls each demo method once, returning what a user would see.
async fn tour(client: &Client) -> Result<Vec<String>, Box<dyn Error>> {
    let mut lines = Vec::new();
    let echoed = client.call(Echo { s: "hello".into() }).await?;
    lines.push(format!("echo(\"hello\") = {echoed:?}"));
    let total = client.call(Sum { a: 1.5, b: 2.0 }).await?;
    lines.push(format!("sum(1.5, 2) = {total}"));
    let difference = client
        .call(Subtract {
            minuend: 42,
            subtrahend: 23,
        })
        .await?;
    lines.push(format!("subtract(42, 23) = {difference}"));
    let fault = client
        .call(Fail {
            message: "as asked".into(),
        })
        .await
        .unwrap_err();
    lines.push(format!("fail(\"as asked\") -> {fault}"));
    client.call(Sleep { seconds: 0.0 }).await?;
    lines.push("sleep(0) sent (one-way: no reply awaited)".to_owned());
    Ok(lines)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let (transport, listener): (LocalClient, LocalListener) =
        local::pair(local::DEFAULT_CHANNEL_CAPACITY);
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(listener.serve(app()?, async {
        let _ = stopped.await;
    }));
    let client = Client::new(Arc::new(transport), Arc::new(JsonRpc));
    for line in tour(&client).await? {
        println!("{line}");
    }
    let _ = stop.send(());
    serving.await??;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_tour_gets_every_answer() -> Result<(), Box<dyn Error>> {
        let client = Client::new(Arc::new(LocalClient::direct(app()?)), Arc::new(JsonRpc));
        let lines = tour(&client).await?;
        assert_eq!(lines[0], "echo(\"hello\") = \"hello\"");
        assert_eq!(lines[1], "sum(1.5, 2) = 3.5");
        assert_eq!(lines[2], "subtract(42, 23) = 19");
        assert_eq!(
            lines[3],
            "fail(\"as asked\") -> the server answered with a fault: Client: as asked"
        );
        Ok(())
    }
}
