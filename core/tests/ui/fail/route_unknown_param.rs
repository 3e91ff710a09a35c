use switchboard::rpc;

#[rpc(service = "maps", http = "GET /api/maps/{slug}/")]
fn get_map(name: String) -> String {
    name
}

fn main() {}
