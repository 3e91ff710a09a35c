//! The names and values of Postage's message dictionary, as Postage's
//! `messaging.py` writes them:
//!
//! ```json
//! {"type": "command", "name": "echo", "category": "rpc", "version": "2",
//!  "fingerprint": {"name": "echo_send", "type": "application", "pid": "4242",
//!                  "host": "box", "user": "ana", "vhost": "/"},
//!  "content": {"parameters": {"s": "hi"}}, "_reserved": {}}
//! ```
//!
//! A `result` answers an `rpc` command; its `content` is
//! `{"type": RESULT_TYPE, "value": ..., "message": "..."}`.

/// The message format's version, as Postage numbers it (a string).
pub const VERSION: &str = "2";

/// `type` of a message that asks a component to do something.
pub const COMMAND: &str = "command";
/// `type` of a message that answers an `rpc` command.
pub const RESULT: &str = "result";
/// `type` of a message that tells a component's status (its `name` is the
/// status: `online`, `offline`...).
pub const STATUS: &str = "status";

/// `category` of a fire-and-forget message: nothing is answered.
pub const CATEGORY_MESSAGE: &str = "message";
/// `category` of a message whose sender waits for a `result` on its
/// AMQP `reply_to` queue.
pub const CATEGORY_RPC: &str = "rpc";

/// The `name` Postage gives a message it does not name (every `result`).
pub const UNNAMED: &str = "none";

/// `content.type` of a successful call (Postage's `MessageResult`):
/// `value` is the result, `message` is empty.
pub const SUCCESS: &str = "success";
/// `content.type` of a foreseen, documented failure (Postage's
/// `MessageResultError`): `value` is `null`, `message` says why. A fault
/// the method declares (`#[rpc(throws = [...])]`) is answered so.
pub const ERROR: &str = "error";
/// `content.type` of an unforeseen failure (Postage's
/// `MessageResultException`): `value` is the exception's name (here the
/// fault code), `message` says why.
pub const EXCEPTION: &str = "exception";

/// The fault code a Postage `TimeoutError` exception is read as
/// (`{"type": "exception", "value": "TimeoutError", "message": ""}`, what a
/// Postage producer returns once its retries ran out), and what a caller
/// with Postage's producer rules reports when its own retries run out.
pub const TIMEOUT_ERROR: &str = "Server.TimeoutError";
