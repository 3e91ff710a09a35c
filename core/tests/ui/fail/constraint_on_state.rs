use switchboard::{State, rpc};

struct Limit(u32);

#[rpc(service = "demo")]
fn limit(#[schemars(range(min = 1))] limit: State<Limit>) -> u32 {
    limit.0
}

fn main() {}
