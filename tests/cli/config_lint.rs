//! kauth's additions to `kauth config`: `lint` (each finding from its own
//! fixture in `tests/fixtures/lint/`, the JSON shape, exit statuses,
//! `--fix` twice), `prune` and `delete-context --cascade` across several
//! `KUBECONFIG` files.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::Value;

use crate::support::{Run, Validity, kauth, openssl_self_signed};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lint")
        .join(name)
}

/// Copies a fixture to `dir/dest` with `mode`.
fn put(dir: &Path, name: &str, dest: &str, mode: u32) {
    let to = dir.join(dest);
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::copy(fixture(name), &to).unwrap();
    std::fs::set_permissions(&to, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn run(dir: &Path, kubeconfig: &str, args: &[&str]) -> Run {
    kauth(dir, Path::new(kubeconfig), args, None)
}

/// `config lint -o json`: the findings as (code, file, kind, name), and
/// the exit status.
fn lint(
    dir: &Path,
    kubeconfig: &str,
    extra: &[&str],
) -> (Vec<(String, String, String, String)>, i32) {
    let mut args = vec!["config", "lint", "-o", "json"];
    args.extend(extra);
    let out = run(dir, kubeconfig, &args);
    let doc: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    let findings = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_string();
            (s("code"), s("file"), s("kind"), s("name"))
        })
        .collect();
    (findings, out.code)
}

fn finding(code: &str, file: &str, kind: &str, name: &str) -> (String, String, String, String) {
    (code.into(), file.into(), kind.into(), name.into())
}

/// Each file's bytes and mode.
fn snapshot(dir: &Path, files: &[&str]) -> Vec<(Vec<u8>, u32)> {
    files
        .iter()
        .map(|f| {
            let p = dir.join(f);
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o7777;
            (std::fs::read(&p).unwrap(), mode)
        })
        .collect()
}

#[test]
fn a_clean_kubeconfig_has_no_findings_and_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "clean.yaml", "config", 0o600);
    let out = run(tmp.path(), "config", &["config", "lint"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "no findings in 1 file\n");
    let json = run(tmp.path(), "config", &["config", "lint", "-o", "json"]);
    assert_eq!((json.code, json.stdout.as_str()), (0, "[]\n"));
}

#[test]
fn dangling_references() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    put(dir, "dangling-cluster.yaml", "c.yaml", 0o600);
    put(dir, "dangling-user.yaml", "u.yaml", 0o600);
    put(dir, "dangling-current-context.yaml", "cc.yaml", 0o600);
    assert_eq!(
        lint(dir, "c.yaml", &[]),
        (
            vec![finding("dangling-cluster", "c.yaml", "context", "gone")],
            1
        )
    );
    assert_eq!(
        lint(dir, "u.yaml", &[]),
        (
            vec![finding("dangling-user", "u.yaml", "context", "old-user")],
            1
        )
    );
    assert_eq!(
        lint(dir, "cc.yaml", &[]),
        (
            vec![finding(
                "dangling-current-context",
                "cc.yaml",
                "current-context",
                "deleted-last-week"
            )],
            1
        )
    );
}

#[test]
fn unused_clusters_and_users() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    put(dir, "unused-cluster.yaml", "c.yaml", 0o600);
    put(dir, "unused-user.yaml", "u.yaml", 0o600);
    assert_eq!(
        lint(dir, "c.yaml", &[]),
        (
            vec![finding("unused-cluster", "c.yaml", "cluster", "spare")],
            1
        )
    );
    assert_eq!(
        lint(dir, "u.yaml", &[]),
        (
            vec![finding("unused-user", "u.yaml", "user", "former-admin")],
            1
        )
    );
}

#[test]
fn duplicates_name_the_ignored_copy_and_the_file_that_wins() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    put(dir, "duplicate-first.yaml", "first.yaml", 0o600);
    put(dir, "duplicate-second.yaml", "second.yaml", 0o600);
    assert_eq!(
        lint(dir, "first.yaml:second.yaml", &[]),
        (
            vec![
                finding("duplicate-context", "second.yaml", "context", "lab"),
                finding("duplicate-cluster", "second.yaml", "cluster", "lab"),
            ],
            1
        )
    );
    let text = run(dir, "first.yaml:second.yaml", &["config", "lint"]);
    assert!(
        text.stdout
            .contains("cluster `lab` is also defined in first.yaml, which wins"),
        "{}",
        text.stdout
    );
    // The other order: the other file wins.
    let (found, _) = lint(dir, "second.yaml:first.yaml", &[]);
    assert!(found.iter().all(|f| f.1 == "first.yaml"), "{found:?}");
}

