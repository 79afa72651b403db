//! Writing keys, certificates and other outputs: private files are 0600
//! from the first byte, nothing is overwritten without `force`, and a
//! command writing several files checks them all before writing any.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::atomic;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("`{}` already exists; pass --force to overwrite it", .0.display())]
    Exists(PathBuf),
    #[error("cannot write `{}`: {source}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read `{}`: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Who may read a file kauth writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Keys, kubeconfigs, PKCS#12 bundles: 0600.
    Private,
    /// Certificates and CSRs: 0644.
    Public,
}

impl Access {
    fn mode(self) -> u32 {
        match self {
            Access::Private => 0o600,
            Access::Public => 0o644,
        }
    }
}

/// One file to write.
pub struct Output<'a> {
    pub path: &'a Path,
    pub contents: &'a [u8],
    pub access: Access,
}

/// Refuses before anything is written when any target exists.
pub fn check_writable(paths: &[&Path], force: bool) -> Result<(), FileError> {
    if force {
        return Ok(());
    }
    for path in paths {
        if std::fs::symlink_metadata(path).is_ok() {
            return Err(FileError::Exists(path.to_path_buf()));
        }
    }
    Ok(())
}

/// Writes every output, after checking all of them. A new file is
/// created with `O_EXCL` and its final mode, so a key is never readable by
/// others, not even for a moment; with `force` an existing file is
/// replaced atomically.
pub fn write_all(outputs: &[Output], force: bool) -> Result<(), FileError> {
    let paths: Vec<&Path> = outputs.iter().map(|o| o.path).collect();
    check_writable(&paths, force)?;
    let mut written: Vec<&Path> = Vec::new();
    for out in outputs {
        if let Err(e) = write_one(out, force) {
            // Leave nothing behind from this command.
            for path in written {
                let _ = std::fs::remove_file(path);
            }
            return Err(e);
        }
        written.push(out.path);
    }
    Ok(())
}

fn write_one(out: &Output, force: bool) -> Result<(), FileError> {
    let err = |source| FileError::Write {
        path: out.path.to_path_buf(),
        source,
    };
    if let Some(dir) = out.path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    if force && std::fs::symlink_metadata(out.path).is_ok() {
        return replace_exact(out).map_err(err);
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(out.access.mode());
    }
    let mut file = match options.open(out.path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(FileError::Exists(out.path.to_path_buf()));
        }
        Err(e) => return Err(err(e)),
    };
    let result = file.write_all(out.contents).and_then(|_| file.sync_all());
    if let Err(e) = result {
        drop(file);
        let _ = std::fs::remove_file(out.path);
        return Err(err(e));
    }
    // The umask may have narrowed the mode; set it exactly.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(out.path, std::fs::Permissions::from_mode(out.access.mode()))
            .map_err(err)?;
    }
    Ok(())
}

/// Replaces an existing file atomically with a temp file created with the
/// output's own mode (a new key must not inherit a loose mode).
fn replace_exact(out: &Output) -> std::io::Result<()> {
    let dir = match out.path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".kauth-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(out.access.mode()));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(out.contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(out.path).map_err(|e| e.error)?;
    Ok(())
}

/// Replaces a file atomically, keeping its mode (new files get `access`).
pub fn replace(path: &Path, contents: &[u8], access: Access) -> Result<(), FileError> {
    atomic::write(path, contents, access.mode()).map_err(|source| FileError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &str) -> Result<Vec<u8>, FileError> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map_err(|source| {
            FileError::Read {
                path: PathBuf::from("(stdin)"),
                source,
            }
        })?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|source| FileError::Read {
        path: PathBuf::from(path),
        source,
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn private_files_are_0600_and_never_overwritten_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k.key");
        let crt = dir.path().join("k.crt");
        let outputs = [
            Output {
                path: &key,
                contents: b"secret",
                access: Access::Private,
            },
            Output {
                path: &crt,
                contents: b"public",
                access: Access::Public,
            },
        ];
        write_all(&outputs, false).unwrap();
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(&crt).unwrap().permissions().mode() & 0o777,
            0o644
        );
        // The second file exists: nothing is written, not even the first.
        std::fs::remove_file(&key).unwrap();
        let err = write_all(&outputs, false).unwrap_err();
        assert!(matches!(err, FileError::Exists(p) if p == crt));
        assert!(!key.exists());
        write_all(&outputs, true).unwrap();
        assert_eq!(std::fs::read(&key).unwrap(), b"secret");
    }
}
