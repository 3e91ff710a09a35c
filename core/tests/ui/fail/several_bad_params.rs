use switchboard::rpc;

#[rpc(service = "demo")]
fn echo(s: &str, #[schemars(regex(pattern = "(unclosed"))] t: String, (a, b): (u8, u8)) -> String {
    format!("{s}{t}{a}{b}")
}

fn main() {}
