use switchboard::rpc;

struct NotWire;

#[rpc(service = "demo")]
fn take(value: NotWire) -> u32 {
    let _ = value;
    0
}

fn main() {}
