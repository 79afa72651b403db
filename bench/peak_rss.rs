//! `peak_rss CMD [ARGS...]`: runs a command and prints its peak resident
//! set size in KiB on stderr's last line, so a benchmark script can measure
//! memory without counting its own interpreter (a child's `ru_maxrss`
//! includes the image it was forked from; this helper is small).
//! Built by bench/config_bench.py with plain `rustc`.

use std::process::{Command, Stdio};

#[repr(C)]
struct Rusage {
    utime: [i64; 2],
    stime: [i64; 2],
    maxrss: i64,
    rest: [i64; 13],
}

unsafe extern "C" {
    fn wait4(pid: i32, status: *mut i32, options: i32, rusage: *mut Rusage) -> i32;
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let child = Command::new(&args[0])
        .args(&args[1..])
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut status = 0;
    let mut usage = Rusage { utime: [0; 2], stime: [0; 2], maxrss: 0, rest: [0; 13] };
    // SAFETY: wait4 writes a struct rusage, which Rusage lays out.
    let pid = unsafe { wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    let kib = if cfg!(target_os = "macos") { usage.maxrss / 1024 } else { usage.maxrss };
    eprintln!("{kib}");
    std::process::exit(if status == 0 { 0 } else { 1 });
}
