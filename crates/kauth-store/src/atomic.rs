//! Atomic file replacement: a temp file in the same directory, fsync,
//! rename. The old file's mode, owner and group are kept (root editing a
//! user's kubeconfig leaves it the user's); a new file gets `new_mode`.
//!
//! A file with more than one hard link would lose its other names to a
//! rename, so it is rewritten in place instead, as kubectl writes every
//! file: the new content is first complete and synced in the temp file,
//! then copied over the old one and synced, and the temp file removed.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Follows symlinks so the link itself survives the rename.
fn resolve_target(path: &Path) -> PathBuf {
    let mut target = path.to_path_buf();
    for _ in 0..32 {
        match std::fs::read_link(&target) {
            Ok(link) => {
                target = match target.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                }
            }
            Err(_) => break,
        }
    }
    target
}

/// Writes `contents` to `path` atomically. Missing parent directories are
/// created 0755, as kubectl does.
pub fn write(path: &Path, contents: &[u8], new_mode: u32) -> io::Result<()> {
    let target = resolve_target(path);
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.exists() {
        create_dir_all(&dir)?;
    }
    let mode = existing_mode(&target).unwrap_or(new_mode);
    let tmp = staged(&dir, contents, mode)?;
    keep_owner(&target, tmp.as_file());
    if hard_links(&target) > 1 {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&target)?;
        file.write_all(contents)?;
        file.sync_all()?;
        return Ok(());
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// `contents`, complete and synced, in a temporary file in `dir` with
/// exactly `mode` (whatever the umask), named with [`temp_prefix`].
pub(crate) fn staged(
    dir: &Path,
    contents: &[u8],
    mode: u32,
) -> io::Result<tempfile::NamedTempFile> {
    let mut tmp = tempfile::Builder::new()
        .prefix(&temp_prefix())
        .suffix(".tmp")
        .permissions(permissions(mode))
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    set_mode(tmp.path(), mode)?;
    Ok(tmp)
}

/// `.kauth-PID-`: a temporary file names the process that made it, so one
/// left by a killed kauth (a whole copy of a kubeconfig, tokens and all)
/// can be told from one being written.
pub(crate) fn temp_prefix() -> String {
    format!(".kauth-{}-", std::process::id())
}

/// Removes the temporary files (and lock records) that killed kauth
/// processes left beside `file` and its target (their process no longer
/// exists). Called under the kubeconfig lock, when no other kauth writes
/// that kubeconfig.
pub fn remove_leftovers(file: &Path) {
    let parent = |p: &Path| match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Where the file's lock lives, and where its target does.
    let mut dirs = vec![parent(file), parent(&resolve_target(file))];
    dirs.dedup();
    for entry in dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .flatten()
    {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(".kauth-")) else {
            continue;
        };
        let Some((pid, tail)) = rest.split_once('-') else {
            continue;
        };
        let ours = tail.ends_with(".tmp") || tail.ends_with(".old");
        if let Ok(pid) = pid.parse::<u32>()
            && ours
            && pid != std::process::id()
            && !crate::lock::process_exists(pid)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Makes `dir` and its missing parents 0755 before the umask, as kubectl's
/// `os.MkdirAll(dir, 0755)`.
#[cfg(unix)]
pub(crate) fn create_dir_all(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)
}

#[cfg(not(unix))]
pub(crate) fn create_dir_all(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Gives the new file the old one's owner and group where the process may
/// (root may; anyone may keep their own).
#[cfg(unix)]
fn keep_owner(old: &Path, new: &std::fs::File) {
    use std::os::unix::fs::MetadataExt;
    if let (Ok(was), Ok(is)) = (std::fs::metadata(old), new.metadata())
        && (was.uid(), was.gid()) != (is.uid(), is.gid())
    {
        let _ = std::os::unix::fs::fchown(new, Some(was.uid()), Some(was.gid()));
    }
}

#[cfg(not(unix))]
fn keep_owner(_: &Path, _: &std::fs::File) {}

#[cfg(unix)]
fn hard_links(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).map_or(0, |m| m.nlink())
}

#[cfg(not(unix))]
fn hard_links(_: &Path) -> u64 {
    0
}

#[cfg(unix)]
fn existing_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn existing_mode(_: &Path) -> Option<u32> {
    None
}

#[cfg(unix)]
fn permissions(mode: u32) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(mode)
}

#[cfg(not(unix))]
fn permissions(_: u32) -> std::fs::Permissions {
    std::fs::metadata(".")
        .map(|m| m.permissions())
        .unwrap_or_else(|_| unreachable!())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    std::fs::set_permissions(path, permissions(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn keeps_mode_and_creates_new_files_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b/config");
        write(&p, b"one", 0o600).unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        write(&p, b"two", 0o600).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o644
        );
    }

    #[test]
    fn keeps_owner_group_and_hard_links() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config");
        std::fs::write(&p, b"one").unwrap();
        // As root (CI), hand the file to another user first.
        let other = std::os::unix::fs::chown(&p, Some(4242), Some(4343)).is_ok();
        let before = std::fs::metadata(&p).unwrap();
        write(&p, b"two", 0o600).unwrap();
        let after = std::fs::metadata(&p).unwrap();
        assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
        if other {
            assert_eq!(after.uid(), 4242);
        }
        let twin = dir.path().join("twin");
        std::fs::hard_link(&p, &twin).unwrap();
        write(&p, b"three", 0o600).unwrap();
        assert_eq!(std::fs::read(&twin).unwrap(), b"three");
        assert_eq!(
            std::fs::metadata(&p).unwrap().ino(),
            std::fs::metadata(&twin).unwrap().ino()
        );
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().starts_with(".kauth-"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn writes_through_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::write(&real, b"x").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("real", &link).unwrap();
        write(&link, b"y", 0o600).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"y");
    }
}
