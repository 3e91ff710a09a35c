//! The client side of [`Soap`]: a call as a request envelope, a response
//! envelope back to a result or a fault.
//!
//! A reply is read without knowing the method: its body's one element is
//! either a `soap:Fault` or a `{method}Response` whose `{method}Result`
//! children are the result (none for a method that returns nothing).

use switchboard::Fault;
use switchboard::protocol::{ClientProtocol, OutgoingCall, ProtocolError, ReplySink};

use crate::protocol::{CONTENT_TYPE, Soap, utf8};
use crate::reply;
use crate::value::de::{ElementDe, FieldDe};
use crate::value::ser::{ElementSer, Position};
use crate::xml::tree::Element;

/// How deep a reply may nest: replies come from the server asked, so this
/// only bounds the reader's memory, generously.
const REPLY_DEPTH: usize = 512;

impl ClientProtocol for Soap {
    fn name(&self) -> &'static str {
        "soap"
    }

    fn content_type(&self) -> &'static str {
        CONTENT_TYPE
    }

    fn encode_call(&self, call: OutgoingCall<'_>) -> Result<Vec<u8>, ProtocolError> {
        let mut out = self.start_envelope();
        erased_serde::serialize(
            call.params,
            ElementSer::new(&mut out, call.method, Position::Item),
        )
        .map_err(|err| ProtocolError::Encode(Box::new(err)))?;
        reply::end(&mut out);
        Ok(out)
    }

    fn decode_reply(
        &self,
        bytes: &[u8],
        sink: &mut ReplySink<'_>,
    ) -> Result<Result<(), Fault>, ProtocolError> {
        let unexpected = |why: &str| ProtocolError::UnexpectedReply(why.to_owned());
        let text = utf8(bytes).map_err(|_| unexpected("the reply is not UTF-8"))?;
        let envelope = Element::parse(text, REPLY_DEPTH)
            .map_err(|err| ProtocolError::UnexpectedReply(err.to_string()))?;
        if envelope.name != "Envelope" {
            return Err(unexpected("the reply is not a SOAP envelope"));
        }
        let body = envelope
            .children_named("Body")
            .next()
            .ok_or_else(|| unexpected("the reply has no SOAP body"))?;
        let [content] = body.children.as_slice() else {
            return Err(unexpected("the reply's body must hold one element"));
        };
        if content.name == "Fault" {
            return Ok(Err(read_fault(content)));
        }
        let method = content
            .name
            .strip_suffix("Response")
            .ok_or_else(|| unexpected("the reply's body holds neither a response nor a fault"))?;
        let result_name = format!("{method}Result");
        let result = FieldDe::of(content, &result_name);
        let mut erased = <dyn erased_serde::Deserializer<'_>>::erase(result);
        sink(&mut erased)
            .map_err(|err| ProtocolError::UnexpectedReply(format!("result does not fit: {err}")))?;
        Ok(Ok(()))
    }
}

/// A `soap:Fault` as a [`Fault`]: the code without its prefix
/// (`soap:Client.NotFound` is `Client.NotFound`).
fn read_fault(element: &Element<'_>) -> Fault {
    let text = |name: &str| {
        element
            .children_named(name)
            .next()
            .map(|e| e.text.to_string())
            .unwrap_or_default()
    };
    let code = text("faultcode");
    let code = code.trim();
    let code = code.split_once(':').map_or(code, |(_, local)| local);
    let mut fault = Fault::new(code.to_owned(), text("faultstring"));
    if let Some(detail) = element.children_named("detail").next() {
        let value = if detail.children.is_empty() {
            serde_json::Value::String(detail.text.to_string())
        } else {
            serde::Deserialize::deserialize(ElementDe(detail)).unwrap_or_default()
        };
        fault.detail = Some(value);
    }
    fault
}
