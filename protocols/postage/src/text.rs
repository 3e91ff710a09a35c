//! The checks run on the request bytes before any value is built from
//! them, from core's [`json_text`](switchboard::protocol::json_text), as
//! the JSON protocols run them.

pub(crate) use switchboard::protocol::json_text::{check_depth, first_significant, range_in, utf8};
