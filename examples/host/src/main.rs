//! `parcels`: the parcels service with every command a switchboard host has.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    switchboard_host::Host::new("parcels", env!("CARGO_PKG_VERSION"))
        .namespace("urn:example:parcels")
        .setup(example_host::setup)
        .run()
        .await
}
