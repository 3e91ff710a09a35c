//! The shared protocol suite (`switchboard-testing`) for Postage.

use std::sync::Arc;

use switchboard_postage::Postage;
use switchboard_testing::protocol_suite;

#[tokio::test]
async fn postage_keeps_the_protocol_contract() {
    if let Err(failure) = protocol_suite(Postage::new(), Arc::new(Postage::new())).await {
        panic!("{failure}");
    }
}
