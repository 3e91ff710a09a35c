//! `plugged`: a host built outside switchboard's host and CLI crates, with
//! the demo service and the `test:` transport of this crate linked in.

use switchboard_demo as _;
use switchboard_test_transport as _;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    switchboard_host::Host::new("plugged", env!("CARGO_PKG_VERSION"))
        .run()
        .await
}
