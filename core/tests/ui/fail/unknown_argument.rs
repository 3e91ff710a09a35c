use switchboard::rpc;

#[rpc(service = "demo", timeout = 5)]
fn echo(s: String) -> String {
    s
}

fn main() {}
