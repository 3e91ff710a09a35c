//! This crate's entry in the protocol catalog ([`switchboard::catalog`]):
//! `soap`, mounted at `POST /soap`, its WSDL at `GET /soap?wsdl`.

use std::sync::Arc;

use switchboard::catalog::{HttpMount, ProtocolEntry, inventory};

use crate::{CONTENT_TYPE, Soap};

inventory::submit! {
    ProtocolEntry::new(
        "soap",
        "SOAP 1.1, document/literal wrapped; its WSDL at GET /soap?wsdl",
        CONTENT_TYPE,
        || Soap::new().into(),
    )
    .rank(40)
    .mount(HttpMount::Endpoint { path: "/soap", method_in_path: false })
    .client(|| Arc::new(Soap::new()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn soap_is_listed_with_its_media_type() {
        let entry = switchboard::catalog::protocol("soap").expect("linked");
        assert_eq!(entry.server().input.content_type(), entry.media_type());
        assert!(entry.is_callable());
    }
}
