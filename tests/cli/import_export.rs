//! `kauth config import` and `export`, read back by kubectl: every context
//! of both files still reaches the same server with the same CA and
//! credential after an import, with and without name conflicts
//! (kubecm#1047: two kubeadm files that name everything alike), and
//! relative paths still name the same files.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::{kauth, kubectl};

fn corpus_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kubeconfig/corpus")
}

/// What kubectl reads from `file`: per context, its cluster and user with
/// every file reference made absolute.
fn resolved(kubectl: &Path, file: &Path) -> BTreeMap<String, Value> {
    let out = Command::new(kubectl)
        .args(["config", "view", "--raw", "-o", "json"])
        .env("KUBECONFIG", file)
        .env("HOME", file.parent().unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kubectl cannot read {}",
        file.display()
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let dir = file.parent().unwrap();
    let named = |list: &str, inner: &str| -> BTreeMap<String, Value> {
        doc[list]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|e| {
                let mut v = e[inner].clone();
                absolute(&mut v, dir);
                (e["name"].as_str().unwrap().to_string(), v)
            })
            .collect()
    };
    let (clusters, users) = (named("clusters", "cluster"), named("users", "user"));
    named("contexts", "context")
        .into_iter()
        .map(|(name, ctx)| {
            let cluster = ctx["cluster"]
                .as_str()
                .and_then(|c| clusters.get(c))
                .cloned();
            let user = ctx["user"].as_str().and_then(|u| users.get(u)).cloned();
            let ns = ctx.get("namespace").cloned();
            (
                name,
                serde_json::json!({"cluster": cluster, "user": user, "namespace": ns}),
            )
        })
        .collect()
}

fn absolute(v: &mut Value, dir: &Path) {
    for key in [
        "certificate-authority",
        "client-certificate",
        "client-key",
        "tokenFile",
    ] {
        if let Some(Value::String(p)) = v.get_mut(key)
            && !p.starts_with('/')
        {
            *p = dir.join(&*p).to_string_lossy().into_owned();
        }
    }
}

/// The names `kauth config import` gave the contexts of the imported file.
fn context_names(stdout: &str) -> BTreeMap<String, String> {
    stdout
        .lines()
        .filter_map(|l| {
            let rest = l.split_once(": context \"")?.1;
            let (name, outcome) = rest.split_once('"')?;
            let to = match outcome.split_once(" as \"") {
                Some((_, to)) => to.split('"').next()?.to_string(),
                None => name.to_string(),
            };
            Some((name.to_string(), to))
        })
        .collect()
}

