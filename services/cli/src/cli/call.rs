//! `switchboard call METHOD key=value...`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use serde_json::{Map, Value};
use switchboard::{CallError, Client, ClientProtocol};
use switchboard_http::HttpClient;
use switchboard_json::{JsonDocument, JsonRpc};

/// The protocol `call` speaks.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum CallProtocol {
    /// JSON-RPC 2.0, at `{url}/jsonrpc`.
    Jsonrpc,
    /// The JSON document, at `{url}/json/{method}`.
    Json,
}

/// Options of `call`.
#[derive(Debug, Args)]
pub(crate) struct CallArgs {
    /// The method's wire name.
    method: String,
    /// Parameters as `name=value`; a value that parses as JSON is sent as
    /// JSON (`width=10`, `tags=["a"]`), anything else as a string.
    params: Vec<String>,
    /// The server's base URL.
    #[arg(long, env = "SWITCHBOARD_URL", default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The protocol to call in.
    #[arg(long, value_enum, default_value_t = CallProtocol::Jsonrpc)]
    protocol: CallProtocol,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 30.0)]
    timeout: f64,
    /// Send `Authorization: Bearer <token>`.
    #[arg(long, env = "SWITCHBOARD_AUTH_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

/// `name=value` pairs as a JSON object.
pub(crate) fn parse_params(pairs: &[String]) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for pair in pairs {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("parameter `{pair}` is not name=value"))?;
        if name.is_empty() {
            return Err(format!("parameter `{pair}` has no name"));
        }
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
        out.insert(name.to_owned(), value);
    }
    Ok(out)
}

/// A client for `url` in `protocol`.
pub(crate) fn client(
    url: &str,
    protocol: CallProtocol,
    token: Option<&str>,
) -> Result<Client, String> {
    let base = url.trim_end_matches('/');
    let (endpoint, in_path, codec): (String, bool, Arc<dyn ClientProtocol>) = match protocol {
        CallProtocol::Jsonrpc => (format!("{base}/jsonrpc"), false, Arc::new(JsonRpc)),
        CallProtocol::Json => (format!("{base}/json"), true, Arc::new(JsonDocument)),
    };
    let mut transport = HttpClient::new(endpoint)
        .map_err(|err| err.to_string())?
        .with_method_in_path(in_path);
    if let Some(token) = token {
        transport = transport.with_bearer_token(token);
    }
    Ok(Client::new(Arc::new(transport), codec))
}

pub(crate) async fn run(args: CallArgs) -> ExitCode {
    let params = match parse_params(&args.params) {
        Ok(params) => params,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let client = match client(&args.url, args.protocol, args.token.as_deref()) {
        Ok(client) => client,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let deadline = Instant::now() + Duration::from_secs_f64(args.timeout.clamp(0.001, 86_400.0));
    let result = client
        .call_named::<Value>(&args.method, &Value::Object(params), Some(deadline))
        .await;
    report(result)
}

/// Prints the result (stdout) or the fault (stderr, exit code 1).
pub(crate) fn report(result: Result<Value, CallError>) -> ExitCode {
    match result {
        Ok(value) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string())
            );
            ExitCode::SUCCESS
        }
        Err(CallError::Fault(fault)) => {
            eprintln!("{}: {}", fault.code(), fault.message());
            if let Some(detail) = fault.detail() {
                eprintln!("detail: {detail}");
            }
            ExitCode::FAILURE
        }
        Err(err) => super::fail("the call failed", &err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_as_json_where_they_can() {
        let params = parse_params(&[
            "a=1".into(),
            "b=hello".into(),
            "c=[1,2]".into(),
            "d=".into(),
            "e=\"2\"".into(),
        ])
        .unwrap();
        assert_eq!(
            Value::Object(params),
            serde_json::json!({"a": 1, "b": "hello", "c": [1, 2], "d": "", "e": "2"})
        );
        assert!(parse_params(&["novalue".into()]).is_err());
        assert!(parse_params(&["=1".into()]).is_err());
    }
}
