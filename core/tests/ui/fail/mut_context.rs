use switchboard::{MethodContext, rpc};

#[rpc(service = "demo")]
fn who(ctx: &mut MethodContext) -> String {
    let _ = ctx;
    String::new()
}

fn main() {}
