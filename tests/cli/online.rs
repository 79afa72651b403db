//! The commands that talk to a server (`kauth request`, `auth whoami`,
//! `auth can-i`) on the real binary against a test API server on
//! 127.0.0.1 (tests/cli/support/apiserver.rs): real TLS, real client
//! certificates, bearer tokens, exec plugins, impersonation headers, and
//! the explanation of 401 and 403 answers.

use std::path::Path;
use std::process::Command;

use crate::support::apiserver::{TestServer, recorded};
use crate::support::kauth;

const TOKENS: &str = "s3cr3t-alice-token,alice,1001,\"readers\"\n";

const RBAC: &str = "
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: test}
rules:
- apiGroups: ['']
  resources: [pods]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: test}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
subjects:
- {kind: Group, name: readers, apiGroup: rbac.authorization.k8s.io}
";

fn setup() -> (tempfile::TempDir, TestServer) {
    let tmp = tempfile::tempdir().unwrap();
    let server = TestServer::start(tmp.path(), RBAC, TOKENS);
    (tmp, server)
}

#[test]
fn a_certificate_user_gets_the_answer_and_exit_zero() {
    let (tmp, server) = setup();
    let kc = server.cert_kubeconfig("admin", "kadmin", &["system:masters"]);
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/api/v1/namespaces/test/pods"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let body: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(body, recorded("pods-list-sa1.json"));
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    let user = seen[0].user.as_ref().unwrap();
    assert_eq!(user.username, "kadmin");
    assert!(user.groups.iter().any(|g| g == "system:masters"));
    assert!(seen[0].header("Authorization").is_none());
    assert!(seen[0].header("User-Agent").unwrap().starts_with("kauth/"));
}

#[test]
fn a_forbidden_request_is_explained_with_the_identity_and_a_fix() {
    let (tmp, server) = setup();
    let kc = server.cert_kubeconfig("kfree", "kfree", &["dev"]);
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "DELETE", "/api/v1/namespaces/test/secrets/db"],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    // The server's Status is the output, as with curl.
    let status: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(status["code"], 403);
    assert_eq!(
        status["message"],
        "secrets \"db\" is forbidden: User \"kfree\" cannot delete resource \"secrets\" in API group \"\" in the namespace \"test\""
    );
    assert!(
        r.stderr.contains(
            "403 Forbidden: the server accepted but refused to authorize the client certificate"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("as user \"kfree\""), "{}", r.stderr);
    assert!(r.stderr.contains("\"dev\""), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "verb \"delete\", resource \"secrets\" in API group \"\" in namespace \"test\""
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("kind: Role"), "{}", r.stderr);
    assert!(
        r.stderr.contains("verbs: [\"delete\"]") || r.stderr.contains("- delete"),
        "{}",
        r.stderr
    );
}

#[test]
fn near_misses_come_from_the_rbac_files_given() {
    let (tmp, server) = setup();
    std::fs::write(tmp.path().join("rbac.yaml"), RBAC).unwrap();
    let kc = server.kubeconfig("alice.kubeconfig", "    token: s3cr3t-alice-token");
    // alice (group readers) may get pods but not list them.
    let ok = kauth(
        tmp.path(),
        &kc,
        &["request", "/api/v1/namespaces/test/pods/web"],
        None,
    );
    assert_eq!(ok.code, 1, "the test server has no pod web: 404");
    assert!(ok.stdout.contains("NotFound"), "{}", ok.stdout);
    let r = kauth(
        tmp.path(),
        &kc,
        &[
            "request",
            "/api/v1/namespaces/test/pods",
            "--rbac",
            "rbac.yaml",
        ],
        None,
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("near miss: RoleBinding \"readers\" in namespace \"test\""),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("verb \"list\" is not in verbs [get]"),
        "{}",
        r.stderr
    );
    // The token is a secret: never printed.
    assert!(!r.stderr.contains("s3cr3t") && !r.stdout.contains("s3cr3t"));
    let seen = server.requests();
    assert_eq!(
        seen.last().unwrap().header("Authorization"),
        Some("Bearer s3cr3t-alice-token")
    );
}

