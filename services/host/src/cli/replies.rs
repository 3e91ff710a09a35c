//! `--replies-to` of `serve` and `consume`: the places this process
//! delivers replies to when a caller asks for its reply back as a call
//! (`switchboard::Then`, `Client::call_then`).

use std::sync::Arc;

use clap::Args;
use switchboard::catalog::{self, Address, ConnectSettings};
use switchboard::signing::Signer;
use switchboard::{Fingerprint, ThenReplies};

use super::Context;
use crate::catalog::services::SetupFn;

/// `--replies-to`.
#[derive(Debug, Clone, Args)]
pub(crate) struct RepliesArgs {
    /// Deliver the replies callers ask back as calls to these places:
    /// addresses of linked transports with this service's own credentials
    /// (amqp://user:pass@broker:5672/vhost, sqlite:/path/replies.db),
    /// comma-separated or repeated. A caller's reply address matches one
    /// when the scheme and the host, port and path (or the file) are the
    /// same; the caller adds its queue. Without it such calls are refused
    /// with Client.Unauthorized.
    #[arg(
        long = "replies-to",
        value_name = "ADDRESS",
        env = "SWITCHBOARD_REPLIES_TO",
        value_delimiter = ',',
        hide_env_values = true
    )]
    replies_to: Vec<Address>,
}

impl RepliesArgs {
    /// The setup giving the application its deliveries, when any place
    /// is allowed.
    /// Deliveries are signed with `signer` when the process has a
    /// secret: a service requiring signed calls shares it with its callers.
    pub(crate) fn setup(&self, context: &Context, signer: Option<Signer>) -> Option<SetupFn> {
        if self.replies_to.is_empty() {
            return None;
        }
        // Each reply is encoded in the protocol its caller names; the
        // settings' own protocol is only a default.
        let protocol = catalog::protocol(switchboard::then::DEFAULT_PROTOCOL)
            .or_else(|| catalog::protocols().into_iter().next())?;
        let host = &context.info;
        let fingerprint: Fingerprint = Fingerprint::clone(&context.fingerprint);
        let mut connect = ConnectSettings::new(protocol)
            .with_host_name(host.name())
            .with_client_name(format!("{} replies", host.name()))
            .with_fingerprint(fingerprint);
        connect.settings =
            crate::hosting::typed_settings(host, &switchboard_http::HttpConfig::default());
        let allowed = self.replies_to.clone();
        Some(Arc::new(move |builder, _db| {
            let mut replies = allowed
                .iter()
                .cloned()
                .fold(ThenReplies::new(connect.clone()), ThenReplies::allow);
            if let Some(signer) = &signer {
                replies = replies.with_signer(signer.clone());
            }
            Ok(builder.then_replies(replies))
        }))
    }
}
