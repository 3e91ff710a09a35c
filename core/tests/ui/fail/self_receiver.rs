use switchboard::rpc;

struct Maps;

impl Maps {
    #[rpc(service = "maps")]
    fn count(&self) -> u32 {
        0
    }
}

fn main() {}