#[test]
fn a_bad_token_is_a_401_explained_without_printing_it() {
    let (tmp, server) = setup();
    let kc = server.kubeconfig("bad.kubeconfig", "    token: not-a-real-token-xyz");
    let r = kauth(tmp.path(), &kc, &["request", "/api"], None);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("\"code\":401"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("401 Unauthorized: the server did not accept the bearer token"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("not-a-real-token-xyz"));
    // --token - replaces the kubeconfig's with one from standard input.
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/api/v1/namespaces/test/pods/x", "--token", "-"],
        Some("s3cr3t-alice-token\n"),
    );
    assert!(r.stdout.contains("NotFound"), "{} {}", r.stdout, r.stderr);
    assert_eq!(server.last_user(), "alice");
}

#[test]
fn impersonation_flags_become_headers() {
    let (tmp, server) = setup();
    let kc = server.cert_kubeconfig("admin", "kadmin", &["system:masters"]);
    let r = kauth(
        tmp.path(),
        &kc,
        &[
            "request",
            "/api/v1/namespaces/test/pods",
            "--as",
            "jane",
            "--as-group",
            "readers",
            "--as-group",
            "qa",
            "--as-uid",
            "42",
        ],
        None,
    );
    assert_eq!(
        r.code, 1,
        "jane (readers) may get pods, not list them: {}",
        r.stderr
    );
    let seen = server.requests();
    let last = seen.last().unwrap();
    assert_eq!(last.header("Impersonate-User"), Some("jane"));
    assert_eq!(last.header("Impersonate-Uid"), Some("42"));
    let groups: Vec<&str> = last
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("Impersonate-Group"))
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(groups, ["readers", "qa"]);
    assert!(r.stderr.contains("as user \"jane\""), "{}", r.stderr);
    // Groups without a user is kubectl's configuration error.
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/api", "--as-group", "qa"],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("without impersonating a user"),
        "{}",
        r.stderr
    );
}

fn write_plugin(dir: &Path, name: &str, body: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn an_exec_plugin_token_is_used_and_gets_the_exec_info() {
    let (tmp, server) = setup();
    let info = tmp.path().join("exec-info.json");
    let plugin = write_plugin(
        tmp.path(),
        "token-plugin",
        &format!(
            "printf '%s' \"$KUBERNETES_EXEC_INFO\" > {}\necho \"$EXTRA_ENV\" > {}.env\ncat <<EOF\n{{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\",\"status\":{{\"token\":\"s3cr3t-alice-token\"}}}}\nEOF",
            info.display(),
            info.display()
        ),
    );
    let kc = server.kubeconfig(
        "exec.kubeconfig",
        &format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: Never\n      provideClusterInfo: true\n      env:\n      - {{name: EXTRA_ENV, value: from-kubeconfig}}",
            plugin.display()
        ),
    );
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/api/v1/namespaces/test/pods/web"],
        None,
    );
    assert!(r.stdout.contains("NotFound"), "{} {}", r.stdout, r.stderr);
    assert_eq!(server.last_user(), "alice");
    let sent: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&info).unwrap()).unwrap();
    assert_eq!(sent["kind"], "ExecCredential");
    assert_eq!(sent["apiVersion"], "client.authentication.k8s.io/v1");
    assert_eq!(sent["spec"]["interactive"], false);
    assert_eq!(sent["spec"]["cluster"]["server"], server.url.as_str());
    assert!(sent["spec"]["cluster"]["certificate-authority-data"].is_string());
    assert_eq!(
        std::fs::read_to_string(format!("{}.env", info.display()))
            .unwrap()
            .trim(),
        "from-kubeconfig"
    );
}

