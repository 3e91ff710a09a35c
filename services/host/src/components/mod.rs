//! Components: every hosted process knows who it is (its
//! [`Fingerprint`](switchboard::Fingerprint)), says it is alive on a
//! bus's status topic, and obeys `drain`, `quit` and `restart` from its
//! control topic.
//!
//! - [`wire`]: the status and control messages (JSON, Postage's message
//!   dictionary), for programs outside switchboard.
//! - [`runtime`]: a serving process's side: [`Component`] announces and
//!   takes commands.
//! - [`watch`]: following the status topic: [`StatusFeed`], [`Components`].
//! - [`control`]: sending a command and gathering the answers ([`send`]).
//! - [`secret`]: signing commands with a shared secret.
//! - [`counts`]: the calls in flight and done that heartbeats report.

pub mod control;
pub mod counts;
pub mod runtime;
pub mod secret;
pub mod watch;
pub mod wire;

pub use control::{ControlReport, ControlRequest, send};
pub use counts::CallCounts;
pub use runtime::{Command, Component, ComponentSettings, Order, Served};
pub use secret::ControlSecret;
pub use watch::{Components, Seen, State, StatusFeed};
