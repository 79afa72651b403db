//! `--apiserver`: the configurations of seven real kube-apiserver v1.36
//! runs (`tests/fixtures/apiserver/chain/<scenario>/config/flags.json`, the
//! server's argv as read from /proc), read back as the chain the server
//! built, and the anonymous requests those servers answered replayed
//! against kauth's reading of their anonymous settings.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::kauth;

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apiserver/chain")
}

/// The recorded command line with `$STATE` at `state`, every file it names
/// there (empty unless the fixture has it), written as a flags file.
pub(crate) fn flags_file(scenario: &str, state: &Path) -> PathBuf {
    let dir = scenarios().join(scenario).join("config");
    let flags: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("flags.json")).unwrap()).unwrap();
    let words: Vec<String> = flags["kube_apiserver_command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            w.as_str()
                .unwrap()
                .replace("$STATE", &state.to_string_lossy())
        })
        .collect();
    for w in &words {
        if let Some((_, path)) = w.split_once('=')
            && path.starts_with(&*state.to_string_lossy())
        {
            let path = Path::new(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let rel = path.strip_prefix(state).unwrap();
            let fixture = dir.join("files").join(rel);
            if fixture.is_file() {
                std::fs::copy(&fixture, path).unwrap();
            } else if !path.exists() {
                std::fs::write(path, "").unwrap();
            }
        }
    }
    let file = state.join("kube-apiserver.flags");
    std::fs::write(&file, words.join(" \\\n  ") + "\n").unwrap();
    file
}