#[test]
fn an_exec_plugin_certificate_is_presented() {
    let (tmp, server) = setup();
    let (crt, key) = server.client_cert("plugin", "carol", &["readers"]);
    let cred = serde_json::json!({
        "kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1beta1",
        "status": {"clientCertificateData": std::fs::read_to_string(crt).unwrap(),
                   "clientKeyData": std::fs::read_to_string(key).unwrap()}
    });
    std::fs::write(tmp.path().join("cred.json"), cred.to_string()).unwrap();
    let plugin = write_plugin(
        tmp.path(),
        "cert-plugin",
        &format!("cat {}", tmp.path().join("cred.json").display()),
    );
    let kc = server.kubeconfig(
        "exec.kubeconfig",
        &format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: {}",
            plugin.display()
        ),
    );
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/api/v1/namespaces/test/pods/web"],
        None,
    );
    assert!(r.stdout.contains("NotFound"), "{} {}", r.stdout, r.stderr);
    assert_eq!(server.last_user(), "carol");

    // A failing plugin: exit 2 and the install hint, no request sent.
    let failing = write_plugin(tmp.path(), "failing-plugin", "exit 3");
    let kc = server.kubeconfig(
        "failing.kubeconfig",
        &format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: Never",
            failing.display()
        ),
    );
    let before = server.requests().len();
    let r = kauth(tmp.path(), &kc, &["request", "/api"], None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("failing-plugin failed with exit status: 3"),
        "{}",
        r.stderr
    );
    assert_eq!(server.requests().len(), before);
    let missing = server.kubeconfig(
        "missing.kubeconfig",
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: kauth-no-such-plugin\n      interactiveMode: Never\n      installHint: install it with brew",
    );
    let r = kauth(tmp.path(), &missing, &["request", "/api"], None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("kauth-no-such-plugin not found"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("install it with brew"), "{}", r.stderr);
    // interactiveMode Always needs a terminal on standard input.
    let always = server.kubeconfig(
        "always.kubeconfig",
        &format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: Always",
            plugin.display()
        ),
    );
    let r = kauth(tmp.path(), &always, &["request", "/api"], None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("standard input is not a terminal"),
        "{}",
        r.stderr
    );
}

#[test]
fn tls_failures_say_what_is_wrong() {
    let (tmp, server) = setup();
    let kc = server.cert_kubeconfig("admin", "kadmin", &["system:masters"]);
    // A CA of another name than the one that signed the serving certificate.
    let other_ca = kauth_pki::ca::Ca::create(
        "some-other-ca",
        kauth_pki::key::KeyAlgorithm::EcdsaP256,
        time::OffsetDateTime::now_utc(),
        time::Duration::days(1),
    )
    .unwrap();
    let wrong_ca = tmp.path().join("other-ca.crt");
    std::fs::write(
        &wrong_ca,
        kauth_pki::cert::to_pem("CERTIFICATE", &other_ca.cert_der),
    )
    .unwrap();
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/api", "--ca", wrong_ca.to_str().unwrap()],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("certificate signed by unknown authority"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("issued by CN = test-cluster-ca"),
        "names the presented certificate: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains("other-ca.crt"),
        "names the CA used: {}",
        r.stderr
    );
    // A CA of the same name with another key: a recreated cluster.
    let other = tempfile::tempdir().unwrap();
    let recreated = TestServer::start(other.path(), "", "");
    let same_name_ca = other.path().join("cluster-ca.crt");
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/api", "--ca", same_name_ca.to_str().unwrap()],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("with another key"), "{}", r.stderr);
    drop(recreated);
    // The server's own certificate given as the CA: trusted for its own
    // names, as Go (kubectl) trusts it.
    std::fs::write(tmp.path().join("leaf.crt"), &server.serving_pem).unwrap();
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/api", "--ca", "leaf.crt"],
        None,
    );
    assert_ne!(r.code, 2, "{}", r.stderr);
    assert!(
        !r.stderr.contains("tls") && !r.stderr.contains("certificate"),
        "{}",
        r.stderr
    );
    // A name the serving certificate is not for.
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/api", "--tls-server-name", "api.example.com"],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("api.example.com"), "{}", r.stderr);
    assert!(
        r.stderr.contains("not valid for") || r.stderr.contains("is valid for"),
        "{}",
        r.stderr
    );
    // The right name passes.
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/version", "--tls-server-name", "localhost"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // --insecure works, with a warning.
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/version", "--insecure"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("not verified"), "{}", r.stderr);
}

#[test]
fn include_prints_the_status_line_and_data_posts() {
    let (tmp, server) = setup();
    let kc = server.cert_kubeconfig("kfree", "kfree", &["dev"]);
    let body = r#"{"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1"}"#;
    let r = kauth(
        tmp.path(),
        &kc,
        &[
            "request",
            "-i",
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            "-d",
            body,
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("HTTP/1.1 201 Created\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Content-Type: application/json"),
        "{}",
        r.stdout
    );
    let seen = server.requests();
    let last = seen.last().unwrap();
    assert_eq!(last.method, "POST");
    assert_eq!(last.body, body.as_bytes());
    assert_eq!(last.header("Content-Type"), Some("application/json"));
    let json_start = r.stdout.find('{').unwrap();
    let review: serde_json::Value = serde_json::from_str(&r.stdout[json_start..]).unwrap();
    assert_eq!(review["status"]["userInfo"]["username"], "kfree");
}

#[test]
fn a_slow_server_meets_the_request_timeout() {
    let (tmp, server) = setup();
    server.route(|seen| {
        if seen.path == "/slow" {
            std::thread::sleep(std::time::Duration::from_secs(5));
            return Some((200, serde_json::json!("late")));
        }
        None
    });
    let kc = server.cert_kubeconfig("admin", "kadmin", &["system:masters"]);
    let start = std::time::Instant::now();
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/slow", "--request-timeout", "1s"],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.to_lowercase().contains("timed out") || r.stderr.contains("timeout"),
        "{}",
        r.stderr
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/api", "--request-timeout", "soon"],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--request-timeout"), "{}", r.stderr);
}