#[test]
fn every_pair_of_corpus_files_imports_with_every_context_working() {
    let kubectl = kubectl().expect("kubectl.1.32");
    let mut files: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .collect();
    files.sort();
    let pairs: Vec<(usize, usize)> = (0..files.len())
        .flat_map(|a| (a + 1..files.len()).map(move |b| (a, b)))
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let sources: BTreeMap<&String, BTreeMap<String, Value>> = files
        .iter()
        .map(|f| {
            let dir = tmp.path().join("sources").join(f);
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(f);
            std::fs::copy(corpus_dir().join(f), &path).unwrap();
            (f, resolved(&kubectl, &path))
        })
        .collect();
    let checked: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let (files, pairs, sources, kubectl, tmp) =
                    (&files, &pairs, &sources, &kubectl, tmp.path());
                scope.spawn(move || {
                    let mut checked = 0;
                    for &(a, b) in pairs.iter().skip(w).step_by(2) {
                        let (fa, fb) = (&files[a], &files[b]);
                        let dir = tmp.join(format!("pair-{a}-{b}"));
                        std::fs::create_dir_all(dir.join("incoming")).unwrap();
                        let target = dir.join("config");
                        let incoming = dir.join("incoming").join(fb);
                        std::fs::copy(corpus_dir().join(fa), &target).unwrap();
                        std::fs::copy(corpus_dir().join(fb), &incoming).unwrap();
                        let from = format!("incoming/{fb}");
                        let args = ["config", "import", &from, "--rename-on-conflict"];
                        let run = kauth(&dir, &target, &args, None);
                        assert_eq!(run.code, 0, "{fb} into {fa}: {}", run.stderr);
                        let after = resolved(kubectl, &target);
                        let mut source_a = sources[fa].clone();
                        rebase(&mut source_a, &tmp.join("sources").join(fa), &dir);
                        for (name, want) in &source_a {
                            assert_eq!(after.get(name), Some(want), "{fa}'s {name} after {fb}");
                        }
                        let renamed = context_names(&run.stdout);
                        // The source was read from another directory: its
                        // paths resolve there.
                        let mut source_b = sources[fb].clone();
                        rebase(
                            &mut source_b,
                            &tmp.join("sources").join(fb),
                            &dir.join("incoming"),
                        );
                        for (name, want) in &source_b {
                            let to = renamed.get(name).unwrap_or_else(|| {
                                panic!("{fb} into {fa}: no word on {name}:\n{}", run.stdout)
                            });
                            assert_eq!(
                                after.get(to),
                                Some(want),
                                "{fb}'s {name} (as {to}) in {fa}"
                            );
                            checked += 1;
                        }
                    }
                    checked
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    assert!(
        pairs.len() >= 435 && checked >= pairs.len(),
        "{checked} contexts in {} pairs",
        pairs.len()
    );
}

/// Paths under `from` moved to `to`, for a source read from elsewhere.
fn rebase(contexts: &mut BTreeMap<String, Value>, from: &Path, to: &Path) {
    let (from, to) = (from.to_string_lossy(), to.to_string_lossy());
    for v in contexts.values_mut() {
        for part in ["cluster", "user"] {
            for key in [
                "certificate-authority",
                "client-certificate",
                "client-key",
                "tokenFile",
            ] {
                if let Some(Value::String(p)) = v[part].get_mut(key)
                    && let Some(rest) = p.strip_prefix(&*from)
                {
                    *p = format!("{to}{rest}");
                }
            }
        }
    }
}

#[test]
fn two_kubeadm_files_with_the_same_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let config = dir.join("config");
    std::fs::copy(corpus_dir().join("kubeadm-admin.conf"), &config).unwrap();
    let second = corpus_dir().join("kubeadm-second.conf");
    let second = second.to_str().unwrap();
    let before = std::fs::read_to_string(&config).unwrap();

    let refused = kauth(dir, &config, &["config", "import", second], None);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("2 names are taken by different entries: cluster \"kubernetes\", user \"kubernetes-admin\"")
            && refused.stderr.contains("hint: --rename-on-conflict"),
        "{}",
        refused.stderr
    );
    let dry = kauth(
        dir,
        &config,
        &[
            "config",
            "import",
            second,
            "--rename-on-conflict",
            "--dry-run",
        ],
        None,
    );
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(dry.stdout.contains(
        "context \"kubernetes-admin@kubernetes\" added as \"kubernetes-admin@kubernetes-2\""
    ));
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        before,
        "a refusal and a dry run write nothing"
    );

    let run = kauth(
        dir,
        &config,
        &["config", "import", second, "--rename-on-conflict"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let contexts = kauth(
        dir,
        &config,
        &["config", "get-contexts", "-o", "name"],
        None,
    );
    assert_eq!(
        contexts.stdout,
        "kubernetes-admin@kubernetes\nkubernetes-admin@kubernetes-2\n"
    );
    // Once more changes nothing: every entry is found where it went.
    let after = std::fs::read_to_string(&config).unwrap();
    let again = kauth(
        dir,
        &config,
        &["config", "import", second, "--rename-on-conflict"],
        None,
    );
    assert_eq!(again.code, 0);
    assert!(
        again.stdout.lines().all(|l| l.contains("identical")),
        "{}",
        again.stdout
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), after);

    let prefixed = kauth(
        dir,
        &config,
        &["config", "import", second, "--prefix", "b-"],
        None,
    );
    assert_eq!(prefixed.code, 0, "{}", prefixed.stderr);
    let replaced = kauth(
        dir,
        &config,
        &["config", "import", second, "--replace"],
        None,
    );
    assert_eq!(replaced.code, 0, "{}", replaced.stderr);
    let server = kauth(
        dir,
        &config,
        &[
            "config",
            "view",
            "-o",
            "jsonpath={.clusters[?(@.name==\"kubernetes\")].cluster.server}",
        ],
        None,
    );
    assert_eq!(server.stdout, "https://10.20.0.5:6443");
}

