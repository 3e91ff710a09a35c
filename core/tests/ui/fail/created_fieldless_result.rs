use switchboard::rpc;

#[rpc(service = "library", http = "POST /shelves/{shelf}/books/", created = "/shelves/{shelf}/books/{book_id}/")]
fn add_book(shelf: String, title: String) {
    let _ = (shelf, title);
}

fn main() {}
