use switchboard::{MethodContext, rpc};

#[rpc(service = "demo")]
fn who(ctx: &MethodContext, again: &MethodContext) -> String {
    let _ = (ctx, again);
    String::new()
}

fn main() {}