#[test]
fn missing_files_resolve_against_the_kubeconfig_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    put(dir, "missing-files.yaml", "kube/config", 0o600);
    std::fs::write(dir.join("kube/token"), "t\n").unwrap();
    // Beside the working directory, not the kubeconfig: must not count.
    std::fs::write(dir.join("ca.crt"), "decoy").unwrap();
    let (found, code) = lint(dir, "kube/config", &[]);
    assert_eq!(
        found,
        [
            finding("missing-file", "kube/config", "cluster", "lab"),
            finding("missing-file", "kube/config", "user", "cert"),
            finding("missing-file", "kube/config", "user", "cert"),
        ]
    );
    assert_eq!(code, 1);
    let text = run(dir, "kube/config", &["config", "lint"]);
    let resolved = format!("resolved to {}/kube/ca.crt", dir.display());
    assert!(text.stdout.contains(&resolved), "{}", text.stdout);
    assert!(text.stdout.contains("client-key client.key does not exist"));
}

#[test]
fn expired_and_expiring_certificates() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    put(dir, "client-cert.yaml", "client.yaml", 0o600);
    openssl_self_signed(dir, "client", "old", Validity::Expired);
    assert_eq!(
        lint(dir, "client.yaml", &[]),
        (
            vec![finding(
                "expired-certificate",
                "client.yaml",
                "user",
                "kfree"
            )],
            1
        )
    );
    let text = run(dir, "client.yaml", &["config", "lint"]);
    assert!(
        text.stdout
            .contains("client certificate `CN = old` (client-certificate client.crt) expired 2020-01-02T00:00:00Z"),
        "{}",
        text.stdout
    );

    let ca = tempfile::tempdir().unwrap();
    put(ca.path(), "ca-file.yaml", "ca.yaml", 0o600);
    openssl_self_signed(ca.path(), "ca", "lab-ca", Validity::Days(10));
    assert_eq!(
        lint(ca.path(), "ca.yaml", &[]),
        (
            vec![finding("expiring-certificate", "ca.yaml", "cluster", "lab")],
            1
        )
    );
    assert_eq!(lint(ca.path(), "ca.yaml", &["--within", "5d"]), (vec![], 0));
    assert_eq!(lint(ca.path(), "ca.yaml", &["--within", "240h"]).1, 1);
}

#[test]
fn a_client_key_that_is_not_the_certificates() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    put(dir, "client-cert.yaml", "client.yaml", 0o600);
    openssl_self_signed(dir, "client", "kfree", Validity::Days(365));
    assert_eq!(
        lint(dir, "client.yaml", &[]),
        (vec![], 0),
        "a matching pair"
    );
    openssl_self_signed(dir, "other", "other", Validity::Days(365));
    std::fs::rename(dir.join("other.key"), dir.join("client.key")).unwrap();
    assert_eq!(
        lint(dir, "client.yaml", &[]),
        (
            vec![finding("key-mismatch", "client.yaml", "user", "kfree")],
            1
        )
    );
}

#[test]
fn insecure_clusters_passwords_and_tokens_never_show_the_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    put(dir, "insecure.yaml", "insecure.yaml", 0o600);
    put(dir, "password.yaml", "password.yaml", 0o600);
    put(dir, "token.yaml", "token.yaml", 0o600);
    assert_eq!(
        lint(dir, "insecure.yaml", &[]),
        (
            vec![finding(
                "insecure-skip-tls-verify",
                "insecure.yaml",
                "cluster",
                "lab"
            )],
            1
        )
    );
    assert_eq!(
        lint(dir, "password.yaml", &[]),
        (
            vec![finding(
                "plain-text-password",
                "password.yaml",
                "user",
                "admin"
            )],
            1
        )
    );
    assert_eq!(
        lint(dir, "token.yaml", &[]),
        (vec![finding("static-token", "token.yaml", "user", "ci")], 1)
    );
    for output in [&[][..], &["-o", "json"][..]] {
        let mut args = vec!["config", "lint"];
        args.extend(output);
        let out = run(dir, "password.yaml:token.yaml", &args);
        for secret in ["correct-horse", "not-a-real-token"] {
            assert!(!out.stdout.contains(secret) && !out.stderr.contains(secret));
        }
    }
}

