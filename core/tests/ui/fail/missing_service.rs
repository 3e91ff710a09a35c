use switchboard::rpc;

#[rpc(name = "echo")]
fn echo(s: String) -> String {
    s
}

fn main() {}
