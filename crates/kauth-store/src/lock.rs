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
}

impl Drop for Locks {
    fn drop(&mut self) {
        for path in self.held.drain(..).rev() {
            let _ = std::fs::remove_file(path);
        }
    }
}

pub fn lock_name(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Locks `files` in sorted order (as client-go does, to avoid deadlocks).
pub fn lock_all(files: &[String], timeout: Duration) -> Result<Locks, LockError> {
    let mut sorted: Vec<&String> = files.iter().filter(|f| !f.is_empty()).collect();
    sorted.sort();
    sorted.dedup();
    let mut locks = Locks { held: Vec::new() };
    for file in sorted {
        let path = lock_name(Path::new(file));
        acquire(&path, timeout)?;
        locks.held.push(path);
    }
    Ok(locks)
}

fn acquire(path: &Path, timeout: Duration) -> Result<(), LockError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        std::fs::create_dir_all(dir).map_err(|source| LockError::Io {
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
}
