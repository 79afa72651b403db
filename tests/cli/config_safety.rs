//! Never lose a kubeconfig: locking against concurrent writers (kauth and
//! kubectl), refusing malformed files without writing anything, a stale
//! lock that names itself, and kauth's additions to `use-context`.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use assert_cmd::cargo::cargo_bin;

fn kauth(dir: &Path, kubeconfig: &str, args: &[&str]) -> Output {
    Command::new(cargo_bin("kauth"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.join("home"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("KUBECONFIG", kubeconfig)
        .output()
        .unwrap()
}

use crate::support::kubectl;

fn contexts(dir: &Path, file: &str) -> Vec<String> {
    let out = kauth(dir, file, &["config", "get-contexts", "-o", "name"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn fifty_parallel_writers_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let children: Vec<_> = (0..50)
        .map(|i| {
            Command::new(cargo_bin("kauth"))
                .args([
                    "config",
                    "set-context",
                    &format!("ctx-{i:02}"),
                    "--cluster",
                    "c",
                ])
                .current_dir(&dir)
                .env("KUBECONFIG", "config")
                .env("HOME", dir.join("home"))
                .env("KAUTH_LOCK_TIMEOUT", "60")
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let names = contexts(&dir, "config");
    assert_eq!(names.len(), 50, "{names:?}");
    assert!(!dir.join("config.lock").exists());
    let mode = std::fs::metadata(dir.join("config"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
}

/// kubectl and kauth exclude each other through the same `<file>.lock`.
/// (kubectl reads the file before it takes the lock and writes back its
/// stale view, so kubectl itself can drop a concurrent writer's entry: 30
/// parallel `kubectl config set-context` here report 11 successes and leave
/// 10 contexts. What kauth can promise is that it never interleaves with
/// kubectl and never gives up on kubectl's lock.)
#[test]
fn kauth_and_kubectl_honour_each_others_lock() {
    let Some(kubectl) = kubectl() else {
        eprintln!("skipping: kubectl.1.32 not found next to `kubectl` on PATH");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    std::fs::write(dir.join("config"), "apiVersion: v1\nkind: Config\n").unwrap();
    // A lock held (as by a kubectl mid-write): kauth waits, kubectl fails.
    std::fs::write(dir.join("config.lock"), "").unwrap();
    let waiting = Command::new(cargo_bin("kauth"))
        .args(["config", "set-context", "from-kauth", "--cluster", "c"])
        .current_dir(&dir)
        .env("KUBECONFIG", "config")
        .env("KAUTH_LOCK_TIMEOUT", "30")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let refused = Command::new(&kubectl)
        .args(["config", "set-context", "from-kubectl", "--cluster", "c"])
        .current_dir(&dir)
        .env("KUBECONFIG", "config")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("config.lock"));
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(
        std::fs::read_to_string(dir.join("config")).unwrap(),
        "apiVersion: v1\nkind: Config\n"
    );
    std::fs::remove_file(dir.join("config.lock")).unwrap();
    assert!(waiting.wait_with_output().unwrap().status.success());
    assert_eq!(contexts(&dir, "config"), ["from-kauth"]);

    // Both at once: every kauth succeeds, every kubectl either succeeds or
    // reports the lock, and the file is whole after every write.
    let mut children = Vec::new();
    for i in 0..40 {
        let bin = if i % 2 == 0 {
            cargo_bin("kauth")
        } else {
            kubectl.clone()
        };
        let child = Command::new(bin)
            .args([
                "config",
                "set-context",
                &format!("ctx-{i:02}"),
                "--cluster",
                "c",
            ])
            .current_dir(&dir)
            .env("KUBECONFIG", "config")
            .env("KAUTH_LOCK_TIMEOUT", "60")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        children.push((i, child));
    }
    for (i, child) in children {
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        if i % 2 == 0 {
            assert!(out.status.success(), "kauth {i}: {err}");
        } else {
            assert!(
                out.status.success() || err.contains("config.lock"),
                "kubectl {i}: {err}"
            );
        }
    }
    assert!(!contexts(&dir, "config").is_empty());
    assert!(!dir.join("config.lock").exists());
}

#[test]
fn a_held_lock_is_waited_for_then_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("config"), "apiVersion: v1\nkind: Config\n").unwrap();
    std::fs::write(dir.join("config.lock"), "").unwrap();
    let out = Command::new(cargo_bin("kauth"))
        .args(["config", "set-context", "x", "--cluster", "c"])
        .current_dir(dir)
        .env("KUBECONFIG", "config")
        .env("KAUTH_LOCK_TIMEOUT", "0.2")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("config.lock") && err.contains("rm '"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("config")).unwrap(),
        "apiVersion: v1\nkind: Config\n"
    );
}

#[test]
fn malformed_files_are_reported_with_file_and_line_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let good = "apiVersion: v1\nkind: Config\ncontexts:\n- name: a\n  context: {cluster: c}\n";
    let cases = [
        ("bad YAML", "apiVersion: v1\nclusters: [\n", "line 3"),
        (
            "wrong type",
            "apiVersion: v1\nkind: Config\nusers: 5\n",
            "line 3",
        ),
        (
            "context named on",
            "apiVersion: v1\ncontexts:\n- name: on\n  context: {}\n",
            "line 3",
        ),
    ];
    for (what, bad, line) in cases {
        std::fs::write(dir.join("good.yaml"), good).unwrap();
        std::fs::write(dir.join("bad.yaml"), bad).unwrap();
        let out = kauth(
            dir,
            "good.yaml:bad.yaml",
            &["config", "set-context", "a", "--namespace", "x"],
        );
        assert_eq!(out.status.code(), Some(1), "{what}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains("\"bad.yaml\"") && err.contains(line),
            "{what}: {err}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("good.yaml")).unwrap(),
            good,
            "{what}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("bad.yaml")).unwrap(),
            bad,
            "{what}"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp") || n.ends_with(".lock"))
            .collect();
        assert!(leftovers.is_empty(), "{what}: {leftovers:?}");
    }
}

/// Contexts `a` (current) and `b`.
const TWO_CONTEXTS: &str = "apiVersion: v1\nkind: Config\ncurrent-context: a\ncontexts:\n- name: a\n  context: {cluster: c}\n- name: b\n  context: {cluster: c}\n";

#[test]
fn use_context_dash_returns_to_the_previous_context() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("config"), TWO_CONTEXTS).unwrap();
    let none = kauth(dir, "config", &["config", "use-context", "-"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no previous context"));
    let out = kauth(dir, "config", &["config", "use-context", "b"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Switched to context \"b\".\n"
    );
    let back = kauth(dir, "config", &["config", "use-context", "-"]);
    assert_eq!(
        String::from_utf8_lossy(&back.stdout),
        "Switched to context \"a\".\n"
    );
    let again = kauth(dir, "config", &["config", "use-context", "-"]);
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        "Switched to context \"b\".\n"
    );
    // The kubeconfig itself holds nothing but what kubectl would write.
    let text = std::fs::read_to_string(dir.join("config")).unwrap();
    assert!(!text.contains("previous"), "{text}");
}

#[test]
fn the_previous_context_follows_renames_and_deletions() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("config"), TWO_CONTEXTS).unwrap();
    let stdout = |args: &[&str]| {
        let out = kauth(dir, "config", args);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    stdout(&["config", "use-context", "b"]);
    stdout(&["config", "rename-context", "a", "alpha"]);
    assert_eq!(
        stdout(&["config", "use-context", "-"]),
        "Switched to context \"alpha\".\n"
    );
    // `b` is now the previous one; once deleted it is no longer offered.
    stdout(&["config", "delete-context", "b"]);
    let gone = kauth(dir, "config", &["config", "use-context", "-"]);
    assert_eq!(gone.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gone.stderr).contains("no previous context"));
}

#[test]
fn use_context_without_a_name_and_without_a_terminal_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("config"),
        "apiVersion: v1\nkind: Config\ncontexts:\n- name: a\n  context: {cluster: c}\n",
    )
    .unwrap();
    let out = kauth(dir, "config", &["config", "use-context"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: Unexpected args: []\n"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("use-context"));
}

/// A write that is refused leaves no `~/.kube` behind, as with kubectl:
/// the directory is made for the lock, and goes with it when nothing was
/// written there.
#[test]
fn a_refused_write_leaves_no_kube_directory() {
    let kubectl = crate::support::kubectl().expect("kubectl.1.32");
    for args in [
        &["config", "use-context", "nope"][..],
        &["config", "delete-context", "nope"],
        &["config", "unset", "foo.bar"],
        &["config", "rename-context", "a", "b"],
        &["config", "set-context", "--current", "--namespace", "x"],
    ] {
        for tool in [kubectl.clone(), assert_cmd::cargo::cargo_bin("kauth")] {
            let home = tempfile::tempdir().unwrap();
            let out = std::process::Command::new(&tool)
                .args(args)
                .env("HOME", home.path())
                .env_remove("KUBECONFIG")
                .output()
                .unwrap();
            assert!(!out.status.success(), "{tool:?} {args:?}");
            assert!(!home.path().join(".kube").exists(), "{tool:?} {args:?}");
        }
    }
    // A write that succeeds keeps the directory and drops the lock.
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("kauth"))
        .args(["config", "set-cluster", "c", "--server", "https://x"])
        .env("HOME", home.path())
        .env_remove("KUBECONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(home.path().join(".kube/config").is_file());
    assert!(!home.path().join(".kube/config.lock").exists());
}

/// Writers reaching one kubeconfig through a symbolic link and through
/// its real path exclude each other: no edit is lost.
#[test]
fn writers_through_a_link_and_the_target_lose_no_edit() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real-config");
    std::fs::write(&real, "apiVersion: v1\nkind: Config\n").unwrap();
    let link = dir.path().join("link-config");
    std::os::unix::fs::symlink("real-config", &link).unwrap();
    let per_writer = 25;
    let writers: Vec<_> = [real.clone(), link.clone()]
        .into_iter()
        .enumerate()
        .map(|(w, path)| {
            let home = dir.path().to_path_buf();
            std::thread::spawn(move || {
                for i in 0..per_writer {
                    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("kauth"))
                        .args([
                            "config",
                            "set-context",
                            &format!("c-{w}-{i}"),
                            "--namespace",
                            "x",
                        ])
                        .env("KUBECONFIG", &path)
                        .env("HOME", &home)
                        .output()
                        .unwrap();
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let text = std::fs::read_to_string(&real).unwrap();
    let contexts = text.lines().filter(|l| l.starts_with("  name: c-")).count();
    assert_eq!(contexts, 2 * per_writer, "{text}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let locks: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".lock"))
        .collect();
    assert!(locks.is_empty(), "{locks:?}");
}

/// `kill -9` at any moment of a write leaves either the old or the new
/// file, and a lock the next write recognises as a dead kauth's and takes
/// over at once; that write also removes the temporary copies left.
#[test]
fn a_write_killed_at_any_moment_leaves_a_whole_file_and_no_blocking_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("config"), "apiVersion: v1\nkind: Config\n").unwrap();
    let kauth = |args: &[&str]| {
        let mut c = Command::new(cargo_bin("kauth"));
        c.args(args)
            .current_dir(dir)
            .env("KUBECONFIG", "config")
            .env("HOME", dir)
            .env("KAUTH_LOCK_TIMEOUT", "2")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        c
    };
    for i in 0..30u64 {
        let mut child = kauth(&["config", "set-context", &format!("c{i}"), "--cluster", "c"])
            .spawn()
            .unwrap();
        // From before the lock is taken to after the file is written.
        std::thread::sleep(std::time::Duration::from_micros(500 + 350 * i));
        let _ = child.kill();
        let _ = child.wait();
        let view = kauth(&["config", "view"]).output().unwrap();
        assert!(
            view.status.success(),
            "{}",
            String::from_utf8_lossy(&view.stderr)
        );
    }
    let started = std::time::Instant::now();
    let out = kauth(&["config", "set-context", "after", "--cluster", "c"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert!(contexts(dir, "config").contains(&"after".to_string()));
    assert!(!dir.join("config.lock").exists());
    // The copies killed writes left (tokens and all) are gone too.
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".kauth-") || n.contains(".lock."))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Directories a write makes for a new kubeconfig get the modes kubectl's
/// give them: 0755 under the usual umask, narrowed by a stricter one
/// (kubectl's `os.MkdirAll(dir, 0755)`), and the file 0600.
#[test]
fn new_parent_directories_get_kubectl_s_modes() {
    use std::os::unix::fs::PermissionsExt;
    let kubectl = crate::support::kubectl().expect("kubectl.1.32");
    let kauth = assert_cmd::cargo::cargo_bin("kauth");
    for umask in ["022", "077", "027", "002"] {
        let mut modes = Vec::new();
        for tool in [&kubectl, &kauth] {
            let home = tempfile::tempdir().unwrap();
            let file = home.path().join("a/b/config");
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!(
                    "umask {umask}; exec \"$0\" config set-cluster c --server https://x"
                ))
                .arg(tool)
                .env("KUBECONFIG", &file)
                .env("HOME", home.path())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{tool:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            modes.push([
                mode(&home.path().join("a")),
                mode(&home.path().join("a/b")),
                mode(&file),
            ]);
        }
        assert_eq!(modes[0], modes[1], "umask {umask}: kubectl, kauth");
    }
}
