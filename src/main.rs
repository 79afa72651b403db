fn main() {
    std::process::exit(kauth::cli::main());
}
