//! client-go's kubeconfig lock: a `<file>.lock` sentinel created with
//! `O_EXCL` and removed afterwards (`lockFile` in
//! `staging/src/k8s.io/client-go/tools/clientcmd/loader.go`). kubectl gives
//! up at once when the sentinel exists; kauth waits for it, up to a timeout,
//! and then names the lock file and who holds it.
//!
//! A lock kauth makes records its holder (`kauth PID HOST`), so one left by
//! a kauth that was killed is recognised (same host, no such process) and
//! removed at once. kubectl's locks are empty: one is taken as stale only
//! when it is older than a minute and no `kubectl` process is running
//! (Linux; elsewhere kauth cannot tell, and waits).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "kubeconfig lock `{}` is still held after {}s by {holder}",
        .path.display(), .waited.as_secs()
    )]
    Timeout {
        path: PathBuf,
        waited: Duration,
        holder: String,
    },
    #[error("cannot create lock `{}`: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Holds the locks of a set of files until dropped.
#[derive(Debug)]
pub struct Locks {
    held: Vec<PathBuf>,
    /// Directories made to hold a lock, outermost first. Those still
    /// empty when the locks go (the write failed or was refused) are
    /// removed, so a refused command leaves no `~/.kube` behind.
    made: Vec<PathBuf>,
}

impl Drop for Locks {
    fn drop(&mut self) {
        for path in self.held.drain(..).rev() {
            let _ = std::fs::remove_file(path);
        }
        for dir in self.made.drain(..).rev() {
            // Fails, as it should, when the write put a file there.
            let _ = std::fs::remove_dir(dir);
        }
    }
}

pub fn lock_name(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Locks `files` in sorted order (as client-go does, to avoid deadlocks).
/// Each file is locked under the name it was given (the `<file>.lock`
/// kubectl takes) and under its resolved path, so writers that reach one
/// file through different symbolic links exclude each other.
pub fn lock_all(files: &[String], timeout: Duration) -> Result<Locks, LockError> {
    let mut sorted: Vec<String> = files
        .iter()
        .filter(|f| !f.is_empty())
        .flat_map(|f| [in_real_dir(Path::new(f)), resolved(Path::new(f))])
        .collect();
    sorted.sort();
    sorted.dedup();
    let mut locks = Locks {
        held: Vec::new(),
        made: Vec::new(),
    };
    for file in &sorted {
        let path = lock_name(Path::new(file));
        acquire(&path, timeout, &mut locks.made)?;
        locks.held.push(path);
    }
    Ok(locks)
}

/// The file's path with every symbolic link resolved (its directory's,
/// when the file does not exist yet).
fn resolved(file: &Path) -> String {
    match std::fs::canonicalize(file) {
        Ok(real) => real.to_string_lossy().into_owned(),
        Err(_) => in_real_dir(file),
    }
}

/// The file's name in its directory with the directory's links resolved:
/// the same lock file as `<file>.lock` for the name as given, spelled so
/// that two spellings of it compare equal.
fn in_real_dir(file: &Path) -> String {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(dir), file.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name).to_string_lossy().into_owned(),
        _ => file.to_string_lossy().into_owned(),
    }
}

/// Creates the lock with kauth's record in it, in one step where the file
/// system allows: the record is written to a file of its own, then linked
/// as the lock (which fails if the lock exists), so no kill leaves a lock
/// without its record. Without hard links, `O_EXCL` and one write.
fn create(path: &Path) -> std::io::Result<()> {
    use std::io::Write as _;
    let record = format!("kauth {} {}\n", std::process::id(), hostname());
    // Named as kauth's temporary files are, so a killed writer's record is
    // removed with its other leftovers (`atomic::remove_leftovers`).
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let staged = dir.join(format!("{}lock.tmp", crate::atomic::temp_prefix()));
    let linked = std::fs::write(&staged, &record).and_then(|()| std::fs::hard_link(&staged, path));
    let _ = std::fs::remove_file(&staged);
    match linked {
        Err(e)
            if e.kind() != std::io::ErrorKind::AlreadyExists
                && e.kind() != std::io::ErrorKind::NotFound =>
        {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(path)?;
            // Best effort: an empty lock still locks.
            let _ = file.write_all(record.as_bytes());
            Ok(())
        }
        other => other,
    }
}

