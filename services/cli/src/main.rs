//! The `switchboard` command: serve the shipped services over HTTP, call
//! any method, run them as SQLite queue consumers, and the gridmap and
//! queue tools. `main` only wires; see `cli`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
