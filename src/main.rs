//! The `kauth` command: argument parsing, output and prompts over the
//! library crates (see ARCHITECTURE.md).
//!
//! `main` is the C entry point itself (`no_main`): std's runtime set-up
//! before a Rust `main` reads `/proc/self/maps` to place a stack guard and
//! installs signal handlers, work that a command answering in a
//! millisecond pays on every run. Arguments, standard streams and panics
//! work without it; stdout is flushed by `process::exit`, and a panic
//! still exits with status 101 after printing its message.
#![cfg_attr(not(test), no_main)]

mod cli;

#[cfg(not(test))]
#[unsafe(no_mangle)]
extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    let code = std::panic::catch_unwind(cli::main).unwrap_or(101);
    std::process::exit(code)
}

// The test harness brings its own entry point; the command's is still
// compiled (and linted) there.
#[cfg(test)]
const _: fn() -> i32 = cli::main;
