//! The signature check of applications that require signed calls
//! ([`ApplicationBuilder::signatures`](crate::ApplicationBuilder::signatures)).
//!
//! It runs in the driver, not in the transports, so every transport (and
//! any written later) gets it with no code of its own: the signature
//! travels as a carried header, which every transport reads into
//! [`RequestInfo::headers`]. The MAC is checked before stages 2 and 3, so
//! a flood of forged requests costs one HMAC each and no parsing; the
//! method is bound after stage 3, when the calls are known.

use crate::context::RequestInfo;
use crate::protocol::Envelope;
use crate::signing::{Refusal, Verifier};
use crate::{Fault, SIGNATURE_HEADER, THEN_HEADER};

use super::Server;

/// Stages 2 and 3 of a request that must be signed.
pub(super) enum SignedRead {
    /// The signature holds; the envelope as stages 2 and 3 read it.
    Read(Result<Envelope, Fault>),
    /// The signature does not hold: refuse the whole request.
    Refused(Fault),
}

impl Server {
    /// Stages 2 and 3, behind the signature check when the application
    /// requires signed calls.
    pub(super) fn read_request(&self, request: &RequestInfo) -> SignedRead {
        match self.app.signatures() {
            None => SignedRead::Read(self.get_in_envelope(request)),
            Some(verifier) => self.get_in_signed(verifier, request),
        }
    }

    /// Checks `request`'s signature, reads its envelope, then checks that
    /// every call in it names the signed method (so a signature over one
    /// method's call cannot carry another's, whether the body or the
    /// transport names the method).
    pub(super) fn get_in_signed(&self, verifier: &Verifier, request: &RequestInfo) -> SignedRead {
        let header = request.headers.get(SIGNATURE_HEADER);
        let then = request.headers.get(THEN_HEADER);
        let signed = match verifier.verify_call(header, then, &request.in_bytes) {
            Ok(signed) => signed,
            Err(refusal) => return refused(request, refusal),
        };
        let envelope = match self.get_in_envelope(request) {
            Ok(envelope) => envelope,
            // A well-signed request that does not parse is the caller's
            // ordinary mistake, answered as unsigned ones are.
            Err(fault) => return SignedRead::Read(Err(fault)),
        };
        let foreign = envelope
            .calls
            .iter()
            .filter_map(|call| call.as_ref().ok())
            .any(|call| call.method != signed.method());
        match foreign {
            true => refused(request, Refusal::WrongMethod),
            false => SignedRead::Read(Ok(envelope)),
        }
    }
}

/// The refusal, logged with its reason only (never the header's value).
fn refused(request: &RequestInfo, refusal: Refusal) -> SignedRead {
    tracing::debug!(
        request_id = request.id.0,
        transport = request.facts.transport(),
        reason = refusal.reason(),
        "signed call refused"
    );
    SignedRead::Refused(refusal.into())
}
