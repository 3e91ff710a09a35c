use switchboard::rpc;

#[rpc(service = "library", created = "/books/{id}")]
fn add_book(id: u32) -> u32 {
    id
}

fn main() {}
