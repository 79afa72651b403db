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

/// mimalloc: kubeconfig decoding allocates a string per scalar and a node
/// per entry, and glibc's allocator spent a quarter of a large file's load
/// in `malloc` and `free` (and, on a second thread, grew its arena one
/// `mprotect` at a time).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_arena_eager_commit`: the fifth entry of `mi_option_e` in
/// the mimalloc.h that libmimalloc-sys builds (v3).
#[cfg(not(test))]
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

/// See `main`.
#[cfg(not(test))]
const STACK_SIZE: usize = 256 << 20;

#[cfg(not(test))]
#[unsafe(no_mangle)]
extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    // mimalloc commits its arenas eagerly by default, and the transparent
    // huge pages that brings cost a small command a millisecond (and 6 MB)
    // at start. Off, pages are committed as used; large files still get
    // huge pages.
    // SAFETY: sets an option before the first allocation; no thread runs.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
    }
    // The command runs on a thread of its own with a stack large enough for
    // the deepest document the YAML reader accepts (10,000 levels, as
    // go-yaml): converting, writing and dropping such a tree recurses once
    // per level, and the main thread's 8 MiB would overflow. The stack is
    // only reserved; pages are touched as they are used.
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
