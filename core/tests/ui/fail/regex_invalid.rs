use switchboard::rpc;

#[rpc(service = "demo")]
fn echo(#[schemars(regex(pattern = "^[a-z+$"))] s: String) -> String {
    s
}

fn main() {}
