use switchboard::rpc;

const SLUG: &str = "^[a-z]+$";

#[rpc(service = "demo")]
fn echo(#[schemars(regex(pattern = SLUG))] s: String) -> String {
    s
}

fn main() {}
