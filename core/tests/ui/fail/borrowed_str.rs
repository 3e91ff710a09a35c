use switchboard::rpc;

#[rpc(service = "demo")]
fn echo(s: &str) -> String {
    s.to_owned()
}

fn main() {}
