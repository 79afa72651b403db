//! Link the Linux binary at a fixed address. A position-independent
//! executable carries ~7,000 relocations that the loader applies at every
//! start, touching some 70 pages; for a command that answers in a
//! millisecond that is a large share of its run.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
