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

/// See `main`.
#[cfg(not(test))]
const STACK_SIZE: usize = 256 << 20;

#[cfg(not(test))]
#[unsafe(no_mangle)]
extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    // The command runs on a thread of its own with a stack large enough for
    // the deepest document the YAML reader accepts (10,000 levels, as
    // go-yaml): converting, writing and dropping such a tree recurses once
    // per level, and the main thread's 8 MiB would overflow. The stack is
    // only reserved; pages are touched as they are used.
    // glibc gives a second thread an arena of its own, grown one
    // `mprotect` at a time (63,000 calls for a 50 MB kubeconfig, doubling
    // its run); one arena keeps the main heap's few large `brk` steps.
    // (mimalloc, measured in its place, read a 20-file KUBECONFIG a fifth
    // faster on two threads but started every command 1-2 ms later, its
    // first pages faulted in; the small file is the common case.)
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; no thread runs yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
    let code = std::thread::Builder::new()
        .name("kauth".to_string())
        .stack_size(STACK_SIZE)
        .spawn(cli::main)
        .map_or_else(
            |_| std::panic::catch_unwind(cli::main).unwrap_or(101),
            |t| t.join().unwrap_or(101),
        );
    std::process::exit(code)
}

// The test harness brings its own entry point; the command's is still
// compiled (and linted) there.
#[cfg(test)]
const _: fn() -> i32 = cli::main;
