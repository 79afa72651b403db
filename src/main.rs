//! The `kauth` command: argument parsing, output and prompts over the
//! library crates (see ARCHITECTURE.md).

mod cli;

fn main() {
    std::process::exit(cli::main());
}
