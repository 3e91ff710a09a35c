//! [`Protocols`]: the protocol a server reads requests with and the one it
//! answers in, usually the same.

use std::fmt;
use std::sync::Arc;

use crate::protocol::{InProtocol, OutProtocol};

/// What a [`Server`](super::Server) (or an HTTP endpoint) speaks: an input
/// protocol and an output protocol.
///
/// Built from one protocol that does both (`JsonRpc.into()`), or from two
/// picked at run time (`(in_protocol, out_protocol).into()`), so a service
/// can read one format and answer in another.
#[derive(Clone)]
pub struct Protocols {
    /// Reads requests.
    pub input: Arc<dyn InProtocol>,
    /// Writes replies.
    pub output: Arc<dyn OutProtocol>,
}

impl Protocols {
    /// `input` to read and `output` to answer.
    pub fn new(input: Arc<dyn InProtocol>, output: Arc<dyn OutProtocol>) -> Self {
        Self { input, output }
    }
}

impl<P: InProtocol + OutProtocol> From<P> for Protocols {
    fn from(protocol: P) -> Self {
        let protocol = Arc::new(protocol);
        Self {
            input: Arc::clone(&protocol) as Arc<dyn InProtocol>,
            output: protocol,
        }
    }
}

impl From<(Arc<dyn InProtocol>, Arc<dyn OutProtocol>)> for Protocols {
    fn from((input, output): (Arc<dyn InProtocol>, Arc<dyn OutProtocol>)) -> Self {
        Self { input, output }
    }
}

impl fmt::Debug for Protocols {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Protocols")
            .field("input", &self.input.name())
            .field("output", &self.output.name())
            .finish()
    }
}
