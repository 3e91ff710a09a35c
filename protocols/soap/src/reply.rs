//! Writing SOAP 1.1 envelopes: a call, a response, a fault.
//!
//! Every element of the body is qualified in the target namespace (prefix
//! `tns`); the fault's own children are unqualified, as SOAP 1.1 defines
//! them, and its code is a QName in the envelope namespace
//! (`soap:Client.NotFound`).

use serde_json::Value;
use switchboard::Fault;

use crate::envelope::{SOAP11_ENVELOPE, SOAP12_ENVELOPE, XSI};
use crate::value::ValueError;
use crate::value::ser::{ElementSer, Position, close, is_ncname, open};
use crate::xml::escape;

/// The body's start tag, the last thing [`begin`] writes.
pub(crate) const BODY_OPEN: &[u8] = b"<soap:Body>";

/// Opens the envelope and its body.
pub(crate) fn begin(out: &mut Vec<u8>, namespace: &str) {
    out.extend_from_slice(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope xmlns:soap=\"",
    );
    out.extend_from_slice(SOAP11_ENVELOPE.as_bytes());
    out.extend_from_slice(b"\" xmlns:xsi=\"");
    out.extend_from_slice(XSI.as_bytes());
    out.extend_from_slice(b"\" xmlns:tns=\"");
    // The namespace is configuration; escaping keeps a stray `"` harmless.
    attribute(out, namespace);
    out.extend_from_slice(b"\">");
    out.extend_from_slice(BODY_OPEN);
}

/// A header holding SOAP 1.2's `Upgrade` block (SOAP 1.2 Part 1 §5.4.7 and
/// Appendix A), which names the one envelope this endpoint reads: SOAP
/// 1.1's.
pub(crate) fn upgrade_header(out: &mut Vec<u8>) {
    out.extend_from_slice(b"<soap:Header><upg:Upgrade xmlns:upg=\"");
    out.extend_from_slice(SOAP12_ENVELOPE.as_bytes());
    out.extend_from_slice(b"\"><upg:SupportedEnvelope qname=\"ns1:Envelope\" xmlns:ns1=\"");
    out.extend_from_slice(SOAP11_ENVELOPE.as_bytes());
    out.extend_from_slice(b"\"/></upg:Upgrade></soap:Header>");
}

/// Closes the body and the envelope.
pub(crate) fn end(out: &mut Vec<u8>) {
    out.extend_from_slice(b"</soap:Body></soap:Envelope>");
}

fn attribute(out: &mut Vec<u8>, value: &str) {
    for ch in value.chars() {
        match ch {
            '"' => out.extend_from_slice(b"&quot;"),
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            _ => out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
}

/// `<tns:{method}Response><tns:{method}Result>…</…></…>`.
pub(crate) fn response(
    out: &mut Vec<u8>,
    method: &str,
    value: &(dyn erased_serde::Serialize + Send + Sync),
) -> Result<(), ValueError> {
    // Built inline (no allocation) for names of up to 23 bytes.
    let suffixed = |suffix: &str| {
        let mut name = smol_str::SmolStrBuilder::new();
        name.push_str(method);
        name.push_str(suffix);
        name.finish()
    };
    let response = suffixed("Response");
    open(out, &response);
    erased_serde::serialize(
        value,
        ElementSer::new(out, &suffixed("Result"), Position::Field),
    )?;
    close(out, &response);
    Ok(())
}

/// `<soap:Fault>` with `faultcode`, `faultstring` and, if any, `detail`.
pub(crate) fn fault(out: &mut Vec<u8>, fault: &Fault) {
    out.extend_from_slice(b"<soap:Fault><faultcode>soap:");
    // Codes and messages are ours; a message with a character XML cannot
    // carry loses it rather than the whole fault.
    lossy_text(out, fault.code());
    out.extend_from_slice(b"</faultcode><faultstring>");
    lossy_text(out, fault.message());
    out.extend_from_slice(b"</faultstring>");
    if let Some(detail) = fault.detail() {
        out.extend_from_slice(b"<detail>");
        write_detail(out, detail);
        out.extend_from_slice(b"</detail>");
    }
    out.extend_from_slice(b"</soap:Fault>");
}

/// An object's members as elements; anything else, or an object whose keys
/// cannot be element names, as its JSON text.
fn write_detail(out: &mut Vec<u8>, detail: &Value) {
    if let Value::Object(members) = detail {
        if members.keys().all(|k| is_ncname(k)) {
            let start = out.len();
            let written = members.iter().try_for_each(|(key, value)| {
                serde::Serialize::serialize(value, ElementSer::new(out, key, Position::Field))
            });
            if written.is_ok() {
                return;
            }
            out.truncate(start);
        }
    }
    let text = match detail {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    lossy_text(out, &text);
}

fn lossy_text(out: &mut Vec<u8>, text: &str) {
    let start = out.len();
    if escape::text(out, text).is_err() {
        out.truncate(start);
        let kept: String = text
            .chars()
            .map(|c| {
                if crate::xml::chars::is_xml_char(c) {
                    c
                } else {
                    '\u{FFFD}'
                }
            })
            .collect();
        // Every character left is one XML carries.
        let _ = escape::text(out, &kept);
    }
}
