use switchboard::{Fault, rpc};

struct Book {
    title: String,
}

#[rpc(service = "library")]
fn get_book(id: u32) -> Result<Book, Fault> {
    let _ = id;
    Ok(Book {
        title: String::new(),
    })
}

fn main() {}
