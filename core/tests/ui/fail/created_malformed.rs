use switchboard::rpc;

#[rpc(service = "library", http = "POST /books/", created = "/books/{id/")]
fn add_book(id: u32) -> u32 {
    id
}

fn main() {}
