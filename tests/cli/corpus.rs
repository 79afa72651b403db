//! The golden corpus (`tests/fixtures/kubeconfig/corpus/`): kubeconfigs
//! shaped as kubeadm, kind, k3s, k3d, EKS, GKE, AKS, Rancher, OpenShift,
//! minikube, OIDC setups and hand-written files write them.
//!
//! For each file, side by side with kubectl: every edit means what
//! kubectl's means (kubectl reads back the same document from both
//! files), a file kubectl wrote is written byte for byte as kubectl
//! writes it, and in a file kubectl did not write the comments survive,
//! an edit followed by its inverse gives back the original bytes, and
//! `use-context` changes one line.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{kauth, kubectl};

fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kubeconfig/corpus");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "README.md")
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    assert!(files.len() >= 30, "the corpus has {} files", files.len());
    files
}

fn run_kubectl(kubectl: &Path, file: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(kubectl)
        .args(args)
        .env("KUBECONFIG", file)
        .env("HOME", file.parent().unwrap())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The document kubectl reads from `file`.
fn read_back(kubectl: &Path, file: &Path) -> Value {
    let (code, out) = run_kubectl(kubectl, file, &["config", "view", "--raw", "-o", "json"]);
    assert_eq!(code, 0, "kubectl cannot read {}", file.display());
    serde_json::from_str(&out).unwrap()
}

fn names(doc: &Value, list: &str) -> Vec<String> {
    doc[list]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["name"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The edits tried on each file, as arguments both tools take.
fn edits(doc: &Value) -> Vec<Vec<String>> {
    let clusters = names(doc, "clusters");
    let users = names(doc, "users");
    let contexts = names(doc, "contexts");
    let current = doc["current-context"].as_str().unwrap_or("").to_string();
    let other = contexts
        .iter()
        .find(|c| **c != current)
        .or(contexts.first())
        .cloned()
        .unwrap_or_default();
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (c, u, x) = (&clusters[0], &users[0], &contexts[0]);
    vec![
        v(&["config", "use-context", &other]),
        v(&[
            "config",
            "set-cluster",
            c,
            "--server",
            "https://edited.example:7443",
        ]),
        v(&[
            "config",
            "set-cluster",
            c,
            "--tls-server-name",
            "api.edited.example",
        ]),
        v(&["config", "set-credentials", u, "--token", "edited-token"]),
        v(&["config", "set-context", x, "--namespace", "edited"]),
        v(&[
            "config",
            "set-context",
            "added",
            "--cluster",
            c,
            "--user",
            u,
        ]),
        v(&[
            "config",
            "set-cluster",
            "added-cluster",
            "--server",
            "https://added.example",
        ]),
        v(&["config", "rename-context", x, "renamed"]),
        v(&["config", "delete-user", u]),
        v(&["config", "delete-cluster", c]),
        v(&["config", "delete-context", x]),
        v(&["config", "unset", "current-context"]),
    ]
}

fn comment_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.trim_start().starts_with('#'))
        .collect()
}

#[test]
fn every_edit_of_every_corpus_file_means_what_kubectls_means() {
    let kubectl = kubectl().expect("kubectl.1.32");
    let files = corpus();
    // Two workers: kubectl takes most of the time.
    let cases: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let (files, kubectl) = (&files, &kubectl);
                scope.spawn(move || {
                    files
                        .iter()
                        .skip(w)
                        .step_by(2)
                        .map(|(name, text)| check_edits(kubectl, name, text))
                        .sum::<usize>()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    assert!(cases >= 400, "{cases} cases");
}

/// Runs every edit on one file with both tools; returns the number of cases.
fn check_edits(kubectl: &Path, name: &str, text: &str) -> usize {
    let tmp = tempfile::tempdir().unwrap();
    let original = tmp.path().join(name);
    std::fs::write(&original, text).unwrap();
    let doc = read_back(kubectl, &original);
    let (_, kubectl_text) = run_kubectl(kubectl, &original, &["config", "view", "--raw"]);
    let kubectl_wrote_it = kubectl_text == text;
    let mut cases = 0;
    for args in edits(&doc) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let dir = tmp.path().join(format!("case-{cases}"));
        std::fs::create_dir(&dir).unwrap();
        let (a, b): (PathBuf, PathBuf) = (dir.join("kauth.yaml"), dir.join("kubectl.yaml"));
        std::fs::write(&a, text).unwrap();
        std::fs::write(&b, text).unwrap();
        let ours = kauth(&dir, &a, &args, None);
        let (theirs, _) = run_kubectl(kubectl, &b, &args);
        let what = format!("{name}: {}", args.join(" "));
        assert_eq!(ours.code, theirs, "{what}: {}", ours.stderr);
        let ours_text = std::fs::read_to_string(&a).unwrap();
        let theirs_text = std::fs::read_to_string(&b).unwrap();
        if kubectl_wrote_it || text.starts_with('{') || theirs_text == text {
            assert_eq!(ours_text, theirs_text, "{what}");
        } else if ours_text != theirs_text {
            assert_eq!(
                read_back(kubectl, &a),
                read_back(kubectl, &b),
                "{what}\n{ours_text}"
            );
            for line in comment_lines(text) {
                assert!(
                    ours_text.contains(line),
                    "{what}: lost {line:?}\n{ours_text}"
                );
            }
        }
        cases += 1;
    }
    cases
}

#[test]
fn an_edit_and_its_inverse_give_back_every_byte() {
    let kubectl = kubectl().expect("kubectl.1.32");
    let tmp = tempfile::tempdir().unwrap();
    let mut files = 0;
    for (name, text) in corpus() {
        if text.starts_with('{') {
            // JSON is written as YAML, as kubectl writes it.
            continue;
        }
        let file = tmp.path().join(&name);
        std::fs::write(&file, &text).unwrap();
        let doc = read_back(&kubectl, &file);
        // `set-cluster` drops a TLS server name and insecure mode, as
        // kubectl does: the inverse is only exact on a cluster with neither.
        let plain = doc["clusters"].as_array().unwrap().iter().find(|c| {
            let c = &c["cluster"];
            c.get("tls-server-name").is_none() && c.get("insecure-skip-tls-verify").is_none()
        });
        if let Some(cluster) = plain {
            let (c, server) = (
                cluster["name"].as_str().unwrap(),
                cluster["cluster"]["server"].as_str().unwrap(),
            );
            let set = |value: &str| {
                let args = ["config", "set-cluster", c, "--server", value];
                let run = kauth(tmp.path(), &file, &args, None);
                assert_eq!(run.code, 0, "{name}: {}", run.stderr);
            };
            set("https://elsewhere.example:1");
            assert_ne!(std::fs::read_to_string(&file).unwrap(), text, "{name}");
            set(server);
            assert_eq!(
                std::fs::read_to_string(&file).unwrap(),
                text,
                "{name}: set-cluster"
            );
        }
        let context = &doc["contexts"][0];
        let (x, namespace) = (
            context["name"].as_str().unwrap(),
            context["context"]["namespace"].as_str().unwrap_or(""),
        );
        // A context written in flow style is written back in block style.
        let flow = text.contains("context: {");
        for ns in ["edited", namespace].into_iter().filter(|_| !flow) {
            let args = ["config", "set-context", x, "--namespace", ns];
            let run = kauth(tmp.path(), &file, &args, None);
            assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        }
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            text,
            "{name}: set-context"
        );

        let current = doc["current-context"].as_str().unwrap_or("");
        let contexts = names(&doc, "contexts");
        if let Some(other) = contexts.iter().find(|c| *c != current)
            && !current.is_empty()
        {
            let use_context = |ctx: &str| {
                let run = kauth(tmp.path(), &file, &["config", "use-context", ctx], None);
                assert_eq!(run.code, 0, "{name}: {}", run.stderr);
                std::fs::read_to_string(&file).unwrap()
            };
            let switched = use_context(other);
            let (_, kubectl_text) = run_kubectl(&kubectl, &file, &["config", "view", "--raw"]);
            if kubectl_text != switched {
                // A file kubectl did not write: one line changed.
                assert_eq!(switched.lines().count(), text.lines().count(), "{name}");
                let changed = switched
                    .lines()
                    .zip(text.lines())
                    .filter(|(a, b)| a != b)
                    .count();
                assert_eq!(changed, 1, "{name}:\n{switched}");
            }
            assert_eq!(use_context(current), text, "{name}: use-context");
        }
        files += 1;
    }
    assert!(files >= 30, "{files} files");
}