#[test]
fn exec_plugins_on_path_and_beside_the_kubeconfig() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    put(dir, "exec.yaml", "kube/config", 0o600);
    let plugins = dir.join("kube/plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::write(plugins.join("get-token"), "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(
        plugins.join("get-token"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::fs::write(plugins.join("readme.txt"), "").unwrap();
    // A decoy where a cwd-relative lookup would find it.
    std::fs::create_dir_all(dir.join("plugins")).unwrap();
    std::fs::copy(plugins.join("get-token"), dir.join("plugins/readme.txt")).unwrap();
    std::fs::set_permissions(
        dir.join("plugins/readme.txt"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    assert_eq!(
        lint(dir, "kube/config", &[]),
        (
            vec![
                finding("exec-not-found", "kube/config", "user", "not-executable"),
                finding("exec-not-found", "kube/config", "user", "not-on-path"),
            ],
            1
        )
    );
    let text = run(dir, "kube/config", &["config", "lint"]);
    assert!(
        text.stdout
            .contains("command kauth-test-no-such-plugin is not found on PATH")
    );
    assert!(
        text.stdout
            .contains("command ./plugins/readme.txt is not executable")
    );
}

#[test]
fn a_file_holding_secrets_that_others_can_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    put(dir, "token.yaml", "open.yaml", 0o644);
    put(dir, "token.yaml", "closed.yaml", 0o600);
    put(dir, "insecure.yaml", "public.yaml", 0o644);
    assert_eq!(
        lint(dir, "open.yaml", &[]).0,
        [
            finding("secret-file-mode", "open.yaml", "file", ""),
            finding("static-token", "open.yaml", "user", "ci"),
        ]
    );
    assert_eq!(lint(dir, "closed.yaml", &[]).0.len(), 1);
    // No credential in it: its mode is its owner's business.
    assert_eq!(
        lint(dir, "public.yaml", &[]).0,
        [finding(
            "insecure-skip-tls-verify",
            "public.yaml",
            "cluster",
            "lab"
        )]
    );
}

#[test]
fn json_is_an_array_of_objects_with_fixed_fields() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    put(dir, "fixable.yaml", "config", 0o644);
    let out = run(dir, "config", &["config", "lint", "-o", "json"]);
    assert_eq!(out.code, 1);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    let items = doc.as_array().unwrap();
    assert_eq!(items.len(), 6, "{}", out.stdout);
    for item in items {
        let keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "severity", "code", "file", "kind", "name", "message", "fixable"
            ]
        );
        assert!(matches!(
            item["severity"].as_str(),
            Some("error" | "warning")
        ));
        assert!(!item["message"].as_str().unwrap().contains('\n'));
    }
    assert_eq!(items[0]["code"], "secret-file-mode");
    assert_eq!(items[0]["fixable"], true);
    // stderr is the summary; stdout parses as JSON alone.
    assert_eq!(
        out.stderr,
        "6 findings in 1 file: 0 errors, 6 warnings (3 fixable with --fix)\n"
    );
}

#[test]
fn a_broken_kubeconfig_is_an_error_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("config"), "clusters: [\n").unwrap();
    let out = run(tmp.path(), "config", &["config", "lint"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("error: error loading config file \"config\""),
        "{}",
        out.stderr
    );
    let flag = run(
        tmp.path(),
        "config",
        &["config", "lint", "--within", "soon"],
    );
    assert_eq!(flag.code, 2);
}

#[test]
fn text_output_is_a_table() {
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "unused-cluster.yaml", "config", 0o600);
    let out = run(tmp.path(), "config", &["config", "lint"]);
    assert_eq!(
        out.stdout,
        "SEVERITY   CODE             FILE     ENTRY           MESSAGE\n\
         warning    unused-cluster   config   cluster/spare   cluster `spare` is used by no context\n"
    );
    assert_eq!(
        out.stderr,
        "1 finding in 1 file: 0 errors, 1 warning (1 fixable with --fix)\n"
    );
}

#[test]
fn fix_twice_changes_nothing_the_second_time() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    put(dir, "fixable.yaml", "config", 0o644);
    let first = run(dir, "config", &["config", "lint", "--fix", "-o", "json"]);
    assert_eq!(first.code, 1, "unfixable findings remain: {}", first.stderr);
    assert!(
        first
            .stderr
            .contains("fixed: deleted cluster spare from config\n")
    );
    assert!(
        first
            .stderr
            .contains("fixed: deleted user former-admin from config\n")
    );
    assert!(first.stderr.contains("fixed: config mode 0644 -> 0600\n"));
    let doc: Value = serde_json::from_str(&first.stdout).unwrap();
    let left: Vec<&str> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(left, ["insecure-skip-tls-verify", "static-token"]);
    let after_first = snapshot(dir, &["config"]);
    assert_eq!(after_first[0].1, 0o600);

    let second = run(dir, "config", &["config", "lint", "--fix", "-o", "json"]);
    assert_eq!(second.code, first.code);
    assert_eq!(second.stdout, first.stdout);
    assert!(!second.stderr.contains("fixed:"), "{}", second.stderr);
    assert_eq!(snapshot(dir, &["config"]), after_first);
}

const PRUNE_FILES: [&str; 3] = ["a.yaml", "b.yaml", "c.yaml"];

