use switchboard::rpc;

#[rpc(service = "maps", http = "FETCH /api/maps/{slug}/")]
fn get_map(slug: String) -> String {
    slug
}

fn main() {}
