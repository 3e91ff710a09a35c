use switchboard::rpc;

#[rpc(service = "demo")]
fn echo<T: serde::Serialize>(value: T) -> T {
    value
}

fn main() {}