#[test]
fn relative_paths_still_name_the_same_files_or_are_embedded() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("download/certs")).unwrap();
    std::fs::create_dir_all(dir.join("home")).unwrap();
    std::fs::copy(
        corpus_dir().join("relative-paths.yaml"),
        dir.join("download/onprem.yaml"),
    )
    .unwrap();
    for (file, text) in [
        ("ca.crt", "the ca"),
        ("certs/alice.crt", "alice crt"),
        ("certs/alice.key", "alice key"),
    ] {
        std::fs::write(dir.join("download").join(file), text).unwrap();
    }
    let config = dir.join("home/config");
    let run = kauth(
        dir,
        &config,
        &["config", "import", "download/onprem.yaml"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&config).unwrap();
    let ca = dir.join("download/ca.crt");
    assert!(
        text.contains(&format!("certificate-authority: {}", ca.display())),
        "{text}"
    );
    // A client reads the same bytes through the new file.
    let flat = kauth(
        dir,
        &config,
        &[
            "config",
            "view",
            "--flatten",
            "-o",
            "jsonpath={.clusters[0].cluster.certificate-authority-data}",
        ],
        None,
    );
    assert_eq!(flat.stdout, "dGhlIGNh", "{}", flat.stderr);

    let embedded = dir.join("home/embedded");
    let run = kauth(
        dir,
        &embedded,
        &["config", "import", "download/onprem.yaml", "--embed"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&embedded).unwrap();
    assert!(
        text.contains("client-key-data: YWxpY2Uga2V5") && !text.contains("download"),
        "{text}"
    );
}

#[test]
fn export_writes_a_self_contained_private_file() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("certs")).unwrap();
    std::fs::copy(corpus_dir().join("relative-paths.yaml"), dir.join("config")).unwrap();
    for (file, text) in [
        ("ca.crt", "the ca"),
        ("certs/alice.crt", "alice crt"),
        ("certs/alice.key", "alice key"),
    ] {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let config = dir.join("config");
    let run = kauth(
        dir,
        &config,
        &["config", "export", "onprem", "-o", "out.yaml"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = dir.join("out.yaml");
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("client-key-data: YWxpY2Uga2V5") && !text.contains("certs/"),
        "{text}"
    );
    // Somewhere else, with none of the files, kubectl still reads it all.
    if let Some(kubectl) = kubectl() {
        let elsewhere = tempfile::tempdir().unwrap();
        let moved = elsewhere.path().join("config");
        std::fs::copy(&out, &moved).unwrap();
        let flat = Command::new(&kubectl)
            .args([
                "config",
                "view",
                "--flatten",
                "--minify",
                "-o",
                "jsonpath={.users[0].user.client-certificate-data}",
            ])
            .env("KUBECONFIG", &moved)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&flat.stdout), "YWxpY2UgY3J0");
    }
    // No overwrite without --force; standard output hides secrets.
    let again = kauth(
        dir,
        &config,
        &["config", "export", "onprem", "-o", "out.yaml"],
        None,
    );
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    let shown = kauth(dir, &config, &["config", "export", "onprem"], None);
    assert!(
        shown.stdout.contains("client-key-data: DATA+OMITTED") || shown.stdout.contains("REDACTED"),
        "{}",
        shown.stdout
    );
    let missing = kauth(dir, &config, &["config", "export", "nope"], None);
    assert_eq!(
        (missing.code, missing.stderr.as_str()),
        (2, "error: cannot locate context nope\n")
    );
}
