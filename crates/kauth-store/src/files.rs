//! Writing keys, certificates and other outputs: private files are 0600
//! from the first byte, nothing is overwritten without `force`, and a
//! command writing several files writes all of them or none: each is
//! complete in a temporary file beside its target before any target is
//! touched, and a failure while putting them in place puts back every
//! file already replaced.

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
    #[error("`{}` is a directory, not a file; choose another output path", .0.display())]
    Directory(PathBuf),
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

/// Writes every output, after checking all of them, or none of them. A
/// new file appears with its final mode (a key is never readable by
/// others, not even for a moment); with `force` an existing file is
/// replaced atomically, and is still there, unchanged, if the command
/// fails.
pub fn write_all(outputs: &[Output], force: bool) -> Result<(), FileError> {
    let paths: Vec<&Path> = outputs.iter().map(|o| o.path).collect();
    check_writable(&paths, force)?;
    for path in &paths {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
            return Err(FileError::Directory(path.to_path_buf()));
        }
    }
    let mut staged = Vec::new();
    for out in outputs {
        staged.push(stage(out).map_err(|source| FileError::Write {
            path: out.path.to_path_buf(),
            source,
        })?);
    }
    // Each placed output, with the copy of the file it replaced.
    let mut placed: Vec<(&Path, Option<PathBuf>)> = Vec::new();
    for (i, (out, tmp)) in outputs.iter().zip(staged).enumerate() {
        #[cfg(test)]
        let tmp = match tests::injected_failure(i) {
            Some(e) => {
                drop(tmp);
                Err(FileError::Write {
                    path: out.path.to_path_buf(),
                    source: e,
                })
            }
            None => Ok(tmp),
        }
        .and_then(|tmp| place(out, tmp, force));
        #[cfg(not(test))]
        let tmp = {
            let _ = i;
            place(out, tmp, force)
        };
        match tmp {
            Ok(backup) => placed.push((out.path, backup)),
            Err(e) => {
                for (path, backup) in placed.into_iter().rev() {
                    match backup {
                        Some(old) => {
                            let _ = std::fs::rename(old, path);
                        }
                        None => {
                            let _ = std::fs::remove_file(path);
                        }
                    }
                }
                return Err(e);
            }
        }
    }
    for (_, backup) in placed {
        if let Some(old) = backup {
            let _ = std::fs::remove_file(old);
        }
    }
    Ok(())
}

/// The output, complete and synced, in a temporary file beside its target
/// with the output's exact mode.
fn stage(out: &Output) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = match out.path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.exists() {
        std::fs::create_dir_all(dir)?;
    }
    atomic::staged(dir, out.contents, out.access.mode())
}

/// Moves a staged output into place. A new file is never put over one
/// that appeared meanwhile; a replaced file is first kept as a hard link
/// (or a copy), whose path is returned so a later failure can restore it.
fn place(
    out: &Output,
    tmp: tempfile::NamedTempFile,
    force: bool,
) -> Result<Option<PathBuf>, FileError> {
    let err = |source| FileError::Write {
        path: out.path.to_path_buf(),
        source,
    };
    if !(force && std::fs::symlink_metadata(out.path).is_ok()) {
        return match tmp.persist_noclobber(out.path) {
            Ok(_) => Ok(None),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(FileError::Exists(out.path.to_path_buf()))
            }
            Err(e) => Err(err(e.error)),
        };
    }
    let backup = tmp.path().with_extension("old");
    if std::fs::hard_link(out.path, &backup).is_err() {
        std::fs::copy(out.path, &backup).map_err(err)?;
    }
    match tmp.persist(out.path) {
        Ok(_) => Ok(Some(backup)),
        Err(e) => {
            let _ = std::fs::remove_file(&backup);
            Err(err(e.error))
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// The output whose placing fails, for the rollback tests.
        static FAIL_AT: Cell<Option<usize>> = const { Cell::new(None) };
    }

    pub(super) fn injected_failure(i: usize) -> Option<std::io::Error> {
        (FAIL_AT.get() == Some(i)).then(|| std::io::Error::other("injected failure"))
    }

    /// Placing the third of three outputs fails after two are in place:
    /// the two replaced files are back, byte for byte, the new file that
    /// had no predecessor is gone, and no temporary or backup file is left.
    #[test]
    fn a_failure_while_placing_puts_every_replaced_file_back() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a.key"),
            dir.path().join("a.crt"),
            dir.path().join("new.pem"),
        );
        std::fs::write(&a, b"old key").unwrap();
        std::fs::write(&b, b"old cert").unwrap();
        let outputs = [
            Output {
                path: &a,
                contents: b"new key",
                access: Access::Private,
            },
            Output {
                path: &c,
                contents: b"new file",
                access: Access::Public,
            },
            Output {
                path: &b,
                contents: b"new cert",
                access: Access::Public,
            },
        ];
        for fail in 0..outputs.len() {
            FAIL_AT.set(Some(fail));
            let err = write_all(&outputs, true).unwrap_err();
            assert!(err.to_string().contains("injected failure"), "{err}");
            assert_eq!(std::fs::read(&a).unwrap(), b"old key", "failing at {fail}");
            assert_eq!(std::fs::read(&b).unwrap(), b"old cert", "failing at {fail}");
            assert!(!c.exists(), "failing at {fail}");
            let mut names: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            assert_eq!(names, ["a.crt", "a.key"], "failing at {fail}");
        }
        FAIL_AT.set(None);
        write_all(&outputs, true).unwrap();
        assert_eq!(std::fs::read(&b).unwrap(), b"new cert");
        assert_eq!(std::fs::read(&c).unwrap(), b"new file");
    }
}

#[cfg(all(test, unix))]
mod unix_tests {
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
