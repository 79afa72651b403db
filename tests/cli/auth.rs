//! `kauth auth ...` on the real binary, against what kubectl printed for
//! the same credentials on a real v1.36 server (tests/fixtures/apiserver/kubectl).

use std::process::Command;

use assert_cmd::cargo::cargo_bin;

use crate::support::apiserver_fixtures as fixtures;

fn kubectl_said(name: &str) -> (String, i32) {
    let d = fixtures().join("kubectl");
    let out = std::fs::read_to_string(d.join(format!("{name}.stdout.txt"))).unwrap();
    let code = std::fs::read_to_string(d.join(format!("{name}.exitcode.txt")))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (out, code)
}

fn kauth(args: &[&str], stdin: Option<&str>) -> (String, String, i32) {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(cargo_bin("kauth"));
    cmd.args(args)
        .current_dir(fixtures())
        .env("HOME", tmp.path())
        .env("KUBECONFIG", tmp.path().join("none"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

fn recorded_token(file: &str, pointer: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixtures().join(file)).unwrap()).unwrap();
    v.pointer(pointer)
        .and_then(|t| t.as_str())
        .unwrap()
        .to_string()
}

const SERVER: &[&str] = &[
    "--client-ca",
    "certs/ca.crt",
    "--sa-key",
    "certs/sa.pub",
    "--issuer",
    "https://kubernetes.default.svc.cluster.local",
];

#[test]
fn whoami_prints_what_kubectl_printed() {
    let (want, code) = kubectl_said("whoami-carol");
    let mut args = vec!["auth", "whoami", "--offline", "--cert", "certs/carol.crt"];
    args.extend(SERVER);
    let (out, err, status) = kauth(&args, None);
    assert_eq!((out.as_str(), status), (want.as_str(), code), "{err}");
    assert!(err.contains("client certificate"), "{err}");

    // The bound token kubectl used, at the time it was used.
    let token = recorded_token("ssr-bound-sa-token.json", "/request/headers/Authorization");
    let token = token.strip_prefix("Bearer ").unwrap();
    let (want, code) = kubectl_said("whoami-sa1");
    let mut args = vec![
        "auth",
        "whoami",
        "--offline",
        "--token",
        "-",
        "--at",
        "2026-11-22T21:36:00Z",
    ];
    args.extend(SERVER);
    let (out, err, status) = kauth(&args, Some(token));
    assert_eq!((out.as_str(), status), (want.as_str(), code), "{err}");

    let json = kauth(
        &[
            "auth",
            "whoami",
            "--offline",
            "--cert",
            "certs/carol.crt",
            "--client-ca",
            "certs/ca.crt",
            "-o",
            "json",
        ],
        None,
    )
    .0;
    let (want, _) = kubectl_said("whoami-carol-json");
    let strip = |s: &str| {
        let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
        v["metadata"]["creationTimestamp"] = serde_json::Value::Null;
        v
    };
    assert_eq!(strip(&json), strip(&want));
}

#[test]
fn whoami_refuses_what_the_server_refused() {
    let (out, err, status) = kauth(
        &[
            "auth",
            "whoami",
            "--offline",
            "--cert",
            "certs/expired.crt",
            "--client-ca",
            "certs/ca.crt",
        ],
        None,
    );
    assert_eq!((out.as_str(), status), ("", 1));
    assert!(
        err.starts_with("error: You must be logged in to the server (Unauthorized)\n"),
        "{err}"
    );
    assert!(err.contains("is after 2020-01-02T00:00:00Z"), "{err}");
    let (_, err, status) = kauth(
        &[
            "auth",
            "whoami",
            "--offline",
            "--cert",
            "certs/unknownca.crt",
            "--client-ca",
            "certs/ca.crt",
        ],
        None,
    );
    assert_eq!(status, 1);
    assert!(
        err.contains("certificate signed by unknown authority"),
        "{err}"
    );
    let (_, err, status) = kauth(
        &[
            "auth",
            "whoami",
            "--offline",
            "--token",
            "not-a-real-token",
            "--token-file",
            "/dev/null",
        ],
        None,
    );
    assert_eq!(status, 1);
    assert!(err.contains("invalid bearer token"), "{err}");
    // Without the token file kauth cannot tell, and says so.
    let (_, err, status) = kauth(
        &["auth", "whoami", "--offline", "--token", "not-a-real-token"],
        None,
    );
    assert_eq!(status, 2);
    assert!(err.contains("--token-file"), "{err}");
}

#[test]
fn can_i_answers_as_kubectl_did_with_reasons() {
    let sa1 = [
        "--as",
        "system:serviceaccount:test:sa1",
        "--rbac",
        "manifests/setup.yaml",
        "-n",
        "test",
    ];
    for (case, args) in [
        ("can-i-sa1-list-pods", vec!["auth", "can-i", "list", "pods"]),
        (
            "can-i-sa1-get-pods-slash-log",
            vec!["auth", "can-i", "get", "pods/log"],
        ),
        (
            "can-i-sa1-get-pods-subresource-log",
            vec!["auth", "can-i", "get", "pods", "--subresource", "log"],
        ),
    ] {
        let mut args = args;
        args.extend(sa1);
        let (want, code) = kubectl_said(case);
        let (out, err, status) = kauth(&args, None);
        assert_eq!(
            (out.as_str(), status),
            (want.as_str(), code),
            "{case}: {err}"
        );
    }
    let mut args = vec!["auth", "can-i", "get", "pods/log"];
    args.extend(sa1);
    let err = kauth(&args, None).1;
    assert!(
        err.contains("--subresource log"),
        "the pods/log hint: {err}"
    );
    let mut args = vec!["auth", "can-i", "get", "pods", "--subresource", "log"];
    args.extend(sa1);
    let err = kauth(&args, None).1;
    assert!(err.contains("not the subresource \"pods/log\""), "{err}");
    assert!(
        err.contains("kind: Role") && err.contains("- pods/log"),
        "{err}"
    );

    let (want, code) = kubectl_said("can-i-kfree-list-pods");
    let (out, _, status) = kauth(
        &[
            "auth",
            "can-i",
            "list",
            "pods",
            "-n",
            "test",
            "--cert",
            "certs/kfree.crt",
            "--client-ca",
            "certs/ca.crt",
            "--rbac",
            "manifests/setup.yaml",
        ],
        None,
    );
    assert_eq!((out.as_str(), status), (want.as_str(), code));

    let (out, err, status) = kauth(
        &[
            "auth",
            "can-i",
            "--offline",
            "get",
            "/healthz",
            "--as",
            "system:anonymous",
        ],
        None,
    );
    assert_eq!((out.as_str(), status), ("yes\n", 0), "{err}");
    assert!(
        err.contains("ClusterRoleBinding \"system:public-info-viewer\""),
        "{err}"
    );
    let (out, _, status) = kauth(
        &[
            "auth",
            "can-i",
            "--offline",
            "get",
            "/metrics",
            "--as",
            "system:anonymous",
            "-q",
        ],
        None,
    );
    assert_eq!((out.as_str(), status), ("", 1));
    let (out, err, status) = kauth(
        &[
            "auth",
            "can-i",
            "--offline",
            "delete",
            "nodes",
            "--as",
            "root",
            "--as-group",
            "system:masters",
        ],
        None,
    );
    assert_eq!((out.as_str(), status), ("yes\n", 0));
    assert!(err.contains("system:masters"), "{err}");
}

#[test]
fn can_i_list_and_who_can_read_the_policy() {
    let (out, _, status) = kauth(
        &[
            "auth",
            "can-i",
            "--list",
            "-n",
            "test",
            "--as",
            "system:serviceaccount:test:sa1",
            "--rbac",
            "manifests/setup.yaml",
        ],
        None,
    );
    assert_eq!(status, 0);
    assert!(out.starts_with("Resources"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("pods ") && l.ends_with("[get list]")),
        "{out}"
    );
    let (out, _, status) = kauth(
        &[
            "auth",
            "who-can",
            "list",
            "pods",
            "-n",
            "test",
            "--rbac",
            "manifests/setup.yaml",
        ],
        None,
    );
    assert_eq!(status, 0);
    assert!(
        out.lines().any(|l| l.starts_with("ServiceAccount")
            && l.contains("sa1")
            && l.contains("RoleBinding/read-pod")),
        "{out}"
    );
    assert!(out.contains("system:masters"));
}

#[test]
fn explain_prints_request_info_with_upstream_field_names() {
    let (out, _, status) = kauth(
        &[
            "auth",
            "explain",
            "GET",
            "/api/v1/namespaces/test/pods?watch=1",
            "-o",
            "json",
        ],
        None,
    );
    assert_eq!(status, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verb"], "watch");
    assert_eq!(v["isResourceRequest"], true);
    assert_eq!(v["namespace"], "test");
    assert_eq!(v["parts"], serde_json::json!(["pods"]));
    let (out, _, _) = kauth(
        &[
            "auth",
            "explain",
            "DELETE",
            "/apis/apps/v1/namespaces/p/deployments",
        ],
        None,
    );
    assert!(out.contains("verb:             deletecollection"), "{out}");
    // As the server reads it, a lower-case method maps to no verb.
    let (out, err, status) = kauth(
        &[
            "auth",
            "explain",
            "delete",
            "/apis/apps/v1/namespaces/p/deployments",
        ],
        None,
    );
    assert_eq!(status, 0);
    assert!(out.contains("verb:             \n"), "{out}");
    assert!(err.contains("did you mean DELETE?"), "{err}");
    assert!(out.contains("API group:        apps"), "{out}");
}
