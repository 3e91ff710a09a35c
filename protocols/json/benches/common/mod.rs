//! What the pipeline benchmark and the profiling example share: the request,
//! the server, the hand-written baseline and the typed call.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use switchboard::{Application, Server};
use switchboard_demo::Echo;
use switchboard_json::JsonRpc;
use switchboard_testing::bench::PipelineBench;

/// A JSON-RPC `echo` call.
pub(crate) const REQUEST: &[u8] =
    br#"{"jsonrpc":"2.0","method":"echo","params":{"s":"hello, world"},"id":1}"#;

/// The bench: the pipeline against [`by_hand`] and a typed `echo`.
pub(crate) fn bench() -> PipelineBench<'static, Echo> {
    PipelineBench {
        title: "jsonrpc echo",
        server: server(),
        client_protocol: Arc::new(JsonRpc),
        request: REQUEST,
        by_hand_name: "hand-written serde_json",
        by_hand: &by_hand::handle,
        typed_call: &echo,
    }
}

/// The typed call [`REQUEST`] makes.
fn echo() -> Echo {
    Echo {
        s: "hello, world".to_owned(),
    }
}

/// The demo service in JSON-RPC.
fn server() -> Server {
    let app = Application::builder()
        .services([switchboard_demo::SERVICE])
        .build()
        .expect("the demo service is linked");
    Server::new(app, JsonRpc)
}

/// What a careful hand-written JSON-RPC echo endpoint does.
pub(crate) mod by_hand {
    use super::*;

    #[derive(Deserialize)]
    struct Request<'a> {
        jsonrpc: &'a str,
        method: &'a str,
        #[serde(borrow)]
        params: &'a RawValue,
        #[serde(borrow)]
        id: &'a RawValue,
    }

    #[derive(Deserialize)]
    struct EchoParams {
        s: String,
    }

    #[derive(Serialize)]
    struct Response<'a, T> {
        jsonrpc: &'static str,
        result: T,
        id: &'a RawValue,
    }

    /// Parses, checks, dispatches and answers one request.
    pub(crate) fn handle(body: &[u8]) -> Vec<u8> {
        let request: Request<'_> = serde_json::from_slice(body).expect("valid request");
        assert_eq!(request.jsonrpc, "2.0");
        assert_eq!(request.method, "echo");
        let params: EchoParams = serde_json::from_str(request.params.get()).expect("valid params");
        let response = Response {
            jsonrpc: "2.0",
            result: params.s,
            id: request.id,
        };
        serde_json::to_vec(&response).expect("serializable")
    }
}
