//! [`Limits`]: the bounds every protocol and transport enforces on input.
//!
//! | limit | default | enforced by | fault |
//! |---|---|---|---|
//! | `max_body_bytes` | 1 MiB | the driver (and transports, before reading) | `Client.LimitExceeded` (HTTP 413) |
//! | `max_batch_len` | 100 calls | batch-capable protocols (JSON-RPC) | `Client.LimitExceeded` |
//! | `max_depth` | 64 levels | protocols, before building any value | `Client.LimitExceeded` |

/// Input limits of an [`Application`](crate::Application). All are finite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Most calls in one batch request.
    pub max_batch_len: usize,
    /// Deepest nesting of arrays/objects (or XML elements) in a request.
    pub max_depth: usize,
}

impl Limits {
    /// Default body limit: 1 MiB.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
    /// Default batch limit: 100 calls.
    pub const DEFAULT_MAX_BATCH_LEN: usize = 100;
    /// Default nesting limit: 64 levels.
    pub const DEFAULT_MAX_DEPTH: usize = 64;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
            max_batch_len: Self::DEFAULT_MAX_BATCH_LEN,
            max_depth: Self::DEFAULT_MAX_DEPTH,
        }
    }
}