#[test]
fn bad_inputs_name_the_flag_or_file() {
    let (tmp, server) = setup();
    let kc = server.cert_kubeconfig("admin", "kadmin", &["system:masters"]);
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/api", "--cert", "nope.crt", "--key", "nope.key"],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nope.crt"), "{}", r.stderr);
    // A key that is not the certificate's.
    let (crt, _) = server.client_cert("one", "one", &[]);
    let (_, other_key) = server.client_cert("two", "two", &[]);
    let r = kauth(
        tmp.path(),
        &kc,
        &[
            "request",
            "/api",
            "--cert",
            crt.to_str().unwrap(),
            "--key",
            other_key.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("private key does not match public key"),
        "{}",
        r.stderr
    );
    let r = kauth(tmp.path(), &kc, &["request", "api/v1"], None);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("must start with `/`"), "{}", r.stderr);
    let r = kauth(tmp.path(), &kc, &["request", "/api", "-H", "NoColon"], None);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("-H"), "{}", r.stderr);
    // Nothing listens: the connection error, exit 2.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let r = kauth(
        tmp.path(),
        &kc,
        &[
            "request",
            "/api",
            "--server",
            &format!("https://127.0.0.1:{port}"),
        ],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(&format!("127.0.0.1:{port}")),
        "{}",
        r.stderr
    );
    assert!(server.requests().is_empty());
}

#[test]
fn kubelet_requests_say_which_node_permission_applies() {
    let (tmp, server) = setup();
    let kc = server.cert_kubeconfig("admin", "kadmin", &["system:masters"]);
    let r = kauth(
        tmp.path(),
        &kc,
        &[
            "request",
            "--kubelet",
            &format!("127.0.0.1:{}", server.port),
            "/pods",
        ],
        None,
    );
    assert!(r.stderr.contains("nodes/pods"), "{}", r.stderr);
    assert!(r.stderr.contains("nodes/proxy"), "{}", r.stderr);
    let r = kauth(
        tmp.path(),
        &kc,
        &[
            "request",
            "--kubelet",
            &format!("127.0.0.1:{}", server.port),
            "POST",
            "/exec/ns/pod/c?command=ls",
        ],
        None,
    );
    assert!(r.stderr.contains("create nodes/proxy"), "{}", r.stderr);
    let seen = server.requests();
    assert_eq!(seen.last().unwrap().path, "/exec/ns/pod/c?command=ls");
}

