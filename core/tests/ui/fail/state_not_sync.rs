use std::cell::RefCell;

use switchboard::{State, rpc};

/// Like a bare database connection: usable from one thread at a time.
struct Connection {
    cache: RefCell<Vec<String>>,
}

#[rpc(service = "library")]
async fn count(db: State<Connection>) -> usize {
    db.cache.borrow().len()
}

fn main() {}
