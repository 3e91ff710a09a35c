//! Content types that say which protocol reads a message: the media type,
//! and a `protocol` parameter naming the protocol
//! (`application/json; protocol=jsonrpc`).
//!
//! The media type alone does not tell the two JSON protocols apart (both
//! are `application/json`), so transports that store or route messages (a
//! queue, a broker) tag them, and pick the reader by the tag first.
//! Untagged messages (from programs that know nothing of switchboard) are
//! read by their media type alone.
//!
//! Limits: parameters are read as RFC 9110 writes them, leniently (spaces
//! around `=` are allowed); a quoted value is returned without its quotes
//! but with any backslash escapes left in, since protocol names are tokens
//! and never need them.

/// The name of the parameter that names the protocol.
const PROTOCOL_PARAMETER: &str = "protocol";

/// Whether two media types are the same, ignoring case and parameters
/// (`Application/JSON; charset=utf-8` is `application/json`). Allocates
/// nothing: transports call it on every request or task.
///
/// ```
/// use switchboard::protocol::same_media_type;
///
/// assert!(same_media_type("Application/JSON; charset=utf-8", "application/json"));
/// assert!(!same_media_type("text/xml", "application/json"));
/// ```
pub fn same_media_type(a: &str, b: &str) -> bool {
    essence(a).eq_ignore_ascii_case(essence(b))
}

/// A media type without its parameters (byte by byte: it is read on
/// every request, and its separators are ASCII).
fn essence(media_type: &str) -> &str {
    let end = media_type
        .bytes()
        .position(|b| b == b';')
        .unwrap_or(media_type.len());
    media_type.get(..end).unwrap_or(media_type).trim_ascii()
}

/// `media_type` tagged with a `protocol` parameter naming `protocol`, the
/// content type a transport stores or publishes a message under. A name
/// that is not a token is quoted.
///
/// ```
/// use switchboard::protocol::tagged_content_type;
///
/// assert_eq!(
///     tagged_content_type("application/json", "jsonrpc"),
///     "application/json; protocol=jsonrpc"
/// );
/// ```
pub fn tagged_content_type(media_type: &str, protocol: &str) -> String {
    if !protocol.is_empty() && protocol.bytes().all(is_token_byte) {
        return format!("{media_type}; {PROTOCOL_PARAMETER}={protocol}");
    }
    let quoted = protocol.replace('\\', "\\\\").replace('"', "\\\"");
    format!("{media_type}; {PROTOCOL_PARAMETER}=\"{quoted}\"")
}