fn acquire(path: &Path, timeout: Duration, made: &mut Vec<PathBuf>) -> Result<(), LockError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        let missing: Vec<PathBuf> = dir
            .ancestors()
            .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
            .map(Path::to_path_buf)
            .collect();
        let made_here = crate::atomic::create_dir_all(dir);
        made.extend(missing.into_iter().rev());
        made_here.map_err(|source| LockError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    }
    let start = Instant::now();
    let mut pause = Duration::from_millis(2);
    loop {
        match create(path) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let holder = Holder::of(path);
                if holder.is_stale() {
                    // Only if it is still the lock judged stale.
                    if Holder::of(path) == holder && std::fs::remove_file(path).is_ok() {
                        eprintln!(
                            "warning: removed the stale kubeconfig lock `{}` ({})",
                            path.display(),
                            holder.describe(path)
                        );
                    }
                    continue;
                }
                if start.elapsed() >= timeout {
                    return Err(LockError::Timeout {
                        path: path.to_path_buf(),
                        waited: timeout,
                        holder: holder.describe(path),
                    });
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(source) => {
                return Err(LockError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
    }
}

/// Who holds a lock, as far as kauth can tell.
#[derive(Debug, Clone, PartialEq)]
enum Holder {
    /// A kauth process, by its record.
    Kauth { pid: u32, host: String },
    /// An empty lock (kubectl's) or one kauth cannot read; its age.
    Other { age: Option<Duration> },
    /// Gone between the attempt and the look.
    Nobody,
}

impl Holder {
    fn of(path: &Path) -> Holder {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Holder::Nobody,
            Err(_) => String::new(),
        };
        let mut words = text.split_whitespace();
        if let (Some("kauth"), Some(pid), Some(host)) = (words.next(), words.next(), words.next())
            && let Ok(pid) = pid.parse()
        {
            return Holder::Kauth {
                pid,
                host: host.to_string(),
            };
        }
        let age = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok());
        Holder::Other { age }
    }

    fn is_stale(&self) -> bool {
        match self {
            Holder::Kauth { pid, host } => *host == hostname() && !process_exists(*pid),
            Holder::Other { age } => {
                age.is_some_and(|a| a > STALE_AGE) && kubectl_running() == Some(false)
            }
            Holder::Nobody => false,
        }
    }

    fn describe(&self, path: &Path) -> String {
        match self {
            Holder::Kauth { pid, host } if *host == hostname() => {
                if process_exists(*pid) {
                    format!("kauth (pid {pid}, running)")
                } else {
                    format!("kauth (pid {pid}, no longer running)")
                }
            }
            Holder::Kauth { pid, host } => format!("kauth (pid {pid} on {host})"),
            Holder::Other { age } => format!(
                "kubectl or another tool (an empty lock{}); if none is running, remove it: rm '{}'",
                age.map_or(String::new(), |a| format!(", {}s old", a.as_secs())),
                path.display()
            ),
            Holder::Nobody => "nobody (it was just released)".to_string(),
        }
    }
}

/// An empty lock this old, with no kubectl running, is left from a crash.
const STALE_AGE: Duration = Duration::from_secs(60);

fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes a
    // NUL-terminated name into it (truncated if longer).
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    if ok && end > 0 {
        String::from_utf8_lossy(&buf[..end]).replace(char::is_whitespace, "_")
    } else {
        "localhost".to_string()
    }
}

pub(crate) fn process_exists(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Whether a `kubectl` process runs; `None` where kauth cannot tell.
fn kubectl_running() -> Option<bool> {
    let procs = std::fs::read_dir("/proc").ok()?;
    let mut any = false;
    for entry in procs.flatten() {
        if let Ok(comm) = std::fs::read_to_string(entry.path().join("comm")) {
            any = true;
            if comm.trim_end().starts_with("kubectl") {
                return Some(true);
            }
        }
    }
    any.then_some(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_times_out_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config").to_string_lossy().into_owned();
        let held = lock_all(std::slice::from_ref(&file), Duration::from_secs(1)).unwrap();
        let err = lock_all(std::slice::from_ref(&file), Duration::from_millis(50)).unwrap_err();
        assert!(err.to_string().contains("config.lock"), "{err}");
        assert!(err.to_string().contains("running"), "{err}");
        drop(held);
        assert!(lock_all(&[file], Duration::from_millis(50)).is_ok());
    }

    #[test]
    fn directories_made_for_a_lock_go_with_it_unless_a_file_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let file = home.join(".kube/config").to_string_lossy().into_owned();
        drop(lock_all(std::slice::from_ref(&file), Duration::from_secs(1)).unwrap());
        assert!(!home.exists());
        let held = lock_all(std::slice::from_ref(&file), Duration::from_secs(1)).unwrap();
        std::fs::write(&file, "").unwrap();
        drop(held);
        assert!(Path::new(&file).exists());
        assert!(!Path::new(&format!("{file}.lock")).exists());
    }
}

#[cfg(test)]
mod stale_tests {
    use super::*;

    #[test]
    fn a_lock_left_by_a_dead_kauth_is_taken_over_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config").to_string_lossy().into_owned();
        // No process has this pid (above any pid_max): a killed kauth's lock.
        std::fs::write(
            format!("{file}.lock"),
            format!("kauth 999999999 {}\n", hostname()),
        )
        .unwrap();
        let held = lock_all(std::slice::from_ref(&file), Duration::from_millis(200));
        assert!(held.is_ok(), "{:?}", held.err());
    }

    #[test]
    fn a_fresh_empty_lock_is_waited_for_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config").to_string_lossy().into_owned();
        std::fs::write(format!("{file}.lock"), "").unwrap();
        let err = lock_all(std::slice::from_ref(&file), Duration::from_millis(100)).unwrap_err();
        assert!(err.to_string().contains("empty lock"), "{err}");
        assert!(Path::new(&format!("{file}.lock")).exists());
    }
}
