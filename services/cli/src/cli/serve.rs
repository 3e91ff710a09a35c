//! `switchboard serve`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use switchboard_cli::hosting::{self, Protocol};
use switchboard_http::{Auth, HttpConfig};
use tokio::net::TcpListener;

/// Options of `serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SWITCHBOARD_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// SQLite file holding the services' state (created if missing).
    #[arg(long, env = "SWITCHBOARD_DB", default_value = "switchboard.db")]
    db: PathBuf,
    /// Services to serve, comma-separated (default: all).
    #[arg(long, env = "SWITCHBOARD_SERVICES", value_delimiter = ',', default_values_t = default_services())]
    services: Vec<String>,
    /// Protocols to mount, comma-separated: jsonrpc, json, rest.
    #[arg(
        long,
        env = "SWITCHBOARD_PROTOCOLS",
        value_delimiter = ',',
        default_value = "jsonrpc,json,rest"
    )]
    protocols: Vec<Protocol>,
    /// Public base URL for links the server prints (Location headers).
    #[arg(long, env = "SWITCHBOARD_PUBLIC_URL")]
    public_url: Option<String>,
    /// Largest request body, in bytes.
    #[arg(long, env = "SWITCHBOARD_MAX_BODY", default_value_t = HttpConfig::DEFAULT_MAX_BODY_BYTES)]
    max_body: usize,
    /// Time allowed for a whole request, in seconds.
    #[arg(long, env = "SWITCHBOARD_REQUEST_TIMEOUT", default_value_t = 30.0)]
    request_timeout: f64,
    /// Requests served at once.
    #[arg(long, env = "SWITCHBOARD_MAX_CONCURRENT", default_value_t = HttpConfig::DEFAULT_MAX_CONCURRENT_REQUESTS)]
    max_concurrent: usize,
    /// Require `Authorization: Bearer <token>`.
    #[arg(
        long,
        env = "SWITCHBOARD_AUTH_TOKEN",
        conflicts_with = "auth_basic",
        hide_env_values = true
    )]
    auth_token: Option<String>,
    /// Require basic credentials, as `user:password`.
    #[arg(long, env = "SWITCHBOARD_AUTH_BASIC", hide_env_values = true)]
    auth_basic: Option<String>,
}

fn default_services() -> Vec<String> {
    hosting::SERVICES.iter().map(|s| (*s).to_owned()).collect()
}

impl ServeArgs {
    fn config(&self) -> Result<HttpConfig, String> {
        if !(self.request_timeout.is_finite() && self.request_timeout > 0.0) {
            return Err("--request-timeout must be a positive number of seconds".to_owned());
        }
        let mut config = HttpConfig::default()
            .with_max_body_bytes(self.max_body)
            .with_request_timeout(Duration::from_secs_f64(self.request_timeout))
            .with_max_concurrent_requests(self.max_concurrent);
        if let Some(url) = &self.public_url {
            config = config.with_public_url(url);
        }
        if let Some(token) = &self.auth_token {
            config = config.with_auth(Auth::Bearer {
                token: token.clone(),
            });
        }
        if let Some(pair) = &self.auth_basic {
            let (user, password) = pair
                .split_once(':')
                .ok_or("--auth-basic must be user:password")?;
            config = config.with_auth(Auth::Basic {
                user: user.to_owned(),
                password: password.to_owned(),
            });
        }
        Ok(config)
    }
}

pub(crate) async fn run(args: ServeArgs) -> ExitCode {
    let config = match args.config() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let app = match hosting::application(&args.services, &args.db) {
        Ok(app) => app,
        Err(err) => return super::fail("cannot set up the services", &err),
    };
    let server = match hosting::http_server(app, &args.protocols, config) {
        Ok(server) => server,
        Err(err) => return super::fail("cannot set up HTTP", &err),
    };
    let listener = match TcpListener::bind(args.listen).await {
        Ok(listener) => listener,
        Err(err) => return super::fail(&format!("cannot listen on {}", args.listen), &err),
    };
    let shutdown = match shutdown_signal() {
        Ok(shutdown) => shutdown,
        Err(err) => return super::fail("cannot listen for shutdown signals", &err),
    };
    let addr = listener.local_addr().unwrap_or(args.listen);
    print_banner(&addr, &args);
    match server.serve(listener, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => super::fail("the server stopped", &err),
    }
}

fn print_banner(addr: &SocketAddr, args: &ServeArgs) {
    let base = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    println!("switchboard listening on http://{addr}");
    println!("  services: {}", args.services.join(", "));
    for protocol in &args.protocols {
        match protocol {
            Protocol::JsonRpc => println!("  JSON-RPC 2.0:  POST {base}/jsonrpc"),
            Protocol::Json => {
                println!("  JSON document: POST {base}/json  or  POST {base}/json/{{method}}")
            }
            Protocol::Rest => println!("  REST:          {base}/api/..."),
        }
    }
    println!("  health:        GET {base}/healthz");
    println!("  state:         {}", args.db.display());
    println!("Stop with Ctrl-C.");
}

/// Installs the SIGINT and SIGTERM handlers now (before the banner tells
/// anyone the server is up, so an early signal still shuts it down
/// gracefully) and returns a future that completes on either.
pub(super) fn shutdown_signal()
-> Result<impl std::future::Future<Output = ()> + Send + 'static, std::io::Error> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
            tracing::info!("shutdown requested");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutdown requested");
        })
    }
}
