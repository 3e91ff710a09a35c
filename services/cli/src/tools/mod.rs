//! The shipped services' own commands, added to the host: `gridmap
//! import|export` and `stats get|measure|delete|worker`, and `serve`'s
//! embedded stats worker. Their failures are [`ToolFailure`](error::ToolFailure)s, which say
//! their exit status.

pub(crate) mod error;
pub(crate) mod gridmap;
pub(crate) mod stats;
