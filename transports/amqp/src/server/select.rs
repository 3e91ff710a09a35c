//! Picks the [`Server`] (protocol pair) for a message by its
//! `content_type`: the protocol its `protocol=` tag names
//! (`application/json; protocol=jsonrpc`), else the first whose media type
//! it has. The tag lets one queue carry both JSON protocols, which share
//! `application/json`; untagged messages (from pika, say) are read by
//! media type as before.

use switchboard::protocol::pick_protocol;
use switchboard::{Fault, Server, code};

use super::options::ServerOptions;

/// The servers a message may be read by.
#[derive(Debug, Clone)]
pub(crate) struct Selector {
    default: Server,
    by_type: Vec<(String, Server)>,
}

impl Selector {
    /// `default`, and one server per protocol in `options`.
    pub(crate) fn new(default: Server, options: &ServerOptions) -> Self {
        let by_type = options
            .protocols
            .iter()
            .map(|(media_type, protocols)| {
                let server = Server::new(default.app().clone(), protocols.clone());
                (media_type.clone(), server)
            })
            .collect();
        Self { default, by_type }
    }

    /// The default server, which also answers refusals.
    pub(crate) fn default_server(&self) -> &Server {
        &self.default
    }

    /// The server for `content_type`: the default if there is none;
    /// otherwise the configured ones, then the default, in that order of
    /// preference, as [`pick_protocol`] picks among them.
    pub(crate) fn pick(&self, content_type: Option<&str>) -> Result<&Server, Fault> {
        let Some(content_type) = content_type.filter(|ct| !ct.is_empty()) else {
            return Ok(&self.default);
        };
        let picked = pick_protocol(
            content_type,
            self.servers()
                .map(|(media_type, server)| (server.in_protocol().name(), media_type)),
        );
        match picked.and_then(|index| self.servers().nth(index)) {
            Some((_, server)) => Ok(server),
            None => Err(self.unread(content_type)),
        }
    }

    /// Every server with the media type it reads, in order of preference.
    fn servers(&self) -> impl Iterator<Item = (&str, &Server)> {
        let configured = self
            .by_type
            .iter()
            .map(|(media, server)| (media.as_str(), server));
        let default = (self.default.in_protocol().content_type(), &self.default);
        configured.chain(std::iter::once(default))
    }

    /// The refusal of a message no server reads, naming what the queue
    /// reads (protocol names and media types are configuration, safe to
    /// show).
    fn unread(&self, content_type: &str) -> Fault {
        let reads: Vec<String> = self
            .servers()
            .map(|(media_type, server)| {
                format!(
                    "`{media_type}` in protocol `{}`",
                    server.in_protocol().name()
                )
            })
            .collect();
        Fault::new(
            code::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "this queue does not read `{content_type}`; it reads {}",
                reads.join(", ")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use switchboard::Application;
    use switchboard_json::{JsonDocument, JsonRpc};

    use super::*;
    use crate::{Binding, QueueSpec};

    fn selector() -> Result<Selector, switchboard::BuildError> {
        let app = Application::builder().build()?;
        let options = ServerOptions::new(Binding::work_queue(QueueSpec::new("q")))
            .with_protocol("application/json", JsonDocument);
        Ok(Selector::new(Server::new(app, JsonRpc), &options))
    }

    fn reader(selector: &Selector, content_type: &str) -> Result<&'static str, Fault> {
        Ok(selector.pick(Some(content_type))?.in_protocol().name())
    }

    #[test]
    fn the_tag_picks_the_protocol_and_untagged_goes_by_media_type()
    -> Result<(), Box<dyn std::error::Error>> {
        let selector = selector()?;
        assert_eq!(
            reader(&selector, "application/json; protocol=jsonrpc")?,
            "jsonrpc"
        );
        assert_eq!(
            reader(&selector, "application/json; protocol=json")?,
            "json"
        );
        assert_eq!(
            reader(&selector, "application/json")?,
            "json",
            "configured first"
        );
        assert_eq!(selector.pick(None)?.in_protocol().name(), "jsonrpc");
        let refused = reader(&selector, "application/json; protocol=soap11");
        let fault = refused
            .err()
            .ok_or("a tag no server reads must be refused")?;
        assert_eq!(fault.code(), code::UNSUPPORTED_MEDIA_TYPE);
        assert!(
            fault.message().contains("in protocol `jsonrpc`"),
            "{}",
            fault.message()
        );
        Ok(())
    }
}
