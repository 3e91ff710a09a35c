//! A task's content type names its protocol as well as its media type
//! (`application/json; protocol=jsonrpc`): both JSON protocols are
//! `application/json`, and a consumer reading the other one should say so
//! instead of failing on a field it does not know.

/// `media_type` with a `protocol` parameter naming `protocol`.
///
/// ```
/// use switchboard_sqlite_queue::task_content_type;
///
/// assert_eq!(task_content_type("application/json", "jsonrpc"), "application/json; protocol=jsonrpc");
/// ```
pub fn tagged(media_type: &str, protocol: &str) -> String {
    format!("{media_type}; protocol={protocol}")
}

/// The protocol a task's content type names, if it names one (tasks from
/// other programs may carry a bare media type).
pub(crate) fn protocol_of(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("protocol")
            .then(|| value.trim().trim_matches('"'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_protocol_is_read_back() {
        assert_eq!(
            protocol_of(&tagged("application/json", "json")),
            Some("json")
        );
        assert_eq!(
            protocol_of("application/json; charset=utf-8; Protocol=\"jsonrpc\""),
            Some("jsonrpc")
        );
        assert_eq!(protocol_of("application/json"), None);
        assert_eq!(protocol_of("application/json; protocol"), None);
    }
}