fn chain(scenario: &str, state: &Path) -> Value {
    let file = flags_file(scenario, state);
    let file = file.to_str().unwrap();
    let run = kauth(
        state,
        &state.join("no-kubeconfig"),
        &["auth", "chain", "--apiserver", file, "-o", "json"],
        None,
    );
    assert_eq!(run.code, 0, "{scenario}: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn names(steps: &Value) -> Vec<String> {
    steps
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn each_recorded_configuration_reads_as_the_chain_its_server_built() {
    let base = ["x509", "token-file", "service-account"];
    let with = |before: &[&str], after: &[&str]| -> Vec<String> {
        before
            .iter()
            .chain(base.iter())
            .chain(after)
            .map(|s| s.to_string())
            .collect()
    };
    let node_rbac = ["system:masters", "Node", "RBAC"];
    for (scenario, authn, authz) in [
        (
            "abac",
            with(&[], &["anonymous"]),
            &["system:masters", "ABAC", "RBAC"][..],
        ),
        (
            "anonymous-disabled-authn-config",
            with(&[], &[]),
            &node_rbac[..],
        ),
        (
            "bootstrap-token",
            with(&[], &["bootstrap-token", "anonymous"]),
            &node_rbac[..],
        ),
        (
            "jwt-authn-config",
            with(&[], &["jwt", "jwt", "jwt", "jwt", "anonymous"]),
            &node_rbac[..],
        ),
        ("node-authorizer", with(&[], &["anonymous"]), &node_rbac[..]),
        (
            "requestheader-allowed",
            with(&["request-header"], &["anonymous"]),
            &node_rbac[..],
        ),
        (
            "requestheader-any",
            with(&["request-header"], &["anonymous"]),
            &node_rbac[..],
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let got = chain(scenario, tmp.path());
        assert_eq!(names(&got["authentication"]), authn, "{scenario}");
        assert_eq!(names(&got["authorization"]), authz, "{scenario}");
        if scenario == "jwt-authn-config" {
            let anonymous = got["authentication"].as_array().unwrap().last().unwrap();
            assert_eq!(
                anonymous["settings"][0],
                "only for the paths /livez, /readyz, /healthz, /version"
            );
        }
        if scenario.starts_with("requestheader-any") {
            let rh = &got["authentication"][0]["settings"];
            assert_eq!(rh[1], "user X-Remote-User, X-Forwarded-User", "{rh}");
        }
    }
}

/// Every request without a credential that the two servers with an
/// authentication configuration answered: a 401 exactly where kauth says
/// anonymous requests are not let through for that path.
#[test]
fn recorded_anonymous_requests_agree() {
    let mut agreed = 0;
    for scenario in ["jwt-authn-config", "anonymous-disabled-authn-config"] {
        let tmp = tempfile::tempdir().unwrap();
        let file = flags_file(scenario, tmp.path());
        let text = std::fs::read_to_string(scenarios().join(scenario).join("cases.jsonl")).unwrap();
        let got = chain(scenario, tmp.path());
        let anonymous = got["authentication"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "anonymous")
            .cloned();
        let paths: Option<Vec<String>> = anonymous.as_ref().map(|a| {
            a["settings"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|s| s.as_str()?.strip_prefix("only for the paths "))
                .flat_map(|s| s.split(", ").map(str::to_string))
                .collect()
        });
        for line in text.lines() {
            let case: Value = serde_json::from_str(line).unwrap();
            if case["credential"]["type"] != "none" {
                continue;
            }
            let path = case["request"]["path"].as_str().unwrap();
            let bare = path.split('?').next().unwrap();
            let let_through = match &paths {
                None => false,
                Some(p) if p.is_empty() => true,
                Some(p) => p.iter().any(|c| c == bare),
            };
            let status = case["status"].as_i64().unwrap();
            assert_eq!(
                status != 401,
                let_through,
                "{scenario} {}: {path}",
                case["id"]
            );
            if bare == "/apis/authentication.k8s.io/v1/selfsubjectreviews" {
                let run = kauth(
                    tmp.path(),
                    &tmp.path().join("none"),
                    &[
                        "auth",
                        "whoami",
                        "--offline",
                        "--apiserver",
                        file.to_str().unwrap(),
                        "--kubeconfig",
                        "/dev/null",
                        "--user",
                        "nobody",
                    ],
                    None,
                );
                assert_eq!(
                    run.code == 0,
                    let_through,
                    "{scenario}: whoami {}",
                    run.stderr
                );
            }
            agreed += 1;
        }
    }
    assert!(agreed >= 14, "{agreed} cases");
}

/// The recorded bootstrap-token server replayed through `kauth auth whoami
/// --apiserver` (its own flags, its Secrets given with `--objects`, each
/// case at the moment it was sent): the same 401s and the same users.
#[test]
fn bootstrap_cases_through_whoami_with_the_servers_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let file = flags_file("bootstrap-token", tmp.path());
    let dir = scenarios().join("bootstrap-token");
    let objects = dir.join("objects.yaml");
    let text = std::fs::read_to_string(dir.join("cases.jsonl")).unwrap();
    let mut agreed = 0;
    for line in text.lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let Some(token) = case["credential"]["token"].as_str() else {
            continue;
        };
        // Only a well-formed header carries exactly this token.
        let sent = case["request"]["headers"][0][1].as_str().unwrap_or("");
        if sent != format!("Bearer {token}") {
            continue;
        }
        let at = time::OffsetDateTime::from_unix_timestamp(
            case["request_time_unix"].as_f64().unwrap() as i64,
        )
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
        let run = kauth(
            tmp.path(),
            &tmp.path().join("none"),
            &[
                "auth",
                "whoami",
                "--offline",
                "-o",
                "json",
                "--token",
                token,
                "--apiserver",
                file.to_str().unwrap(),
                "--objects",
                objects.to_str().unwrap(),
                "--at",
                &at,
            ],
            None,
        );
        let id = case["id"].as_str().unwrap();
        if case["status"] == 401 {
            assert_eq!(run.code, 1, "{id}: {}{}", run.stdout, run.stderr);
        } else {
            assert_eq!(run.code, 0, "{id}: {}", run.stderr);
            // Authenticated; a SelfSubjectReview also says as whom.
            let want = &case["userInfo"];
            if !want.is_null() {
                let review: Value = serde_json::from_str(&run.stdout).unwrap();
                let got = &review["status"]["userInfo"];
                assert_eq!(got["username"], want["username"], "{id}");
                assert_eq!(got["groups"], want["groups"], "{id}");
            }
        }
        agreed += 1;
    }
    assert!(agreed >= 20, "{agreed} cases");
}

/// `can-i --apiserver` with the Node authorizer: decided from the objects
/// given with `--objects` (the recorded node-authorizer server's own), and
/// called unknown for a node without them.
#[test]
fn can_i_asks_the_node_authorizer_with_the_objects_given() {
    let tmp = tempfile::tempdir().unwrap();
    let objects = scenarios().join("node-authorizer/objects.yaml");
    let objects = objects.to_str().unwrap();
    let can_i = |secret: &str, with_objects: bool| {
        let mut args = vec![
            "auth",
            "can-i",
            "get",
            secret,
            "-n",
            "ns-jalr",
            "--as",
            "system:node:n1",
            "--as-group",
            "system:nodes",
            "--offline",
            "--apiserver-flags",
            "--authorization-mode=Node,RBAC",
        ];
        if with_objects {
            args.extend(["--objects", objects]);
        }
        kauth(tmp.path(), &tmp.path().join("none"), &args, None)
    };
    // node-000: allowed (a volume of p1 on n1); node-010: no relationship.
    let yes = can_i("secrets/s-vol", true);
    assert_eq!(
        (yes.code, yes.stdout.as_str()),
        (0, "yes\n"),
        "{}",
        yes.stderr
    );
    assert!(
        yes.stderr.contains("by the Node authorizer"),
        "{}",
        yes.stderr
    );
    let no = can_i("secrets/s-n2", true);
    assert_eq!((no.code, no.stdout.as_str()), (1, "no\n"), "{}", no.stderr);
    assert!(
        no.stderr
            .contains("no relationship found between node 'n1' and this object"),
        "{}",
        no.stderr
    );
    let unknown = can_i("secrets/s-vol", false);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains("Node authorizer decides"),
        "{}",
        unknown.stderr
    );
}