/// The protocol a content type names in its `protocol` parameter, if it
/// names one: the parameter's name is read without regard to case, a
/// quoted value without its quotes, and an empty value names none.
///
/// ```
/// use switchboard::protocol::protocol_tag;
///
/// assert_eq!(protocol_tag("application/json; charset=utf-8; Protocol=\"json\""), Some("json"));
/// assert_eq!(protocol_tag("application/json"), None);
/// ```
pub fn protocol_tag(content_type: &str) -> Option<&str> {
    parameters(content_type)
        .find(|(name, _)| name.eq_ignore_ascii_case(PROTOCOL_PARAMETER))
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// Which of `candidates`, `(protocol name, media type)` pairs in order of
/// preference, reads a message of `content_type`: its index, or `None` if
/// none does.
///
/// - A tagged content type ([`protocol_tag`]) is read by the candidate of
///   that name (compared without regard to case) and a matching media
///   type. A tag no candidate has matches none: reading the message in
///   another protocol of the same media type would misread it.
/// - An untagged one is read by the first candidate of its media type.
///
/// ```
/// use switchboard::protocol::pick_protocol;
///
/// let readers = [("json", "application/json"), ("jsonrpc", "application/json")];
/// assert_eq!(pick_protocol("application/json; protocol=jsonrpc", readers), Some(1));
/// assert_eq!(pick_protocol("application/json", readers), Some(0));
/// assert_eq!(pick_protocol("application/json; protocol=soap11", readers), None);
/// ```
pub fn pick_protocol<'a>(
    content_type: &str,
    candidates: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Option<usize> {
    let tag = protocol_tag(content_type);
    candidates.into_iter().position(|(name, media_type)| {
        let named = tag.is_none_or(|tag| tag.eq_ignore_ascii_case(name));
        named && same_media_type(content_type, media_type)
    })
}

/// The parameters of a content type, after its media type, as `(name,
/// value)` pairs, trimmed, values unquoted; malformed ones (no `=`) are
/// skipped.
fn parameters(content_type: &str) -> impl Iterator<Item = (&str, &str)> {
    segments(content_type).skip(1).filter_map(|segment| {
        let (name, value) = segment.split_once('=')?;
        Some((name.trim_ascii(), unquoted(value.trim_ascii())))
    })
}

/// `content_type` split at each `;` outside a quoted string, so that a
/// quoted value holding `;` or `protocol=` stays one value.
fn segments(content_type: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(content_type);
    std::iter::from_fn(move || {
        let text = rest?;
        match segment_end(text) {
            Some(end) => {
                // `end` is the index of an ASCII `;`, so both sides are
                // on character boundaries.
                rest = text.get(end + 1..);
                text.get(..end)
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// The index of the first `;` outside a quoted string, if any.
fn segment_end(text: &str) -> Option<usize> {
    let (mut quoted, mut escaped) = (false, false);
    for (index, byte) in text.bytes().enumerate() {
        match byte {
            // RFC 9110 quoted-pair: the byte after a backslash is literal.
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b';' if !quoted => return Some(index),
            _ => {}
        }
    }
    None
}

/// A parameter value without its surrounding quotes, if it has them.
fn unquoted(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or(value)
}

/// Whether `byte` may appear in an RFC 9110 token (so needs no quotes).
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tagged_content_type_names_its_protocol() {
        let tagged = tagged_content_type("application/json", "jsonrpc");
        assert_eq!(tagged, "application/json; protocol=jsonrpc");
        assert_eq!(protocol_tag(&tagged), Some("jsonrpc"));
        assert!(same_media_type(&tagged, "application/json"));
    }

    #[test]
    fn a_name_that_is_no_token_is_quoted_and_read_back() {
        let tagged = tagged_content_type("text/plain", "my proto");
        assert_eq!(tagged, "text/plain; protocol=\"my proto\"");
        assert_eq!(protocol_tag(&tagged), Some("my proto"));
    }

    #[test]
    fn parameter_names_are_read_without_regard_to_case() {
        assert_eq!(
            protocol_tag("application/json; PROTOCOL=json"),
            Some("json")
        );
        assert_eq!(protocol_tag("application/json;Protocol=json"), Some("json"));
    }

    #[test]
    fn quoted_values_lose_their_quotes() {
        assert_eq!(
            protocol_tag("application/json; protocol=\"jsonrpc\""),
            Some("jsonrpc")
        );
        assert_eq!(
            protocol_tag("application/json; protocol = \"json\" "),
            Some("json")
        );
    }

    #[test]
    fn other_parameters_are_skipped_wherever_they_are() {
        let before = "application/json; charset=utf-8; protocol=jsonrpc";
        let after = "application/json; protocol=jsonrpc; charset=\"utf-8\"";
        assert_eq!(protocol_tag(before), Some("jsonrpc"));
        assert_eq!(protocol_tag(after), Some("jsonrpc"));
        assert_eq!(protocol_tag("application/json; charset=utf-8"), None);
    }

    #[test]
    fn a_quoted_value_holding_separators_is_one_value() {
        let tricky = "application/json; note=\"a; protocol=soap11\"; protocol=json";
        assert_eq!(protocol_tag(tricky), Some("json"));
        let escaped = "application/json; note=\"say \\\"hi\\\"; protocol=x\"";
        assert_eq!(protocol_tag(escaped), None);
    }

    #[test]
    fn no_value_or_an_empty_one_names_no_protocol() {
        assert_eq!(protocol_tag("application/json"), None);
        assert_eq!(protocol_tag("application/json; protocol"), None);
        assert_eq!(protocol_tag("application/json; protocol="), None);
        assert_eq!(protocol_tag("application/json; protocol=\"\""), None);
        assert_eq!(protocol_tag(""), None);
    }

    const READERS: [(&str, &str); 3] = [
        ("json", "application/json"),
        ("jsonrpc", "application/json"),
        ("soap11", "text/xml"),
    ];

    #[test]
    fn the_tag_picks_among_protocols_of_one_media_type() {
        let pick = |content_type| pick_protocol(content_type, READERS);
        assert_eq!(pick("application/json; protocol=jsonrpc"), Some(1));
        assert_eq!(pick("application/json; protocol=json"), Some(0));
        assert_eq!(
            pick("Application/JSON; charset=utf-8; Protocol=\"JSONRPC\""),
            Some(1)
        );
        assert_eq!(pick("text/xml; charset=utf-8; protocol=soap11"), Some(2));
    }

    #[test]
    fn untagged_content_types_go_to_the_first_of_their_media_type() {
        let pick = |content_type| pick_protocol(content_type, READERS);
        assert_eq!(pick("application/json"), Some(0));
        assert_eq!(pick("application/json; charset=utf-8"), Some(0));
        assert_eq!(pick("TEXT/XML"), Some(2));
        assert_eq!(pick("application/xml"), None);
    }

    #[test]
    fn a_tag_no_reader_has_or_the_wrong_media_type_matches_none() {
        let pick = |content_type| pick_protocol(content_type, READERS);
        assert_eq!(pick("application/json; protocol=soap11"), None);
        assert_eq!(pick("application/json; protocol=msgpack"), None);
        assert_eq!(pick("text/xml; protocol=jsonrpc"), None);
    }
}
