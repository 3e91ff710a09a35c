//! A task's content type names its protocol as well as its media type
//! (`application/json; protocol=jsonrpc`): both JSON protocols are
//! `application/json`, and a consumer reading the other one should say so
//! instead of failing on a field it does not know. The tag is switchboard's
//! own ([`switchboard::protocol::tagged_content_type`]), so an AMQP server
//! reads it the same way.

/// `media_type` with a `protocol` parameter naming `protocol`: the content
/// type the producer stores a task under, as
/// [`switchboard::protocol::tagged_content_type`] writes it.
///
/// ```
/// use switchboard_sqlite_queue::task_content_type;
///
/// assert_eq!(task_content_type("application/json", "jsonrpc"), "application/json; protocol=jsonrpc");
/// ```
pub fn tagged(media_type: &str, protocol: &str) -> String {
    switchboard::protocol::tagged_content_type(media_type, protocol)
}