fn prune_setup(dir: &Path) {
    put(dir, "prune-a.yaml", "a.yaml", 0o600);
    put(dir, "prune-b.yaml", "b.yaml", 0o640);
    put(dir, "prune-c.yaml", "c.yaml", 0o644);
}

const PRUNED: &str = "cluster shared-unused from a.yaml
cluster shared-unused from b.yaml
cluster spare-a from a.yaml
cluster spare-b from b.yaml
user old-a from a.yaml
user old-b from b.yaml
";

fn prefixed(prefix: &str) -> String {
    PRUNED.lines().map(|l| format!("{prefix} {l}\n")).collect()
}

#[test]
fn prune_dry_run_lists_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    prune_setup(dir);
    let before = snapshot(dir, &PRUNE_FILES);
    let out = run(
        dir,
        "a.yaml:b.yaml:c.yaml",
        &["config", "prune", "--dry-run"],
    );
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, prefixed("would delete").as_str())
    );
    assert_eq!(snapshot(dir, &PRUNE_FILES), before);
}

#[test]
fn prune_removes_each_entry_from_the_file_that_holds_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    prune_setup(dir);
    let before = snapshot(dir, &PRUNE_FILES);
    let list = "a.yaml:b.yaml:c.yaml";
    let out = run(dir, list, &["config", "prune"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, prefixed("deleted").as_str()),
        "{}",
        out.stderr
    );
    let after = snapshot(dir, &PRUNE_FILES);
    assert_eq!(after[2], before[2], "c.yaml holds only used names");
    assert_eq!((after[0].1, after[1].1), (0o600, 0o640), "modes kept");
    let names = |f: &str, what: &str| {
        let out = run(dir, f, &["config", what]);
        out.stdout
            .lines()
            .skip(1)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(names("a.yaml", "get-clusters"), ["lab"]);
    assert_eq!(names("a.yaml", "get-users"), ["sso"]);
    assert_eq!(names("b.yaml", "get-clusters"), ["team-cluster"]);
    assert!(names("b.yaml", "get-users").is_empty());
    // Nothing left: said on stderr, status 0, no change.
    let again = run(dir, list, &["config", "prune"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""));
    assert_eq!(
        again.stderr,
        "nothing to prune: every cluster and user is used by a context\n"
    );
    assert_eq!(snapshot(dir, &PRUNE_FILES), after);
    assert_eq!(
        lint(dir, list, &[])
            .0
            .iter()
            .filter(|f| f.0.starts_with("unused"))
            .count(),
        0
    );
}

const CASCADE_FILES: [&str; 3] = ["a.yaml", "b.yaml", "c.yaml"];

fn cascade_setup(dir: &Path) {
    put(dir, "cascade-a.yaml", "a.yaml", 0o600);
    put(dir, "cascade-b.yaml", "b.yaml", 0o600);
    put(dir, "cascade-c.yaml", "c.yaml", 0o600);
}

#[test]
fn delete_context_cascade_removes_what_no_other_context_uses() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    cascade_setup(dir);
    let list = "a.yaml:b.yaml:c.yaml";
    let before = snapshot(dir, &CASCADE_FILES);
    let x = run(dir, list, &["config", "delete-context", "x", "--cascade"]);
    assert_eq!(x.code, 0, "{}", x.stderr);
    // Cluster `shared` stays: context `y` uses it.
    assert_eq!(
        x.stdout,
        "deleted context x from a.yaml\ndeleted user ua from a.yaml\ndeleted user ua from b.yaml\n"
    );
    assert_eq!(
        x.stderr,
        "warning: this removed your active context, use \"kauth config use-context\" to select a different one\n"
    );
    let y = run(dir, list, &["config", "delete-context", "y", "--cascade"]);
    assert_eq!(
        y.stdout,
        "deleted context y from a.yaml\ndeleted cluster shared from b.yaml\ndeleted user uy from a.yaml\n"
    );
    assert_eq!(snapshot(dir, &["c.yaml"])[0], before[2], "c.yaml untouched");
    let b = std::fs::read_to_string(dir.join("b.yaml")).unwrap();
    assert!(!b.contains("shared") && !b.contains("ua"), "{b}");
}

#[test]
fn delete_context_without_cascade_removes_only_the_context() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    cascade_setup(dir);
    let before = snapshot(dir, &CASCADE_FILES);
    let out = run(
        dir,
        "a.yaml:b.yaml:c.yaml",
        &["config", "delete-context", "x"],
    );
    assert_eq!(out.stdout, "deleted context x from a.yaml\n");
    let after = snapshot(dir, &CASCADE_FILES);
    assert_eq!(after[1..], before[1..]);
    let a = String::from_utf8(after[0].0.clone()).unwrap();
    assert!(a.contains("- name: ua"), "{a}");
}
