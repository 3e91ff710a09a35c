//! The hand-written SOAP `echo` endpoint: what a careful handler does with
//! quick-xml alone. It streams the whole request through the
//! namespace-aware reader (refusing a DOCTYPE, bounding the depth), checks
//! the envelope's namespace, takes the text of `echo/s` with its
//! references resolved, and writes the same reply envelope, escaped.
//!
//! Shared by this crate's pipeline bench and the HTTP load bench's bare
//! axum server, so both compare against the same work.

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};

const ENVELOPE: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const MAX_DEPTH: usize = 64;

/// The reply to a request, or `None` if it is not a well-formed `echo`.
pub(crate) fn handle(body: &[u8]) -> Option<Vec<u8>> {
    let s = parse(body)?;
    let mut out = Vec::with_capacity(320 + s.len());
    out.extend_from_slice(
        br#"<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:tns="urn:switchboard"><soap:Body><tns:echoResponse><tns:echoResult>"#,
    );
    out.extend_from_slice(quick_xml::escape::escape(s.as_str()).as_bytes());
    out.extend_from_slice(b"</tns:echoResult></tns:echoResponse></soap:Body></soap:Envelope>");
    Some(out)
}

/// The text of `Envelope/Body/echo/s`, if the request is well-formed.
fn parse(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let mut reader = NsReader::from_str(text);
    let mut depth = 0;
    let mut in_s = false;
    let mut s = String::new();
    loop {
        let (ns, event) = reader.read_resolved_event().ok()?;
        match event {
            Event::Start(start) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return None;
                }
                if depth == 1 {
                    let soap = matches!(ns, ResolveResult::Bound(Namespace(ns)) if ns == ENVELOPE);
                    if !soap || start.local_name().as_ref() != "Envelope" {
                        return None;
                    }
                }
                in_s = depth == 4 && start.local_name().as_ref() == "s";
            }
            Event::End(_) => {
                depth -= 1;
                in_s = false;
            }
            Event::Text(t) if in_s => s.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_s => {
                let ch = match r.as_ref() {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "apos" => '\'',
                    "quot" => '"',
                    _ => r.resolve_char_ref().ok()??,
                };
                s.push(ch);
            }
            Event::DocType(_) => return None,
            Event::Eof => break,
            _ => {}
        }
    }
    (depth == 0).then_some(s)
}
