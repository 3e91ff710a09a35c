use switchboard::{Fault, rpc};

#[rpc(service = "maps", throws = ["NotFound"])]
fn get_map(slug: String) -> Result<String, Fault> {
    Ok(slug)
}

fn main() {}
