//! client-go's kubeconfig lock: a `<file>.lock` sentinel created with
//! `O_EXCL` and removed afterwards (`lockFile` in
//! `staging/src/k8s.io/client-go/tools/clientcmd/loader.go`). kubectl gives
//! up at once when the sentinel exists; kauth waits for it, up to a timeout,
//! and then names the lock file.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "kubeconfig lock `{}` is still held after {}s; if no kubectl or kauth is running, remove it: rm '{}'",
        .path.display(), .waited.as_secs(), .path.display()
    )]
    Timeout { path: PathBuf, waited: Duration },
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

fn acquire(path: &Path, timeout: Duration, made: &mut Vec<PathBuf>) -> Result<(), LockError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        let missing: Vec<PathBuf> = dir
            .ancestors()
            .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
            .map(Path::to_path_buf)
            .collect();
        let made_here = std::fs::create_dir_all(dir);
        made.extend(missing.into_iter().rev());
        made_here.map_err(|source| LockError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    }
    let start = Instant::now();
    let mut pause = Duration::from_millis(2);
    loop {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o000);
        }
        match options.open(path) {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if start.elapsed() >= timeout {
                    return Err(LockError::Timeout {
                        path: path.to_path_buf(),
                        waited: timeout,
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
