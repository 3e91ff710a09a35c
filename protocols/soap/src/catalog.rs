//! This crate's entry in the protocol catalog ([`switchboard::catalog`]):
//! `soap`, mounted at `POST /soap`, its WSDL at `GET /soap?wsdl`. Its
//! target namespace and service name come from the [`SoapSettings`] in the
//! host's typed settings, the defaults without one.

use std::sync::Arc;

use switchboard::catalog::{HttpMount, ProtocolEntry, TypedSettings, inventory};

use crate::{CONTENT_TYPE, Soap, SoapSettings};

inventory::submit! {
    ProtocolEntry::new(
        "soap",
        "SOAP 1.1, document/literal wrapped; its WSDL at GET /soap?wsdl",
        CONTENT_TYPE,
        |settings| configured(settings).into(),
    )
    .rank(40)
    .mount(HttpMount::Endpoint { path: "/soap", method_in_path: false })
    .client(|settings| Arc::new(configured(settings)))
}

/// SOAP with the host's settings, if it stored any.
fn configured(settings: &TypedSettings) -> Soap {
    match settings.get::<SoapSettings>() {
        Some(soap) => Soap::with_settings(soap.clone()),
        None => Soap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soap_is_listed_with_its_media_type() {
        let entry = switchboard::catalog::protocol("soap").expect("linked");
        let settings = TypedSettings::default();
        assert_eq!(
            entry.server(&settings).input.content_type(),
            entry.media_type()
        );
        assert!(entry.is_callable());
    }
}
