//! The checks every JSON protocol runs on request bytes before building
//! any value from them, from core's [`json_text`](switchboard::protocol::json_text).

pub(crate) use switchboard::protocol::json_text::{check_depth, first_significant, range_in, utf8};
