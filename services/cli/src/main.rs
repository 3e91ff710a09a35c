//! The `switchboard` command: the host with the shipped services and
//! their tools (see the library half, `switchboard_cli::host`).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    switchboard_cli::host().run().await
}
