//! Picks the [`Server`] (protocol pair) for a message by its
//! `content_type`.

use switchboard::protocol::same_media_type;
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

    /// The server for `content_type`: a configured one, else the default if
    /// there is no content type or it is the default's.
    pub(crate) fn pick(&self, content_type: Option<&str>) -> Result<&Server, Fault> {
        let Some(content_type) = content_type.filter(|ct| !ct.is_empty()) else {
            return Ok(&self.default);
        };
        if let Some((_, server)) = self
            .by_type
            .iter()
            .find(|(media_type, _)| same_media_type(media_type, content_type))
        {
            return Ok(server);
        }
        if same_media_type(self.default.in_protocol().content_type(), content_type) {
            return Ok(&self.default);
        }
        Err(Fault::new(
            code::UNSUPPORTED_MEDIA_TYPE,
            format!("this queue does not read `{content_type}`"),
        ))
    }
}
