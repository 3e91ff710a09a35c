//! `thumbs`: a thumbnail service and a web front that asks it for
//! thumbnails and gets the answers back later, as calls of its own.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    switchboard_host::Host::new("thumbs", env!("CARGO_PKG_VERSION"))
        .namespace("urn:example:thumbs")
        .setup(example_then::setup)
        .on_serve(example_then::sender())
        .run()
        .await
}
