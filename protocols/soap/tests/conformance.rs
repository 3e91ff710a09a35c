//! The shared protocol suite (`switchboard-testing`) for SOAP.

use std::sync::Arc;

use switchboard_soap::Soap;
use switchboard_testing::protocol_suite;

#[tokio::test]
async fn soap_keeps_the_protocol_contract() {
    if let Err(failure) = protocol_suite(Soap::new(), Arc::new(Soap::new())).await {
        panic!("{failure}");
    }
}
