use switchboard::rpc;

#[rpc(service = "demo", one_way)]
fn notify(message: String) -> usize {
    message.len()
}

fn main() {}
