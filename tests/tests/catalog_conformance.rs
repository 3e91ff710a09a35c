//! The transport suite for every transport of the catalog, from one
//! place: HTTP, AMQP (the local broker), the SQLite queue, and the test
//! transport written outside the host. A transport crate joins by saying
//! where the suite may serve it (`TransportEntry::conformance`), and by
//! being a dev-dependency here.

use switchboard_amqp as _;
use switchboard_http as _;
use switchboard_json as _;
use switchboard_sqlite_queue as _;
use switchboard_test_transport as _;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_linked_transport_keeps_the_contract() -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|err| err.to_string())?;
    let (checked, skipped) = switchboard_testing::catalog_suite(dir.path()).await?;
    assert_eq!(
        checked,
        ["amqp", "http", "sqlite", "test"],
        "skipped: {skipped:?}"
    );
    Ok(())
}
