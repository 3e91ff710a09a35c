use switchboard::Validate;

#[derive(Validate)]
struct Meters(#[schemars(range(min = 0))] f64);

fn main() {}
