//! The `switchboard` command: serve the shipped services over HTTP, call
//! any method, and the gridmap tools. `main` only wires; see `cli`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
