//! The strictness corpus (`tests/corpus/`) against each pass on its own:
//! the plain pass leaves every document that is not well-formed (so the
//! careful pass reads it), and the careful pass refuses it, with a client
//! fault; both read the odd but well-formed documents, alike. Documents
//! that are not UTF-8 never reach either pass: the bytes are refused as
//! text first.

#[path = "../../tests/corpus/mod.rs"]
mod corpus;

use switchboard::{Fault, Limits};

use super::{Scanned, careful, plain};
use crate::settings::SoapSettings;
use crate::xml::encoding::{text, without_bom};

#[test]
fn each_pass_refuses_every_document_that_is_not_well_formed() {
    let settings = SoapSettings::default();
    let limits = Limits::default();
    let mut failures = Vec::new();
    for case in corpus::not_well_formed() {
        // UTF-16 without its mark may be UTF-8 (with NULs): refused as
        // text first, with the encoding named, but the passes refuse it too.
        let refused_as_text = text(&case.bytes).is_err();
        let Ok(request) = std::str::from_utf8(&case.bytes) else {
            assert!(refused_as_text, "{}", case.name);
            continue;
        };
        let (_, document) = without_bom(request);
        if plain::scan(document, Some(&settings), limits.max_depth).is_some() {
            failures.push(format!("plain accepted {}", case.name));
        }
        match careful::scan(document, Some(&settings), &limits) {
            Err(err) => {
                let fault = Fault::from(err);
                let worded = refused_as_text || fault.message().contains(case.mentions);
                if fault.code() != case.code || !worded {
                    failures.push(format!("careful refused {} with {fault:?}", case.name));
                }
            }
            Ok(scanned) => failures.push(format!("careful read {} as {scanned:?}", case.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn both_passes_read_odd_but_well_formed_documents_alike() {
    let settings = SoapSettings::default();
    let limits = Limits::default();
    for case in corpus::well_formed() {
        let request = std::str::from_utf8(&case.bytes).expect("the corpus's documents are UTF-8");
        let (_, document) = without_bom(request);
        let careful = careful::scan(document, Some(&settings), &limits);
        let Ok(Scanned::Call(careful)) = careful else {
            panic!("careful refused {}: {careful:?}", case.name);
        };
        if let Some(plain) = plain::scan(document, Some(&settings), limits.max_depth) {
            assert_eq!(plain, careful, "{}", case.name);
        }
    }
}

#[test]
fn the_careful_pass_answers_other_envelopes_with_version_mismatch() {
    let settings = SoapSettings::default();
    for case in corpus::other_versions() {
        let request = std::str::from_utf8(&case.bytes).expect("the corpus's documents are UTF-8");
        assert_eq!(
            plain::scan(request, Some(&settings), 64),
            None,
            "{}",
            case.name
        );
        match careful::scan(request, Some(&settings), &Limits::default()) {
            Ok(Scanned::Refused(fault)) => assert_eq!(fault.code(), case.code, "{}", case.name),
            other => panic!("{}: {other:?}", case.name),
        }
    }
}