#[test]
fn whoami_asks_the_server_and_compares_with_the_prediction() {
    let (tmp, server) = setup();
    let kc = server.cert_kubeconfig("carol", "carol", &["dev", "qa"]);
    let r = kauth(tmp.path(), &kc, &["auth", "whoami"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // kubectl's table, from the server's SelfSubjectReview.
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].starts_with("ATTRIBUTE"), "{}", r.stdout);
    assert!(
        lines[1].starts_with("Username") && lines[1].ends_with(" carol"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("[dev qa system:authenticated]"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("prediction matches"), "{}", r.stderr);
    let seen = server.requests();
    assert_eq!(
        seen.last().unwrap().path,
        "/apis/authentication.k8s.io/v1/selfsubjectreviews"
    );
    assert_eq!(seen.last().unwrap().method, "POST");

    // The server adds what kauth did not predict: the difference is named.
    server.route(|seen| {
        seen.path.ends_with("/selfsubjectreviews").then(|| {
            (201, serde_json::json!({"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
                "metadata": {}, "status": {"userInfo": {"username": "carol", "groups": ["dev", "qa", "oidc:admins", "system:authenticated"]}}}))
        })
    });
    let r = kauth(tmp.path(), &kc, &["auth", "whoami", "-o", "json"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["status"]["userInfo"]["groups"][2], "oidc:admins");
    assert!(r.stderr.contains("prediction differs"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("group \"oidc:admins\": added by the server"),
        "{}",
        r.stderr
    );
}

#[test]
fn whoami_online_refusals_read_like_kubectl() {
    let (tmp, server) = setup();
    let kc = server.kubeconfig("bad.kubeconfig", "    token: not-a-real-token");
    let r = kauth(tmp.path(), &kc, &["auth", "whoami"], None);
    assert_eq!((r.stdout.as_str(), r.code), ("", 1));
    let kubectl = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/apiserver/kubectl/whoami-bad-token.stderr.txt"),
    )
    .unwrap();
    assert!(r.stderr.starts_with(kubectl.trim_end()), "{}", r.stderr);
    assert!(!r.stderr.contains("not-a-real-token"));
    // A static token user: kauth cannot predict without the token file,
    // and says so; with it, the prediction matches.
    let kc = server.kubeconfig("alice.kubeconfig", "    token: s3cr3t-alice-token");
    let r = kauth(tmp.path(), &kc, &["auth", "whoami"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("cannot predict"), "{}", r.stderr);
    std::fs::write(tmp.path().join("tokens.csv"), TOKENS).unwrap();
    let r = kauth(
        tmp.path(),
        &kc,
        &["auth", "whoami", "--token-file", "tokens.csv"],
        None,
    );
    assert!(r.stderr.contains("prediction matches"), "{}", r.stderr);
}

#[test]
fn can_i_asks_the_server_without_rbac_files() {
    let (tmp, server) = setup();
    let kc = server.kubeconfig("alice.kubeconfig", "    token: s3cr3t-alice-token");
    let r = kauth(
        tmp.path(),
        &kc,
        &["auth", "can-i", "get", "pods", "-n", "test"],
        None,
    );
    assert_eq!((r.stdout.as_str(), r.code), ("yes\n", 0), "{}", r.stderr);
    let seen = server.requests();
    let review: serde_json::Value = serde_json::from_slice(&seen.last().unwrap().body).unwrap();
    assert_eq!(review["kind"], "SelfSubjectAccessReview");
    assert_eq!(
        review["spec"]["resourceAttributes"],
        serde_json::json!({"namespace": "test", "verb": "get", "resource": "pods"})
    );
    let r = kauth(
        tmp.path(),
        &kc,
        &["auth", "can-i", "delete", "deployments", "-n", "test"],
        None,
    );
    assert_eq!((r.stdout.as_str(), r.code), ("no\n", 1), "{}", r.stderr);
    assert!(
        r.stderr.contains("denies it to user \"alice\""),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("apps"),
        "the suggestion names the group: {}",
        r.stderr
    );
    let r = kauth(
        tmp.path(),
        &kc,
        &["auth", "can-i", "get", "/healthz", "-q"],
        None,
    );
    assert_eq!((r.stdout.as_str(), r.code), ("", 0));
    // Impersonation goes to the server as headers.
    let admin = server.cert_kubeconfig("admin", "kadmin", &["system:masters"]);
    let r = kauth(
        tmp.path(),
        &admin,
        &[
            "auth",
            "can-i",
            "get",
            "pods",
            "-n",
            "test",
            "--as",
            "bob",
            "--as-group",
            "readers",
        ],
        None,
    );
    assert_eq!(r.stdout, "yes\n", "{}", r.stderr);
    assert_eq!(
        server.requests().last().unwrap().header("Impersonate-User"),
        Some("bob")
    );
    // --list: the server's SelfSubjectRulesReview, in kubectl's table.
    server.route(|seen| {
        seen.path
            .ends_with("/selfsubjectrulesreviews")
            .then(|| (201, recorded_full("ssrr-kfree-test.json")))
    });
    let r = kauth(
        tmp.path(),
        &kc,
        &["auth", "can-i", "--list", "-n", "test"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("Resources"), "{}", r.stdout);
    assert!(
        r.stdout.lines().any(
            |l| l.starts_with("selfsubjectreviews.authentication.k8s.io")
                && l.ends_with("[create]")
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.lines().any(|l| l.contains("[/healthz]")),
        "{}",
        r.stdout
    );
    let body: serde_json::Value =
        serde_json::from_slice(&server.requests().last().unwrap().body).unwrap();
    assert_eq!(body["spec"]["namespace"], "test");
}

fn recorded_full(file: &str) -> serde_json::Value {
    recorded(file)
}

#[test]
fn kubeconfig_credentials_of_every_kind_reach_the_server() {
    let (tmp, server) = setup();
    // tokenFile, relative to the kubeconfig.
    std::fs::write(tmp.path().join("alice.token"), "s3cr3t-alice-token\n").unwrap();
    let kc = server.kubeconfig("tf.kubeconfig", "    tokenFile: alice.token");
    let r = kauth(
        tmp.path(),
        &kc,
        &["auth", "can-i", "get", "pods", "-n", "test"],
        None,
    );
    assert_eq!(r.stdout, "yes\n", "{}", r.stderr);
    assert_eq!(server.last_user(), "alice");
    // The oidc auth-provider's id-token is the bearer token.
    let kc = server.kubeconfig(
        "oidc.kubeconfig",
        "    auth-provider:\n      name: oidc\n      config:\n        client-id: kauth\n        idp-issuer-url: https://idp.example\n        id-token: s3cr3t-alice-token",
    );
    let r = kauth(
        tmp.path(),
        &kc,
        &["auth", "can-i", "get", "pods", "-n", "test"],
        None,
    );
    assert_eq!(r.stdout, "yes\n", "{}", r.stderr);
    assert_eq!(
        server.requests().last().unwrap().header("Authorization"),
        Some("Bearer s3cr3t-alice-token")
    );
    // Basic auth is sent (and refused: kube-apiserver dropped it in 1.19).
    let kc = server.kubeconfig(
        "basic.kubeconfig",
        "    username: admin\n    password: hunter2",
    );
    let r = kauth(tmp.path(), &kc, &["request", "/api"], None);
    assert_eq!(r.code, 1);
    assert_eq!(
        server.requests().last().unwrap().header("Authorization"),
        Some("Basic YWRtaW46aHVudGVyMg==")
    );
    assert!(!r.stderr.contains("hunter2"));
    // proxy-url: the request goes through the proxy's CONNECT tunnel.
    let proxy = crate::support::proxy::Proxy::start();
    let text =
        std::fs::read_to_string(server.cert_kubeconfig("proxied", "kadmin", &["system:masters"]))
            .unwrap()
            .replace(
                "    server: ",
                &format!("    proxy-url: {}\n    server: ", proxy.url),
            );
    let kc = tmp.path().join("proxied.kubeconfig");
    std::fs::write(&kc, text).unwrap();
    let r = kauth(tmp.path(), &kc, &["request", "/version"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        *proxy.targets.lock().unwrap(),
        [format!("127.0.0.1:{}", server.port)]
    );
    // Without proxy-url, HTTPS_PROXY is used as client-go uses it (never
    // for loopback addresses), and NO_PROXY exempts hosts.
    let env_proxy =
        crate::support::proxy::Proxy::start_to(Some(format!("127.0.0.1:{}", server.port)));
    let named = tmp.path().join("named.kubeconfig");
    let text = std::fs::read_to_string(&kc).unwrap();
    let text = text
        .replace(
            &format!("    proxy-url: {}\n", proxy.url),
            "    tls-server-name: localhost\n",
        )
        .replace("https://127.0.0.1:", "https://apiserver.kauth.test:");
    std::fs::write(&named, text).unwrap();
    let with_env = |kubeconfig: &Path, no_proxy: &str| {
        Command::new(assert_cmd::cargo::cargo_bin("kauth"))
            .args(["request", "/version"])
            .env("KUBECONFIG", kubeconfig)
            .env("HTTPS_PROXY", &env_proxy.url)
            .env("NO_PROXY", no_proxy)
            .output()
            .unwrap()
    };
    let out = with_env(&named, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        *env_proxy.targets.lock().unwrap(),
        [format!("apiserver.kauth.test:{}", server.port)]
    );
    let out = with_env(&named, ".kauth.test");
    assert_eq!(
        out.status.code(),
        Some(2),
        "NO_PROXY: a direct connection to a name that resolves nowhere"
    );
    let direct = tmp.path().join("direct.kubeconfig");
    std::fs::write(
        &direct,
        std::fs::read_to_string(&named)
            .unwrap()
            .replace("apiserver.kauth.test", "127.0.0.1"),
    )
    .unwrap();
    assert!(with_env(&direct, "").status.success());
    assert_eq!(
        env_proxy.targets.lock().unwrap().len(),
        1,
        "loopback: never proxied"
    );
}

#[test]
fn an_exec_credential_is_reused_within_a_run() {
    let (tmp, server) = setup();
    let count = tmp.path().join("runs");
    let plugin = write_plugin(
        tmp.path(),
        "counting-plugin",
        &format!(
            "echo run >> {}\necho '{{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\",\"status\":{{\"token\":\"s3cr3t-alice-token\",\"expirationTimestamp\":\"2099-01-01T00:00:00Z\"}}}}'",
            count.display()
        ),
    );
    let kc = server.kubeconfig(
        "exec.kubeconfig",
        &format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: Never",
            plugin.display()
        ),
    );
    let before = server.requests().len();
    // A denied can-i asks twice (the review, then who the user is).
    let r = kauth(
        tmp.path(),
        &kc,
        &["auth", "can-i", "delete", "pods", "-n", "test"],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(server.requests().len() - before, 2);
    assert_eq!(std::fs::read_to_string(&count).unwrap().lines().count(), 1);
}

#[test]
fn an_x509_v1_client_certificate_from_openssl_works_as_with_kubectl() {
    let (tmp, server) = setup();
    let d = tmp.path();
    std::fs::write(d.join("ca.key"), server.ca.key.to_pem().as_bytes()).unwrap();
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(d)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "old.key",
        "-out",
        "old.csr",
        "-subj",
        "/CN=olduser/O=dev",
    ]);
    // No extensions: openssl writes an X.509 version 1 certificate.
    openssl(&[
        "x509",
        "-req",
        "-in",
        "old.csr",
        "-CA",
        "cluster-ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "old.crt",
        "-days",
        "1",
    ]);
    let text = Command::new("openssl")
        .args(["x509", "-in", "old.crt", "-noout", "-text"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("Version: 1 (0x0)"));
    let kc = server.kubeconfig(
        "old.kubeconfig",
        "    client-certificate: old.crt\n    client-key: old.key",
    );
    let r = kauth(d, &kc, &["auth", "whoami"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("olduser"), "{}", r.stdout);
    assert!(r.stderr.contains("prediction matches"), "{}", r.stderr);
}

/// `--kubelet` takes an IPv6 address with or without brackets and port;
/// what is neither is refused with the flag named, before any connection.
#[test]
fn kubelet_addresses_in_ipv6_keep_their_port() {
    let (tmp, server) = setup();
    let kc = server.cert_kubeconfig("admin", "kadmin", &["system:masters"]);
    // A port nothing listens on: the error names the address kauth dialled.
    let port = std::net::TcpListener::bind("[::1]:0")
        .expect("an IPv6 loopback")
        .local_addr()
        .unwrap()
        .port();
    let given = format!("[::1]:{port}");
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "--kubelet", &given, "/pods"],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&given), "{}", r.stderr);
    assert!(!r.stderr.contains(":10250"), "{}", r.stderr);
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "--kubelet", "fd00::5:x:1", "/pods"],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--kubelet"), "{}", r.stderr);
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
    assert!(server.requests().is_empty());
}

/// Credentials in a proxy URL are sent as Go sends them: an HTTP proxy
/// gets `Proxy-Authorization: Basic`, a SOCKS5 proxy the RFC 1929 login.
/// User information in the server URL becomes basic authentication in
/// place of the kubeconfig's token. No password is ever printed.
#[test]
fn credentials_in_proxy_and_server_urls_are_sent_and_never_printed() {
    let (tmp, server) = setup();
    let upstream = Some(format!("127.0.0.1:{}", server.port));
    let base = std::fs::read_to_string(server.cert_kubeconfig("p", "kadmin", &["system:masters"]))
        .unwrap();
    let with_proxy = |name: &str, proxy_url: &str| {
        let kc = tmp.path().join(name);
        let text = base.replace(
            "    server: ",
            &format!("    proxy-url: {proxy_url}\n    server: "),
        );
        std::fs::write(&kc, text).unwrap();
        kc
    };
    let secret = "s3cret-pw";
    // HTTP CONNECT: the user and (percent-decoded) password as basic auth.
    let http = crate::support::proxy::Proxy::serve(
        upstream.clone(),
        Some("Basic YWxpY2U6czNjcmV0LXB3QA==".into()),
        false,
    );
    let url = http
        .url
        .replace("http://", &format!("http://alice:{secret}%40@"));
    let r = kauth(
        tmp.path(),
        &with_proxy("h.kubeconfig", &url),
        &["request", "/version"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let wrong = http.url.replace("http://", "http://alice:wrong-pw@");
    let r = kauth(
        tmp.path(),
        &with_proxy("w.kubeconfig", &wrong),
        &["request", "/version"],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("407"), "{}", r.stderr);
    assert!(!r.stderr.contains("wrong-pw"), "{}", r.stderr);
    assert_eq!(
        *http.credentials.lock().unwrap(),
        [
            Some("Basic YWxpY2U6czNjcmV0LXB3QA==".into()),
            Some("Basic YWxpY2U6d3JvbmctcHc=".into())
        ]
    );
    // SOCKS5 with a login; without one the proxy's demand is explained.
    let socks =
        crate::support::proxy::Proxy::serve(upstream.clone(), Some(format!("bob:{secret}")), true);
    let url = socks
        .url
        .replace("socks5://", &format!("socks5://bob:{secret}@"));
    let r = kauth(
        tmp.path(),
        &with_proxy("s.kubeconfig", &url),
        &["request", "/version"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = kauth(
        tmp.path(),
        &with_proxy("n.kubeconfig", &socks.url),
        &["request", "/version"],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("authentication"), "{}", r.stderr);
    let url = socks.url.replace("socks5://", "socks5://bob:other-pw@");
    let r = kauth(
        tmp.path(),
        &with_proxy("o.kubeconfig", &url),
        &["request", "/version"],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("authentication failed"), "{}", r.stderr);
    assert!(!r.stderr.contains("other-pw"), "{}", r.stderr);
    assert_eq!(socks.targets.lock().unwrap().len(), 1);
    // The server URL's user replaces the token, as in Go's client.
    let kc = server.kubeconfig("t.kubeconfig", "    token: tok-123");
    let text = std::fs::read_to_string(&kc).unwrap().replace(
        "https://127.0.0.1:",
        &format!("https://admin:{secret}@127.0.0.1:"),
    );
    std::fs::write(&kc, &text).unwrap();
    let r = kauth(tmp.path(), &kc, &["request", "/api"], None);
    assert!(!r.stderr.contains(secret), "{}", r.stderr);
    assert_eq!(
        server.requests().last().unwrap().header("Authorization"),
        Some("Basic YWRtaW46czNjcmV0LXB3")
    );
    // An unreachable server is named without the password.
    let dead = text.replace(&format!(":{}", server.port), ":1");
    std::fs::write(&kc, dead).unwrap();
    let r = kauth(tmp.path(), &kc, &["request", "/api"], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!r.stderr.contains(secret), "{}", r.stderr);
    assert!(r.stderr.contains("admin:xxxxx@"), "{}", r.stderr);
}

/// `-v=6` to `-v=9` log each request as client-go does, with the
/// credential masked at every level.
#[test]
fn verbose_levels_log_requests_without_credentials() {
    let (tmp, server) = setup();
    let kc = server.kubeconfig("v.kubeconfig", "    token: s3cr3t-v-token");
    let run = |level: &str| {
        let r = kauth(tmp.path(), &kc, &[level, "request", "/version"], None);
        assert!(
            !r.stderr.contains("s3cr3t-v-token"),
            "{level}: {}",
            r.stderr
        );
        assert!(
            !r.stdout.contains("s3cr3t-v-token"),
            "{level}: {}",
            r.stdout
        );
        r.stderr
    };
    let url = format!("https://127.0.0.1:{}/version", server.port);
    let quiet = run("-v=0");
    assert!(!quiet.contains(&url), "{quiet}");
    let six = run("-v=6");
    let line = six
        .lines()
        .find(|l| l.contains(&url))
        .unwrap_or_else(|| panic!("{six}"));
    assert!(line.starts_with('I') && line.contains("] GET "), "{line}");
    // The test server does not know this token: 401, logged as such.
    assert!(
        line.contains(" 401 Unauthorized in ") && line.ends_with(" milliseconds"),
        "{line}"
    );
    let eight = run("-v=8");
    assert!(eight.contains("Request Headers:"), "{eight}");
    assert!(
        eight.contains("    Authorization: Bearer <masked>"),
        "{eight}"
    );
    assert!(
        eight.contains("Response Status: 401 Unauthorized in "),
        "{eight}"
    );
    assert!(eight.contains("Response Headers:"), "{eight}");
    assert!(eight.contains("Response Body: "), "{eight}");
    let nine = run("-v=9");
    assert!(nine.contains("curl -v -XGET "), "{nine}");
    assert!(nine.contains(&format!("'{url}'")), "{nine}");
}
